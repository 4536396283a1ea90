// Seeds the channel map from archives already in the target folder (the first run's seeding, docs/archive.md#the-channel-map).
import { basename } from "node:path";
import { ArchiveError } from "./archive_error.ts";
import { readChannelMap, writeChannelMap } from "./channel_map.ts";
import { readExportHeader } from "./export_header.ts";
import { findSeededArchives } from "./find_seeded_archives.ts";
import { isWithinRoot } from "../fs/path_within_root.ts";

/** Maps seeded archives not yet in the map (the first run's seeding, docs/archive.md#the-channel-map); returns how many entries were added. */
export async function bootstrapChannelMap(
  outputDir: string,
  log: (line: string) => void,
): Promise<number> {
  const map = await readChannelMap(outputDir);
  let added = 0;
  for (const seeded of await findSeededArchives(outputDir)) {
    if (map[seeded.channelId] !== undefined) continue;
    if (!(await isWithinRoot(seeded.path, outputDir))) continue;
    let id: string;
    try {
      id = (await readExportHeader(seeded.path)).channel.id;
    } catch (err) {
      if (err instanceof ArchiveError) continue; // invalid JSON: resolution reports it when used
      throw err;
    }
    if (id !== seeded.channelId) {
      log(
        `Skipping bootstrap for '${
          basename(seeded.path)
        }': filename channel id ${seeded.channelId} does not match export metadata (${id}).`,
      );
      continue;
    }
    map[seeded.channelId] = seeded.path;
    added++;
  }
  if (added > 0) await writeChannelMap(outputDir, map);
  return added;
}
