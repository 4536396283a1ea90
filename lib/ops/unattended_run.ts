// The frame every workflow cron may run sits in (run-documents-scrape, run-operator-validation,
// run-operator-proof, prove-incremental-append): --quiet (silence on success, a digest on failure),
// and the archive-root lock taken before any work, with --wait and --conflict-exit-code for a busy
// lock. One implementation, so they all answer cron the same way.
import { EXIT } from "../cli/errors.ts";
import { RunDigest } from "../cli/run_digest.ts";
import { errorLine } from "../cli/run_main.ts";
import { type LoggedWorkflowOptions, runLoggedWorkflow } from "./logged_workflow.ts";
import { hostRunnerEnv } from "./operator_ready.ts";
import { type OpsLog, stderrWrite, type Write } from "./ops_log.ts";
import type { Clock } from "../cli/utc_stamp.ts";
import { LockHeldError, takeWorkflowLock } from "./workflow_lock.ts";

/** What a caller may ask of an unattended run (the three options, and the argv the lock records). */
export interface UnattendedOptions {
  /** Nothing on the screen unless the run fails or is partial: then a short digest on stderr. */
  quiet?: boolean;
  /** Keep trying a busy lock this long (default 0). */
  waitSeconds?: number;
  /** Exit status when the lock stays busy (default 1, as the older suite). */
  conflictExitCode?: number;
  /** This run's command line, recorded in the lock. */
  argv?: string[];
}

/** What every logged workflow is given besides its own options. */
export interface WorkflowOptions extends UnattendedOptions {
  /** Absolute config path; passed unchanged to every child (docs/bash-suite.md#h24-config-divergence). */
  configPath: string;
  logFile?: string | undefined;
  env: Record<string, string | undefined>;
  repoRoot: string;
  clock?: Clock;
  stdout?: Write;
  stderr?: Write;
}

export interface UnattendedFrame extends LoggedWorkflowOptions, UnattendedOptions {
  /** The tool's name: the digest's first word and the lock holder's `tool=`. */
  tool: string;
  configPath: string;
  repoRoot: string;
  env: Record<string, string | undefined>;
  /** The summary the digest points at, if any. */
  digestSummaryFile?: () => string | undefined;
}

export interface UnattendedRun {
  log: OpsLog;
  /**
   * Takes the lock, runs `work` under it (its children get `lockEnv` to work under it too) and
   * releases it. Busy: logs why (the `Scrape lock is held` marker line) and returns the busy code.
   */
  locked(work: (lockEnv: Record<string, string>) => Promise<number>): Promise<number>;
}

/** Runs `body` in the logged frame; returns its exit code (see runLoggedWorkflow). */
export async function runUnattended(
  frame: UnattendedFrame,
  body: (run: UnattendedRun) => Promise<number>,
): Promise<number> {
  const silent: Write = () => {};
  const quiet = frame.quiet === true;
  const digest = quiet ? new RunDigest() : null;
  let busy = false;
  const code = await runLoggedWorkflow({
    ...frame,
    stdout: quiet ? silent : frame.stdout,
    stderr: quiet ? silent : frame.stderr,
  }, (log) => {
    if (digest !== null) log.watch((line) => digest.note(line));
    return body({
      log,
      async locked(work) {
        let lock;
        try {
          lock = await takeWorkflowLock(log, {
            configPath: frame.configPath,
            repoRoot: frame.repoRoot,
            env: await hostRunnerEnv(frame.env, frame.repoRoot),
            waitSeconds: frame.waitSeconds ?? 0,
            tool: frame.tool,
            argv: frame.argv ?? [],
          });
        } catch (err) {
          if (!(err instanceof LockHeldError)) throw err;
          log.err(errorLine(err));
          busy = true;
          return frame.conflictExitCode ?? EXIT.failure;
        }
        try {
          return await work(lock.childEnv);
        } finally {
          await lock.release(log);
        }
      },
    });
  });
  // Busy is not a failure of this run: the other run reports for both (what `flock -n` gives).
  if (digest !== null && code !== 0 && !busy) {
    const write = frame.stderr ?? stderrWrite;
    const end = {
      tool: frame.tool,
      exitCode: code,
      logFile: frame.logFile,
      summaryFile: frame.digestSummaryFile?.(),
    };
    for (const line of digest.lines(end)) write(`${line}\n`);
  }
  return code;
}
