// Catches the JSON run summary marker in THIS run's output, so a summary can be recovered even when the log
// file is appended to by many runs (a cron log) or could not be written at all.
import { recoverSummaryFile, SUMMARY_MARKER } from "../scrape/run_summary.ts";
import type { OpsLog } from "./ops_log.ts";

export class SummaryCapture {
  #last: string | null = null;

  constructor(log: OpsLog) {
    log.watch((line) => {
      if (line.includes(SUMMARY_MARKER)) this.#last = line;
    });
  }

  get seen(): boolean {
    return this.#last !== null;
  }

  /**
   * Writes the last captured summary to `dest` when `dest` is missing or empty, or (`replace`) holds
   * an earlier run's. Returns a line to show: what was recovered, or why not; undefined when this
   * run's file was already there.
   */
  recoverInto(dest: string, replace = false): Promise<string | undefined> {
    return recoverSummaryFile(
      dest,
      this.#last,
      { output: "this run's output", log: "log" },
      replace,
    );
  }
}
