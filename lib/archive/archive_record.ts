// The per-archive record `.<name>.dce-record`: what we knew about an archive when we last wrote it,
// so the next run takes its cursor from a few kilobytes instead of reading the whole file.
// A record counts only while the file still matches it exactly (docs/archive.md#the-record).
import { basename, dirname, join } from "node:path";
import { createSiblingTemp, discardSiblingTemp } from "./atomic_replace.ts";
import { compareIds } from "./snowflake.ts";
import { readAt } from "../fs/file_at.ts";

export interface ArchiveRecord {
  v: 1;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  dev: number;
  count: number;
  /** The largest (= last, archives ascend) message id; null for an archive without messages. */
  maxId: string | null;
  channelId: string;
  guildLabel: string;
  /** SHA-256 of the first and of the last EDGE bytes. */
  headSha: string;
  tailSha: string;
  /** Written by our own writer (header reserve, our layout), so a tail rewrite may run on it. */
  ours: boolean;
}

export type RecordFacts = Pick<ArchiveRecord, "count" | "channelId" | "guildLabel" | "ours"> & {
  /** The largest id as a full read found it; omitted when the writer knows the file ascends. */
  maxId?: string | null;
};

const EDGE = 4096;
const MAX_RECORD = 64 * 1024;
/** The tail search reads this much first, then grows to TAIL_MAX for a very large last message. */
const TAIL_FIRST = 64 * 1024;
const TAIL_MAX = 16 << 20;

/** Web Crypto, not node:crypto: importing node:crypto costs every tool that loads this file ~15 ms. */
async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The record's file name, next to the archive named `archiveName`. */
export function recordName(archiveName: string): string {
  return `.${archiveName}.dce-record`;
}

export function recordPath(archivePath: string): string {
  return join(dirname(archivePath), recordName(basename(archivePath)));
}

interface FileFacts {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  dev: number;
  headSha: string;
  tailSha: string;
}

async function fileFacts(file: Deno.FsFile): Promise<FileFacts> {
  const info = await file.stat();
  const size = info.size;
  return {
    size,
    mtimeMs: info.mtime?.getTime() ?? -1,
    ctimeMs: info.ctime?.getTime() ?? -1,
    ino: info.ino ?? -1,
    dev: info.dev,
    headSha: await sha256(await readAt(file, 0, Math.min(size, EDGE))),
    tailSha: await sha256(await readAt(file, Math.max(0, size - EDGE), Math.min(size, EDGE))),
  };
}

const decoder = new TextDecoder();
const END = /(\n {2}\],|\[\],)\n {2}"messageCount": ([0-9]{1,15})\n\}$/;
/** A message's first line and its id line in DCE layout; strings hold no raw newline, so only a message matches. */
const LAST_ID = /[,[]\n {4}\{\n {6}"id": "([0-9]{1,30})"/g;

export interface TailCursor {
  count: number;
  maxId: string | null;
}

/**
 * The declared count and the last message's id, read from the end of a file in DCE layout (no
 * fields after the array); null when the end does not look like that.
 */
export async function readTailCursor(file: Deno.FsFile, size: number): Promise<TailCursor | null> {
  for (let window = TAIL_FIRST;; window *= 4) {
    const start = Math.max(0, size - window);
    const text = decoder.decode(await readAt(file, start, size - start));
    const end = END.exec(text);
    if (end === null) return null;
    const count = Number(end[2]);
    if (end[1] === "[],") return count === 0 ? { count, maxId: null } : null;
    let maxId: string | null = null;
    for (const m of text.matchAll(LAST_ID)) maxId = m[1]!;
    if (maxId !== null) return count > 0 ? { count, maxId } : null;
    if (start === 0 || window >= TAIL_MAX) return null;
  }
}

/**
 * Writes the record of the archive as it is now (call right after committing it). Nothing is
 * written when the file's end does not declare `facts.count` or does not end with the largest id
 * (a foreign or unordered file): such an archive is always read in full.
 */
export async function writeRecord(archivePath: string, facts: RecordFacts): Promise<void> {
  using file = await Deno.open(archivePath, { read: true });
  const now = await fileFacts(file);
  const tail = await readTailCursor(file, now.size);
  if (tail === null || tail.count !== facts.count) return;
  if (facts.maxId !== undefined && facts.maxId !== tail.maxId) return;
  const record: ArchiveRecord = { v: 1, ...now, ...facts, maxId: tail.maxId };
  const temp = await createSiblingTemp(archivePath);
  try {
    await temp.file.write(new TextEncoder().encode(JSON.stringify(record) + "\n"));
    temp.file.close();
    await Deno.rename(temp.path, recordPath(archivePath));
  } catch (err) {
    await discardSiblingTemp(temp);
    throw err;
  }
}

/** Best effort: a record that cannot be written only costs the next run a full read. */
export async function tryWriteRecord(archivePath: string, facts: RecordFacts): Promise<void> {
  await writeRecord(archivePath, facts).catch(() => {});
}

/** Removes the record (before an archive is changed in place). */
export async function forgetRecord(archivePath: string): Promise<void> {
  await Deno.remove(recordPath(archivePath)).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
}

function parseRecord(text: string): ArchiveRecord | null {
  let r: Partial<ArchiveRecord>;
  try {
    r = JSON.parse(text);
  } catch {
    return null;
  }
  const numbers = [r.size, r.mtimeMs, r.ctimeMs, r.ino, r.dev, r.count];
  if (r.v !== 1 || !numbers.every((n) => typeof n === "number")) return null;
  if (r.maxId !== null && typeof r.maxId !== "string") return null;
  if (typeof r.channelId !== "string" || typeof r.guildLabel !== "string") return null;
  if (typeof r.headSha !== "string" || typeof r.tailSha !== "string") return null;
  return { ...r, ours: r.ours === true } as ArchiveRecord;
}

/**
 * The archive's record when, and only when, it still describes the file: same inode, size,
 * modification and change times, same first and last bytes, and the file's own end declares the
 * recorded count and ends with the recorded largest id. Anything else (missing, torn, edited,
 * truncated, replaced, restored) gives null: the caller reads the file in full.
 */
export async function validRecord(archivePath: string): Promise<ArchiveRecord | null> {
  let text: string;
  try {
    using rf = await Deno.open(recordPath(archivePath), { read: true });
    text = decoder.decode(await readAt(rf, 0, MAX_RECORD));
  } catch {
    return null;
  }
  const record = parseRecord(text);
  if (record === null) return null;
  try {
    if (!(await Deno.lstat(archivePath)).isFile) return null;
    using file = await Deno.open(archivePath, { read: true });
    const now = await fileFacts(file);
    const keys = ["size", "mtimeMs", "ctimeMs", "ino", "dev", "headSha", "tailSha"] as const;
    if (keys.some((k) => now[k] !== record[k])) return null;
    const tail = await readTailCursor(file, now.size);
    if (tail === null || tail.count !== record.count) return null;
    if (tail.maxId !== record.maxId) return null;
    if (tail.maxId !== null && compareIds(tail.maxId, record.maxId!) !== 0) return null;
    return record;
  } catch {
    return null;
  }
}
