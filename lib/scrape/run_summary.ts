// JSON run summaries (docs/scrape.md#json-run-summary): the DCE_JSON_SUMMARY marker, writing a recovered summary, per-target file names.

import { dirname, join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { utcFileStamp } from "../cli/utc_stamp.ts";
import { fsReason } from "../fs/fs_reason.ts";

export const SUMMARY_MARKER = "DCE_JSON_SUMMARY:";

/** The payload of a marker line (text after the first `DCE_JSON_SUMMARY: `), or null. */
export function summaryPayload(line: string): string | null {
  const at = line.indexOf(SUMMARY_MARKER);
  if (at < 0) return null;
  return line.slice(at + SUMMARY_MARKER.length).replace(/^ /, "").replace(/\r$/, "");
}

/** Parses a marker line's payload; throws UserError naming the source when it is not JSON. */
export function parseSummaryLine(line: string, source: string): unknown {
  const payload = summaryPayload(line);
  if (payload === null) throw new UserError(`No ${SUMMARY_MARKER} line in ${source}.`);
  try {
    return JSON.parse(payload);
  } catch {
    throw new UserError(`The last ${SUMMARY_MARKER} line in ${source} is not valid JSON.`);
  }
}

/**
 * Writes a summary pretty-printed (2-space indent, final newline), creating its folder; atomically
 * (a temp file renamed into place), and a failed write (a full disk) leaves no temp file behind.
 */
export async function writeSummaryFile(dest: string, summary: unknown): Promise<void> {
  await Deno.mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${Deno.pid}`;
  try {
    await Deno.writeTextFile(tmp, JSON.stringify(summary, null, 2) + "\n");
    await Deno.rename(tmp, dest);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/** True when `dest` already holds something (then recovery must not overwrite it). */
export async function hasContent(dest: string): Promise<boolean> {
  try {
    return (await Deno.stat(dest)).size > 0;
  } catch {
    return false;
  }
}

/**
 * Identifies the file now at `path` (inode, size, mtime), or null when there is none: equal stamps
 * before and after a run mean the run did not write it (the earlier run's summary is still there).
 */
export async function fileStamp(path: string): Promise<string | null> {
  try {
    const info = await Deno.stat(path);
    return `${info.ino}:${info.size}:${info.mtime?.getTime()}`;
  } catch {
    return null;
  }
}

/** Every character outside `A-Za-z0-9._-` becomes `_`. */
/** Where a recovered summary line came from, as the messages name it. */
export interface SummarySource {
  /** "the run output", "this run's output". */
  output: string;
  /** "run log", "log": ends the success line `JSON summary recovered from <log>: <file>`. */
  log: string;
}

/**
 * The one summary recovery: fills `dest` from the run's last marker line when `dest` is missing or
 * empty (a container or child could not write it). Returns the line to show: what was recovered or
 * why not (a WARN: the export itself is done, so this never fails the run); undefined when `dest`
 * already had content.
 */
export async function recoverSummaryFile(
  dest: string,
  line: string | null,
  source: SummarySource,
  /** `dest` holds an earlier run's summary (its fileStamp is unchanged): replace it. */
  replace = false,
): Promise<string | undefined> {
  if (!replace && await hasContent(dest)) return undefined;
  if (line === null) {
    return `WARN: no ${SUMMARY_MARKER} line in ${source.output}; ${dest} was not written (nothing was exported, or the run stopped early).`;
  }
  try {
    await writeSummaryFile(dest, parseSummaryLine(line, source.output));
  } catch (err) {
    const reason = err instanceof UserError ? err.message : fsReason(err);
    return `WARN: could not write the run summary ${dest}: ${reason}`;
  }
  return `JSON summary recovered from ${source.log}: ${dest}`;
}

export function targetSlug(target: string): string {
  return target.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** `<logDir>/<prefix>-<slug>-<UTC stamp>.summary.json`. */
export function perTargetSummaryFile(
  logDir: string,
  prefix: string,
  target: string,
  now: Date = new Date(),
): string {
  return join(logDir, `${prefix}-${targetSlug(target)}-${utcFileStamp(now)}.summary.json`);
}
