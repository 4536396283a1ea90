// Per channel archive: message count, last message date and size, without reading the archive: the
// count and last id come from the per-archive record when it still matches the file's size and
// mtime, else from the file's last 64 KiB (DCE layout); a file that fits neither shows no count.
import { join } from "node:path";
import { readTailCursor, recordPath, type TailCursor } from "../archive/archive_record.ts";
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

function fromRecord(path: string, info: Deno.FileInfo): TailCursor | null {
  try {
    const r = JSON.parse(Deno.readTextFileSync(recordPath(path)));
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

/** The archive files under `dir` with their channel ids, folder by folder, level by level. */
function listArchives(dir: string): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const folders = [dir];
  for (let f = 0; f < folders.length; f++) {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(folders[f]!)];
    } catch {
      continue; // a target folder that does not exist yet has no archives
    }
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const path = join(folders[f]!, e.name);
      if (e.isDirectory) folders.push(path);
      const id = e.isFile ? CHANNEL_FILE.exec(e.name)?.[1] : undefined;
      if (id !== undefined) found.push([path, id]);
    }
  }
  return found;
}

/** Every channel archive under `dir` (sub-folders included; dot-entries such as `.dce-temp` skipped). */
export async function channelArchives(dir: string): Promise<ChannelArchive[]> {
  const found = listArchives(dir);
  const archives: Array<ChannelArchive | null> = [];
  const tails: number[] = []; // indexes of the archives whose record does not match
  for (const [path, id] of found) {
    const info = statOf(path);
    const cursor = info === null ? null : fromRecord(path, info);
    if (info !== null && cursor === null) tails.push(archives.length);
    archives.push(info === null ? null : describe(path, id, info.size, cursor));
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
