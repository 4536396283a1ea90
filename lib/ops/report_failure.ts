// Turns a workflow's UserError into its ERROR line(s) in the log (so the log shows why it stopped) and an
// exit code; anything else is a bug and is rethrown.
import { UserError } from "../cli/errors.ts";
import { reportUserError } from "../cli/run_main.ts";
import type { OpsOutput } from "./ops_log.ts";

export function reportFailure(out: OpsOutput, err: unknown): number {
  if (!(err instanceof UserError)) throw err;
  return reportUserError(err, (line) => out.err(line));
}

/** A step of the workflow (a child tool) exited non-zero: stop with its code. */
export class StepFailedError extends UserError {
  constructor(step: string, code: number) {
    super(`${step} failed (exit ${code}); see its output above.`, {
      exitCode: code === 0 ? 1 : code,
    });
    this.name = "StepFailedError";
  }
}
