// The frame every logged workflow (documents scrape, validation, proof) runs in: appended log, signals held
// for the whole run, and on every way out the interruption, the summary recovery and the `Log:` line.
import { OpsLog, type Write } from "./ops_log.ts";
import { reportFailure } from "./report_failure.ts";
import { holdSignals, interruption } from "./run_child.ts";
import { SummaryCapture } from "./summary_capture.ts";
import type { Clock } from "../cli/utc_stamp.ts";
import { fileStamp } from "../scrape/run_summary.ts";
import { buildSummary } from "../scrape/scrape_summary.ts";
import { writeSummaryFile } from "../scrape/run_summary.ts";

export interface LoggedWorkflowOptions {
  /** Appended to when set; without it the workflow only writes to the screen (and prints no `Log:`). */
  logFile: string | undefined;
  /**
   * This run's JSON summary file, asked for after the body ran (a workflow may decide it on the way);
   * filled from the run's own DCE_JSON_SUMMARY line when missing, on failure too (docs/bash-suite.md#h32-no-log-line-on-failure).
   */
  summaryFile: () => string | undefined;
  /**
   * fileStamp() of the summary file before the run. When given, a file still carrying it is an
   * earlier run's: recovery replaces it, and a failed run without a summary of its own writes a
   * minimal one (outcome, exit code) so the file always tells about the latest run.
   */
  summaryBaseline?: string | null;
  clock: Clock;
  /**
   * What the run does at its very end, with its final exit code: after the summary is settled (so
   * it can be read) and before the `Log:` line (so what it says is logged). Must not throw.
   */
  end?: (log: OpsLog, code: number) => Promise<void>;
  stdout?: Write | undefined;
  stderr?: Write | undefined;
}

/** Runs `body` in the frame; returns its exit code, a failure's code, or 128+n after a signal. */
export async function runLoggedWorkflow(
  opts: LoggedWorkflowOptions,
  body: (log: OpsLog) => Promise<number>,
): Promise<number> {
  const log = await OpsLog.open(opts.logFile, {
    clock: opts.clock,
    ...(opts.stdout ? { stdout: opts.stdout } : {}),
    ...(opts.stderr ? { stderr: opts.stderr } : {}),
  });
  const capture = new SummaryCapture(log);
  let code = 0;
  const releaseSignals = holdSignals();
  try {
    code = await body(log);
  } catch (err) {
    code = reportFailure(log, err);
  } finally {
    const stop = interruption();
    if (stop && code === 0) {
      log.err(`ERROR: Interrupted by ${stop.signal}; stopped.`);
      code = stop.exitCode;
    }
    const summaryFile = opts.summaryFile();
    if (summaryFile !== undefined) {
      const line = await settleSummary(summaryFile, capture, opts, code);
      if (line) log.err(line);
    }
    if (opts.end !== undefined) await opts.end(log, code);
    if (opts.logFile !== undefined) log.out(`Log: ${opts.logFile}`);
    log.close();
    releaseSignals();
  }
  return code;
}

/** Recovers this run's summary, or leaves a minimal one for a failed run; returns a line to show. */
async function settleSummary(
  file: string,
  capture: SummaryCapture,
  opts: LoggedWorkflowOptions,
  code: number,
): Promise<string | undefined> {
  const tracked = opts.summaryBaseline !== undefined;
  const untouched = tracked && (await fileStamp(file)) === opts.summaryBaseline;
  if (capture.seen) return await capture.recoverInto(file, untouched);
  if (!untouched || code === 0) return undefined;
  const outcome = code > 128 ? "interrupted" : "failed";
  try {
    await writeSummaryFile(file, buildSummary([], opts.clock(), { outcome, exitCode: code }));
  } catch (err) {
    return `WARN: could not write the JSON summary ${file}: ${(err as Error).message}`;
  }
  return `JSON summary written (run ${outcome} before any channel was recorded): ${file}`;
}
