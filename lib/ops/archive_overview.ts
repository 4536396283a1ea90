// Per channel archive: message count, last message date and size, without reading the archive: the
// count and last id come from the per-archive record when it still matches the file's size and
// mtime, else from the file's last 64 KiB (DCE layout); a file that fits neither shows no count.
import { join } from "node:path";
import { readTailCursor, recordName, type TailCursor } from "../archive/archive_record.ts";
import { DISCORD_EPOCH_MS } from "../archive/snowflake.ts";

export interface ChannelArchive {
  channelId: string;
  path: string;
  size: number;
  /** null: neither the record nor the tail says (a foreign layout; `audit-archive-json` reads it). */
  count: number | null;
  lastMessageAt: Date | null;
}

/** Tail reads at once: a thousand files opened together could exceed the descriptor limit. */
const TAIL_BATCH = 64;

/** DCE's file names end in ` [<channel id>].json`. */
const CHANNEL_FILE = /\[(\d{1,30})\]\.json$/;

/** The creation time a snowflake id carries. */
export function snowflakeDate(id: string): Date | null {
  try {
    return new Date(Number(BigInt(id) >> 22n) + DISCORD_EPOCH_MS);
  } catch {
    return null;
  }
}

// The stat and the record are read synchronously: a few microseconds each, where an async call costs
// a thread-pool round trip (1,000 archives: about 17 ms instead of 40 ms, bench/ops/status_bench.ts).
function statOf(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch {
    return null; // gone between the listing and now
  }
}

function fromRecord(record: string, info: Deno.FileInfo): TailCursor | null {
  try {
    const r = JSON.parse(Deno.readTextFileSync(record));
    if (r?.size !== info.size || r?.mtimeMs !== info.mtime?.getTime()) return null;
    if (typeof r.count !== "number") return null;
    return { count: r.count as number, maxId: typeof r.maxId === "string" ? r.maxId : null };
  } catch {
    return null;
  }
}

async function fromTail(path: string, size: number): Promise<TailCursor | null> {
  try {
    using file = await Deno.open(path, { read: true });
    return await readTailCursor(file, size);
  } catch {
    return null;
  }
}

function describe(
  path: string,
  channelId: string,
  size: number,
  cursor: TailCursor | null,
): ChannelArchive {
  return {
    channelId,
    path,
    size,
    count: cursor?.count ?? null,
    lastMessageAt: cursor?.maxId ? snowflakeDate(cursor.maxId) : null,
  };
}

interface ArchiveFile {
  path: string;
  channelId: string;
  /** Its record's path when the listing holds one (a missing one is not tried: a throw costs). */
  record: string | null;
}

/** The archive files under `dir`, folder by folder, level by level. */
function listArchives(dir: string): ArchiveFile[] {
  const found: ArchiveFile[] = [];
  const folders = [dir];
  for (let f = 0; f < folders.length; f++) {
    const folder = folders[f]!;
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(folder)];
    } catch {
      continue; // a target folder that does not exist yet has no archives
    }
    const names = new Set(entries.map((e) => e.name));
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const path = join(folder, e.name);
      if (e.isDirectory) folders.push(path);
      const channelId = e.isFile ? CHANNEL_FILE.exec(e.name)?.[1] : undefined;
      if (channelId === undefined) continue;
      const record = recordName(e.name);
      found.push({ path, channelId, record: names.has(record) ? join(folder, record) : null });
    }
  }
  return found;
}

/** Every channel archive under `dir` (sub-folders included; dot-entries such as `.dce-temp` skipped). */
export async function channelArchives(dir: string): Promise<ChannelArchive[]> {
  const found = listArchives(dir);
  const archives: Array<ChannelArchive | null> = [];
  const tails: number[] = []; // indexes of the archives whose record does not match
  for (const { path, channelId, record } of found) {
    const info = statOf(path);
    const cursor = info === null || record === null ? null : fromRecord(record, info);
    if (info !== null && cursor === null) tails.push(archives.length);
    archives.push(info === null ? null : describe(path, channelId, info.size, cursor));
  }
  for (let i = 0; i < tails.length; i += TAIL_BATCH) {
    await Promise.all(
      tails.slice(i, i + TAIL_BATCH).map(async (at) => {
        const a = archives[at]!;
        archives[at] = describe(a.path, a.channelId, a.size, await fromTail(a.path, a.size));
      }),
    );
  }
  return archives.filter((a) => a !== null);
}
