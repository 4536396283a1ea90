// Finds archive files under a target folder and the channel ids their names carry (`… [<id>].json`, docs/archive.md#seeded-archives).
import { findArchiveFiles, seededChannelId } from "./find_archive_files.ts";

export interface SeededArchive {
  channelId: string;
  path: string;
}

/**
 * Every regular `*.json` file below `dir` (recursive, not following symlinks) whose name ends with
 * `[<16–22 digits>].json`, skipping `.dce-meta` and `.dce-temp`. Missing `dir` → none.
 */
export async function findSeededArchives(dir: string): Promise<SeededArchive[]> {
  const found: SeededArchive[] = [];
  for (const path of await findArchiveFiles(dir, { includeSymlinks: false })) {
    const channelId = seededChannelId(path);
    if (channelId !== null) found.push({ channelId, path });
  }
  return found.sort((a, b) => a.path.localeCompare(b.path));
}
