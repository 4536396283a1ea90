// Keeps the run history bounded: at most keepRuns lines and none older than keepFailedDays. The
// file is rewritten only when it has outgrown the bound by a slack (a tenth), so a run usually
// just reads it, and a rewrite happens about once every keepRuns/10 runs.
import {
  commitSiblingTemp,
  createSiblingTemp,
  discardSiblingTemp,
  sweepSiblingTemps,
} from "../archive/atomic_replace.ts";
import { readAt } from "../fs/file_at.ts";
import { writeAll } from "../fs/write_all.ts";
import { namesSameFile } from "./run_history.ts";

export interface HistoryBound {
  keepRuns: number;
  keepFailedDays: number;
  now: Date;
}

const DAY_MS = 86_400_000;

/** Lines beyond keepRuns tolerated before a rewrite. */
function countSlack(keepRuns: number): number {
  return Math.max(10, Math.ceil(keepRuns / 10));
}

/** Age beyond keepFailedDays tolerated for the oldest line before a rewrite. */
function ageSlackMs(keepFailedDays: number): number {
  return Math.max(DAY_MS, (keepFailedDays * DAY_MS) / 10);
}

/** A line's time (its `end`, else `start`), null when it has none; undefined when it is not JSON. */
function lineTime(line: string): number | null | undefined {
  let record;
  try {
    record = JSON.parse(line);
  } catch {
    return undefined;
  }
  const time = Date.parse(record?.end ?? record?.start);
  return Number.isNaN(time) ? null : time;
}

function countLines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

/** Whether the file has outgrown the bound by the slack: too many lines, or a too old first one. */
function outgrown(bytes: Uint8Array, bound: HistoryBound): boolean {
  if (countLines(bytes) > bound.keepRuns + countSlack(bound.keepRuns)) return true;
  const oldest = bound.now.getTime() - bound.keepFailedDays * DAY_MS -
    ageSlackMs(bound.keepFailedDays);
  const decoder = new TextDecoder();
  for (let start = 0; start < bytes.length;) {
    const newline = bytes.indexOf(10, start);
    const end = newline < 0 ? bytes.length : newline;
    const time = lineTime(decoder.decode(bytes.subarray(start, end)));
    if (typeof time === "number") return time < oldest; // lines are appended oldest first
    start = end + 1;
  }
  return false;
}

/**
 * The lines to keep: not older than keepFailedDays (a line without a time stays), the newest
 * keepRuns of them. A line that is not JSON (a run killed mid-write) is dropped: readers skip it.
 */
export function keptLines(text: string, bound: HistoryBound): string[] {
  const cutoff = bound.now.getTime() - bound.keepFailedDays * DAY_MS;
  const kept = text.split("\n").filter((line) => {
    if (line.trim() === "") return false;
    const time = lineTime(line);
    return time === null || (time !== undefined && time >= cutoff);
  });
  return kept.slice(Math.max(0, kept.length - bound.keepRuns));
}

/**
 * Rewrites the history within the bound when it has outgrown it; returns how many lines were
 * dropped (0: not rewritten). Appenders write under an exclusive flock on the file the path names
 * (appendHistory); this takes the same flock, reads, writes the kept lines to a temp beside it and
 * renames the temp over the path before letting go, so a line appended before is in what was read
 * and an appender waiting meanwhile finds the path names a new file and appends there.
 */
export async function boundHistory(path: string, bound: HistoryBound): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path); // a look without the lock: most runs stop here
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return 0;
    throw err;
  }
  if (!outgrown(bytes, bound)) return 0;
  for (let attempt = 1;; attempt++) {
    using file = await Deno.open(path, { read: true });
    await file.lock(true); // released when the file is closed, after the rename
    if (!(await namesSameFile(file, path))) {
      if (attempt < 100) continue; // another pruner replaced it first: look at the new file
      throw new Error(`${path} kept being replaced while pruning it`);
    }
    const info = await file.stat();
    const text = new TextDecoder().decode(await readAt(file, 0, info.size));
    const lines = text.split("\n").filter((line) => line.trim() !== "").length;
    const kept = keptLines(text, bound);
    // History temps are made only here, under this flock: any left over is from a killed pruner.
    await sweepSiblingTemps(path);
    const temp = await createSiblingTemp(path);
    try {
      await Deno.chmod(temp.path, (info.mode ?? 0o644) & 0o7777);
      await writeAll(temp.file, new TextEncoder().encode(kept.map((l) => `${l}\n`).join("")));
      await commitSiblingTemp(temp, path);
    } catch (err) {
      await discardSiblingTemp(temp);
      throw err;
    }
    return lines - kept.length;
  }
}
