// Per channel archive: message count, last message date and size, without reading the archive: the
// count and last id come from the per-archive record when it still matches the file's size and
// mtime, else from the file's last 64 KiB (DCE layout); a file that fits neither shows no count.
import { join } from "node:path";
import { readTailCursor, recordPath } from "../archive/archive_record.ts";
import { DISCORD_EPOCH_MS } from "../archive/snowflake.ts";

export interface ChannelArchive {
  channelId: string;
  path: string;
  size: number;
  /** null: neither the record nor the tail says (a foreign layout; `audit-archive-json` reads it). */
  count: number | null;
  lastMessageAt: Date | null;
}

const BATCH = 64;

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

async function fromRecord(path: string, info: Deno.FileInfo) {
  try {
    const r = JSON.parse(await Deno.readTextFile(recordPath(path)));
    if (r?.size !== info.size || r?.mtimeMs !== info.mtime?.getTime()) return null;
    if (typeof r.count !== "number") return null;
    return { count: r.count as number, maxId: typeof r.maxId === "string" ? r.maxId : null };
  } catch {
    return null;
  }
}

async function fromTail(path: string, size: number) {
  try {
    using file = await Deno.open(path, { read: true });
    return await readTailCursor(file, size);
  } catch {
    return null;
  }
}

async function describe(path: string, channelId: string): Promise<ChannelArchive | null> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    return null; // gone between the listing and now
  }
  const cursor = (await fromRecord(path, info)) ?? (await fromTail(path, info.size));
  return {
    channelId,
    path,
    size: info.size,
    count: cursor?.count ?? null,
    lastMessageAt: cursor?.maxId ? snowflakeDate(cursor.maxId) : null,
  };
}

/** Every channel archive under `dir` (sub-folders included; dot-entries such as `.dce-temp` skipped). */
export async function channelArchives(dir: string): Promise<ChannelArchive[]> {
  const found: Array<[string, string]> = [];
  const walk = async (folder: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(folder));
    } catch {
      return; // a target folder that does not exist yet has no archives
    }
    const subfolders: Promise<void>[] = [];
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const path = join(folder, e.name);
      if (e.isDirectory) subfolders.push(walk(path));
      const id = e.isFile ? CHANNEL_FILE.exec(e.name)?.[1] : undefined;
      if (id !== undefined) found.push([path, id]);
    }
    await Promise.all(subfolders);
  };
  await walk(dir);
  const archives: ChannelArchive[] = [];
  // In batches: a thousand files opened at once could exceed the descriptor limit.
  for (let i = 0; i < found.length; i += BATCH) {
    const batch = found.slice(i, i + BATCH).map(([path, id]) => describe(path, id));
    for (const a of await Promise.all(batch)) if (a !== null) archives.push(a);
  }
  return archives;
}
