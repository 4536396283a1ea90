// --quiet, --wait SECONDS, --conflict-exit-code N: one spelling, one reading and one usage text for
// every workflow cron may run.
import { parseConflictExitCode, parseWaitSeconds } from "../lock/lock_wait_options.ts";
import type { UnattendedOptions } from "./unattended_run.ts";

/** Spread into a script's parseArgv options. */
export const UNATTENDED_ARGS = {
  quiet: { type: "boolean" },
  wait: { type: "string" },
  "conflict-exit-code": { type: "string" },
} as const;

/** The usage lines for the three options. */
export const UNATTENDED_USAGE =
  `  --quiet                   nothing on stdout/stderr when the run succeeds (a log file, where the
                            tool keeps one, has it all); a failed or partial run prints a digest on stderr
  --wait SECONDS            keep trying a busy lock this long (default 0)
  --conflict-exit-code N    exit status when the lock stays busy (default 1; cron uses 75);
                            with --quiet a busy run prints nothing`;

/** Reads the parsed values (usage error, exit 2, for a bad number); `argv` is recorded in the lock. */
export function unattendedOptions(
  values: { quiet?: boolean; wait?: string; "conflict-exit-code"?: string },
  argv: string[],
): UnattendedOptions {
  return {
    quiet: values.quiet ?? false,
    waitSeconds: parseWaitSeconds(values.wait),
    conflictExitCode: parseConflictExitCode(values["conflict-exit-code"]),
    argv,
  };
}
