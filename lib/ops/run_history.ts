// The run history: one JSON line per run of a scraping tool, kept in the archive root so every
// checkout that scrapes that root writes to (and `./dce status` reads) the same file.
import { join } from "node:path";
import { readAt } from "../fs/file_at.ts";

export const HISTORY_FILE_NAME = ".dce-history.jsonl";

/** How a run ended: exit 0 ok, 3 partial, 128+n interrupted, busy (the lock was held), else failed. */
export type RunResult = "ok" | "partial" | "failed" | "busy" | "interrupted";

export interface TargetOutcome {
  result: RunResult;
  /** Channels this run recorded for the target (0 when the run ended before its scrape). */
  channels: number;
  appended: number;
  failed: number;
  skipped: number;
}

/** A channel that was not exported: SKIPPED, SKIPPED_OOM or FAILED, as in the run summary. */
export interface ChannelProblem {
  id: string;
  target: string;
  action: string;
  reason?: string;
}

export interface HistoryRecord {
  v: 1;
  tool: string;
  start: string;
  end: string;
  duration_s: number;
  host: string;
  pid: number;
  result: RunResult;
  exit_code: number;
  log: string | null;
  summary: string | null;
  targets: Record<string, TargetOutcome>;
  /** The summary's totals, when this run wrote one. */
  totals: Record<string, number> | null;
  problems: ChannelProblem[];
  /** Problems left out of `problems` (it is capped so one line stays small). */
  problems_more: number;
}

/** At most this many problem channels per line: 1,000 failing channels still make a ~20 KB line. */
export const MAX_PROBLEMS = 500;

export function historyPath(archiveRoot: string): string {
  return join(archiveRoot, HISTORY_FILE_NAME);
}

/**
 * Appends one record with a single write on an O_APPEND descriptor: the kernel places each such
 * write at the end as a whole, so two runs appending at once (a busy run next to the holder) never
 * interleave their lines. The write is made under an exclusive flock on the file, on the file the
 * path still names: the history pruner rewrites the file under that flock and renames the result
 * over the path, so an appender that opened the old file before the rename opens the new one
 * instead of writing into the replaced one (where its line would be lost).
 */
export async function appendHistory(path: string, record: HistoryRecord): Promise<void> {
  const line = new TextEncoder().encode(JSON.stringify(record) + "\n");
  for (let attempt = 1;; attempt++) {
    using file = await Deno.open(path, { append: true, create: true, mode: 0o644 });
    await file.lock(true); // released when the file is closed
    if (!(await namesSameFile(file, path))) {
      if (attempt < 100) continue;
      throw new Error(`${path} kept being replaced while a run tried to append to it`);
    }
    const written = await file.write(line);
    if (written !== line.length) {
      throw new Error(`short write to ${path} (${written} of ${line.length} bytes)`);
    }
    return;
  }
}

/** Whether `path` still names the open `file` (not replaced by a rename, nor removed). */
export async function namesSameFile(file: Deno.FsFile, path: string): Promise<boolean> {
  const open = await file.stat();
  try {
    const named = await Deno.stat(path);
    return named.ino === open.ino && named.dev === open.dev;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

function parseRecord(line: string): HistoryRecord | null {
  try {
    const r = JSON.parse(line);
    if (r?.v !== 1 || typeof r.start !== "string" || typeof r.result !== "string") return null;
    if (typeof r.targets !== "object" || r.targets === null) return null;
    return { ...r, problems: Array.isArray(r.problems) ? r.problems : [] } as HistoryRecord;
  } catch {
    return null; // a torn or foreign line is skipped, not fatal
  }
}

const CHUNK = 256 * 1024;

/**
 * The newest `limit` records, newest first, reading the file backwards from its end in chunks, so
 * the cost follows `limit`, not the file's length. A missing file is an empty history.
 */
export async function readRecentHistory(path: string, limit: number): Promise<HistoryRecord[]> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  using _ = file;
  const decoder = new TextDecoder();
  const records: HistoryRecord[] = [];
  let end = (await file.stat()).size;
  let carry = new Uint8Array(0);
  while (end > 0 && records.length < limit) {
    const start = Math.max(0, end - CHUNK);
    const chunk = await readAt(file, start, end - start);
    const bytes = new Uint8Array(chunk.length + carry.length);
    bytes.set(chunk);
    bytes.set(carry, chunk.length);
    // The first (partial) line of this window waits for the next, earlier chunk.
    const firstNewline = start === 0 ? -1 : bytes.indexOf(10);
    end = start;
    if (start > 0 && firstNewline < 0) {
      carry = bytes; // one line longer than a chunk: keep growing it
      continue;
    }
    carry = bytes.slice(0, firstNewline + 1);
    const lines = decoder.decode(bytes.subarray(firstNewline + 1)).split("\n");
    for (let i = lines.length - 1; i >= 0 && records.length < limit; i--) {
      const record = lines[i] ? parseRecord(lines[i]!) : null;
      if (record !== null) records.push(record);
    }
  }
  return records;
}
