// Lists the archive JSON files under a target folder (recursive; skips .dce-meta/, .dce-temp/ and
// symlinked folders, so a link cannot lead the walk outside the folder or into a loop).
import { join } from "node:path";
import { operatorIoError } from "../fs/io_error.ts";

export interface FindArchiveFilesOptions {
  /**
   * Also list `*.json` symlinks (default true: the audit and the snapshot report them). The scrape
   * core passes false: it maps and merges into regular files only.
   */
  includeSymlinks?: boolean;
}

/** `*.json` files under `dir`, sorted; an absent `dir` gives []. */
export async function findArchiveFiles(
  dir: string,
  opts: FindArchiveFilesOptions = {},
): Promise<string[]> {
  const includeSymlinks = opts.includeSymlinks ?? true;
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(folder));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw operatorIoError(err, "list the folder", folder);
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory) {
        if (entry.name === ".dce-meta" || entry.name === ".dce-temp") continue;
        await walk(path);
      } else if (
        entry.name.endsWith(".json") && (entry.isFile || (includeSymlinks && entry.isSymlink))
      ) {
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
