// Retention at the end of a run: old runs' logs and summaries leave the log folder, and the run
// history is kept bounded. It never changes how the run ended: a problem is one WARN line.
import { basename } from "node:path";
import type { UnattendedConfig } from "../config/scrape_config.ts";
import { fsReason } from "../fs/fs_reason.ts";
import { boundHistory } from "./history_retention.ts";
import { pruneLogFolder } from "./log_retention.ts";
import { readRecentHistory, type RunResult } from "./run_history.ts";

export interface RetentionRequest {
  /** The folder the run's default-named log goes to (DCE_LOG_DIR or <repo>/logs). */
  logDir: string;
  /** The ending run's own log and summary (never pruned). */
  currentFiles: string[];
  /** `{archive_root}/.dce-history.jsonl`, or null when the run has no archive root. */
  historyFile: string | null;
  settings: Pick<UnattendedConfig, "keepDays" | "keepFailedDays" | "keepRuns">;
  now: Date;
  /** A line for the run's log: what was pruned. */
  out: (line: string) => void;
  /** A WARN line: something could not be pruned. */
  warn: (line: string) => void;
}

export async function pruneAfterRun(req: RetentionRequest): Promise<void> {
  const { keepDays, keepFailedDays, keepRuns } = req.settings;
  try {
    const removed = await pruneLogFolder(req.logDir, {
      keepDays,
      keepFailedDays,
      keepRuns,
      now: req.now,
      current: req.currentFiles,
      historyResults: lazy(() => resultsByLog(req.historyFile, keepRuns)),
      warn: req.warn,
    });
    if (removed.length > 0) {
      req.out(`Retention: removed ${removed.length} file(s) of old runs from ${req.logDir}.`);
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) { // no log folder: nothing to prune
      req.warn(`WARN: retention could not prune ${req.logDir}: ${fsReason(err)}`);
    }
  }
  if (req.historyFile === null) return;
  try {
    const dropped = await boundHistory(req.historyFile, { keepRuns, keepFailedDays, now: req.now });
    if (dropped > 0) req.out(`Retention: dropped ${dropped} old line(s) from ${req.historyFile}.`);
  } catch (err) {
    req.warn(`WARN: retention could not trim ${req.historyFile}: ${fsReason(err)}`);
  }
}

function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

/** How each recorded run ended, by its log's file name; a history that cannot be read is empty. */
async function resultsByLog(
  historyFile: string | null,
  keepRuns: number,
): Promise<Map<string, RunResult>> {
  const results = new Map<string, RunResult>();
  if (historyFile === null) return results;
  const records = await readRecentHistory(historyFile, keepRuns).catch(() => []);
  for (const record of records.toReversed()) { // newest last: it wins
    if (record.log) results.set(basename(record.log), record.result);
  }
  return results;
}
