// Where a channel's archive lives (docs/archive.md#the-channel-map): mapped path, else the one `[<id>].json` file (a new one is
// named by derive_destination.ts).
import { basename } from "node:path";
import { UserError } from "../cli/errors.ts";
import { ArchiveError, existingArchiveError } from "./archive_error.ts";
import { channelMapPath, readChannelMap, recordMapping } from "./channel_map.ts";
import { readExportHeader } from "./export_header.ts";
import { findArchiveFiles } from "./find_archive_files.ts";
import { isWithinRoot } from "../fs/path_within_root.ts";
import { isFile } from "../fs/file_predicates.ts";

/** The header of an existing archive, with the bash core's messages for the two ways it can be wrong. */
async function checkArchive(path: string, channelId: string): Promise<void> {
  let header;
  try {
    header = await readExportHeader(path);
  } catch (err) {
    if (err instanceof ArchiveError) throw existingArchiveError(path, err);
    throw err;
  }
  if (!header.channel.id) throw new UserError(`Export '${path}' is missing channel.id metadata.`);
  if (header.channel.id !== channelId) {
    throw new UserError(
      `Export '${path}' belongs to channel '${header.channel.id}', expected '${channelId}'.`,
    );
  }
}

/** Regular files below outputDir whose name contains `[<id>].json` (not in .dce-meta / .dce-temp). */
async function candidates(outputDir: string, channelId: string): Promise<string[]> {
  const needle = `[${channelId}].json`;
  const files = await findArchiveFiles(outputDir, { includeSymlinks: false });
  return files.filter((path) => basename(path).includes(needle));
}

export async function resolveDestination(
  outputDir: string,
  channelId: string,
): Promise<string | null> {
  const map = await readChannelMap(outputDir);
  const mapped = map[channelId];
  if (mapped !== undefined) {
    if (!(await isWithinRoot(mapped, outputDir))) {
      throw new UserError(
        `Mapped destination '${mapped}' for channel ${channelId} is outside target root '${outputDir}'.`,
      );
    }
    if (await isFile(mapped, { follow: false })) await checkArchive(mapped, channelId);
    return mapped;
  }
  const found = await candidates(outputDir, channelId);
  if (found.length > 1) {
    throw new UserError(
      `Found multiple existing JSON exports for channel ${channelId} under ${outputDir}; add an explicit mapping in ${
        channelMapPath(outputDir)
      }.`,
    );
  }
  const only = found[0];
  if (only === undefined) return null;
  await checkArchive(only, channelId);
  await recordMapping(outputDir, channelId, only);
  return only;
}
