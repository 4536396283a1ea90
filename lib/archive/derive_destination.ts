// Names a new channel archive from an export's header (docs/archive.md#file-names), checks it stays inside the target, maps it.
import { join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { archiveFileName } from "./archive_file_name.ts";
import { recordMapping } from "./channel_map.ts";
import { readExportHeader } from "./export_header.ts";
import { isWithinRoot } from "../fs/path_within_root.ts";

export async function deriveDestination(
  outputDir: string,
  channelId: string,
  exportPath: string,
): Promise<string> {
  const header = await readExportHeader(exportPath);
  const name = archiveFileName(
    header.guild.name,
    typeof header.channel.category === "string" ? header.channel.category : null,
    typeof header.channel.name === "string" ? header.channel.name : null,
    channelId,
  );
  const path = join(outputDir, name);
  if (!(await isWithinRoot(path, outputDir))) {
    throw new UserError(
      `Derived destination '${path}' for channel ${channelId} is outside target root '${outputDir}'.`,
    );
  }
  await recordMapping(outputDir, channelId, path);
  return path;
}
