// JSON run summaries (§8.7): the DCE_JSON_SUMMARY marker, recovery from a run log, per-target file names.

import { dirname, join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { utcFileStamp } from "./utc_stamp.ts";

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

/** Writes a summary pretty-printed (2-space indent, final newline), creating its folder. */
export async function writeSummaryFile(dest: string, summary: unknown): Promise<void> {
  await Deno.mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, JSON.stringify(summary, null, 2) + "\n");
  await Deno.rename(tmp, dest);
}

/** The last marker line of a log, read as a stream (logs can be large), or null when none. */
export async function lastSummaryLine(logPath: string): Promise<string | null> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(logPath, { read: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new UserError(`Run log not found: ${logPath}`);
    }
    throw new UserError(`Cannot read run log ${logPath}: ${(err as Error).message}`);
  }
  let last: string | null = null;
  let pending = "";
  const decoder = new TextDecoder();
  for await (const chunk of file.readable) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (line.includes(SUMMARY_MARKER)) last = line;
  }
  pending += decoder.decode();
  if (pending.includes(SUMMARY_MARKER)) last = pending;
  return last;
}

/** Extracts the last summary in `logPath` into `dest` (overwriting). Throws UserError on failure. */
export async function extractSummaryFromLog(logPath: string, dest: string): Promise<void> {
  const line = await lastSummaryLine(logPath);
  if (line === null) throw new UserError(`No ${SUMMARY_MARKER} line in ${logPath}.`);
  await writeSummaryFile(dest, parseSummaryLine(line, logPath));
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
 * Fills `dest` from the log only when it is missing or empty. Returns true when it wrote the file,
 * false when `dest` already had content; throws UserError when the log has no usable summary.
 */
export async function recoverSummaryIfMissing(logPath: string, dest: string): Promise<boolean> {
  if (await hasContent(dest)) return false;
  await extractSummaryFromLog(logPath, dest);
  return true;
}

/** Every character outside `A-Za-z0-9._-` becomes `_`. */
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
