// Catches the JSON run summary marker in THIS run's output, so a summary can be recovered even when the log
// file is appended to by many runs (a cron log) or could not be written at all.
import {
  hasContent,
  parseSummaryLine,
  SUMMARY_MARKER,
  writeSummaryFile,
} from "../scrape/run_summary.ts";
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
  async recoverInto(dest: string, replace = false): Promise<string | undefined> {
    if (!replace && await hasContent(dest)) return undefined;
    if (this.#last === null) {
      return `WARN: no ${SUMMARY_MARKER} line in this run's output; ${dest} was not written (nothing was exported, or the run stopped early).`;
    }
    try {
      await writeSummaryFile(dest, parseSummaryLine(this.#last, "this run's output"));
    } catch (err) {
      return `WARN: could not recover the JSON summary into ${dest}: ${(err as Error).message}`;
    }
    return `JSON summary recovered from log: ${dest}`;
  }
}
