// A workflow step that runs a sibling tool between `BEGIN: <label>` and `END: <label> (exit <n>)` lines.
import { UserError } from "../cli/errors.ts";
import { errorLine } from "../cli/run_main.ts";
import type { OpsLog } from "./ops_log.ts";
import { runTool } from "./run_child.ts";
import { Interrupted } from "../process/signals.ts";

/**
 * Returns the tool's exit code. A tool that cannot be started counts as a failed step (127), logged
 * as one ERROR line, so a later step can still run with --continue-on-error. Interruptions propagate.
 */
export async function runStep(
  log: OpsLog,
  repoRoot: string,
  label: string,
  tool: string,
  args: string[],
  baseEnv: Record<string, string | undefined>,
): Promise<number> {
  log.step(`BEGIN: ${label}`);
  let code: number;
  try {
    code = await runTool(log, repoRoot, tool, args, { baseEnv });
  } catch (err) {
    if (err instanceof Interrupted || !(err instanceof UserError)) throw err;
    log.err(errorLine(err));
    code = 127;
  }
  log.step(`END: ${label} (exit ${code})`);
  return code;
}
