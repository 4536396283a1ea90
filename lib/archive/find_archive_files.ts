// Lists the archive JSON files under a target folder (recursive; skips .dce-meta/, .dce-temp/ and
// symlinked folders, so a link cannot lead the walk outside the folder or into a loop).
import { join } from "node:path";

/** `*.json` files under `dir`, sorted; an absent `dir` gives []. */
export async function findArchiveFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
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
      } else if (entry.name.endsWith(".json") && (entry.isFile || entry.isSymlink)) {
        found.push(path);
      }
    }
  };
  await walk(dir);
  return found.sort();
}

/** The channel id of a seeded archive name (`… [<16–22 digits>].json`), else null. */
export function seededChannelId(path: string): string | null {
  const m = /\[([0-9]{16,22})\]\.json$/.exec(path);
  return m ? m[1]! : null;
}
