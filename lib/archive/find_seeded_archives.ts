// Finds archive files under a target folder and the channel ids their names carry (`… [<id>].json`, §6).
import { join } from "node:path";

const SEEDED_NAME = /\[([0-9]{16,22})\]\.json$/;

export interface SeededArchive {
  channelId: string;
  path: string;
}

/**
 * Every `*.json` below `dir` (recursive, not following symlinked folders) whose name ends with
 * `[<16–22 digits>].json`, skipping `.dce-meta` and `.dce-temp`. Missing `dir` → none.
 */
export async function findSeededArchives(dir: string): Promise<SeededArchive[]> {
  const found: SeededArchive[] = [];
  async function walk(folder: string): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(folder));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw err;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory) {
        if (entry.name === ".dce-meta" || entry.name === ".dce-temp") continue;
        await walk(path);
      } else if (entry.isFile) {
        const m = SEEDED_NAME.exec(entry.name);
        if (m) found.push({ channelId: m[1] as string, path });
      }
    }
  }
  await walk(dir);
  return found.sort((a, b) => a.path.localeCompare(b.path));
}
