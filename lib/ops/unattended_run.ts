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
  /** What the run does at its very end (lib/ops/run_end.ts: history, metrics, failure hook). */
  finish?: (end: FrameEnd) => Promise<void>;
}

/** What the frame knows when the run is over. */
export interface FrameEnd {
  log: OpsLog;
  code: number;
  /** Another scrape held the lock: this run did nothing. */
  busy: boolean;
  /** The digest (what --quiet prints on failure), also when the run is not quiet. */
  digest: string[];
  /** A WARN line: to the log, and in quiet mode to stderr after the digest (it must be seen). */
  warn(line: string): void;
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
  // Kept in every mode: the failure hook reads it; --quiet prints it.
  const digest = new RunDigest();
  let digestLines: string[] = [];
  const warnings: string[] = [];
  let busy = false;
  const code = await runLoggedWorkflow({
    ...frame,
    stdout: quiet ? silent : frame.stdout,
    stderr: quiet ? silent : frame.stderr,
    async end(log, code) {
      digestLines = digest.lines({
        tool: frame.tool,
        exitCode: code,
        logFile: frame.logFile,
        // The summary the run leaves (summaryFile, which the frame settles), if any.
        summaryFile: frame.summaryFile(),
      });
      await frame.finish?.({
        log,
        code,
        busy,
        digest: digestLines,
        warn(line) {
          log.err(line);
          if (quiet) warnings.push(line);
        },
      });
    },
  }, (log) => {
    log.watch((line) => digest.note(line));
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
  const write = frame.stderr ?? stderrWrite;
  if (quiet && code !== 0 && !busy) {
    for (const line of digestLines) write(`${line}\n`);
  }
  for (const line of warnings) write(`${line}\n`);
  return code;
}
