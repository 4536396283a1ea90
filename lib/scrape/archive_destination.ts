// Where a channel's archive lives (§8.4): mapped path, else the one `[<id>].json` file, else a derived name.
import { basename, join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { ArchiveError } from "../archive/archive_error.ts";
import { readExportHeader } from "../archive/export_header.ts";
import { isLexicallyWithin, isPhysicallyWithin } from "../config/path_within_root.ts";
import { channelMapPath, readChannelMap, recordMapping, writeChannelMap } from "./channel_map.ts";
import { findSeededArchives } from "./seeded_archives.ts";

async function within(path: string, root: string): Promise<boolean> {
  return isLexicallyWithin(path, root) && (await isPhysicallyWithin(path, root));
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.lstat(path)).isFile;
  } catch {
    return false;
  }
}

/** The header of an existing archive, with the bash core's messages for the two ways it can be wrong. */
async function checkArchive(path: string, channelId: string): Promise<void> {
  let header;
  try {
    header = await readExportHeader(path);
  } catch (err) {
    if (err instanceof ArchiveError) {
      throw new UserError(`Existing export is not valid JSON: ${path} (${err.message})`);
    }
    throw err;
  }
  if (!header.channel.id) throw new UserError(`Export '${path}' is missing channel.id metadata.`);
  if (header.channel.id !== channelId) {
    throw new UserError(
      `Export '${path}' belongs to channel '${header.channel.id}', expected '${channelId}'.`,
    );
  }
}

/** All files below outputDir whose name contains `[<id>].json` (not in .dce-meta / .dce-temp). */
async function candidates(outputDir: string, channelId: string): Promise<string[]> {
  const needle = `[${channelId}].json`;
  const found: string[] = [];
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
      if (entry.isDirectory && entry.name !== ".dce-meta" && entry.name !== ".dce-temp") {
        await walk(path);
      } else if (entry.isFile && entry.name.includes(needle) && entry.name.endsWith(".json")) {
        found.push(path);
      }
    }
  }
  await walk(outputDir);
  return found.sort();
}

export async function resolveDestination(
  outputDir: string,
  channelId: string,
): Promise<string | null> {
  const map = await readChannelMap(outputDir);
  const mapped = map[channelId];
  if (mapped !== undefined) {
    if (!(await within(mapped, outputDir))) {
      throw new UserError(
        `Mapped destination '${mapped}' for channel ${channelId} is outside target root '${outputDir}'.`,
      );
    }
    if (await isFile(mapped)) await checkArchive(mapped, channelId);
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

/** §6 naming: CR/LF and control chars → space, runs of / or \ → _, whitespace collapsed, trimmed. */
export function sanitizeNamePart(part: string | null | undefined): string {
  return (part ?? "")
    .replace(/[\r\n]/g, " ")
    .replace(/[/\\]+/g, "_")
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** `<Guild> - <Category> - <Channel> [<id>].json`, kept under the 255-byte file-name limit. */
export function archiveFileName(
  guild: string | null | undefined,
  category: string | null | undefined,
  channel: string | null | undefined,
  channelId: string,
): string {
  const suffix = ` [${channelId}].json`;
  let base = [guild, category, channel].map(sanitizeNamePart).filter((p) => p !== "").join(" - ");
  if (base === "") base = "channel";
  const encoder = new TextEncoder();
  while (encoder.encode(base + suffix).length > 255) {
    base = [...base].slice(0, -1).join("").trimEnd();
  }
  return base + suffix;
}

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
  if (!(await within(path, outputDir))) {
    throw new UserError(
      `Derived destination '${path}' for channel ${channelId} is outside target root '${outputDir}'.`,
    );
  }
  await recordMapping(outputDir, channelId, path);
  return path;
}

/** Maps seeded archives not yet in the map (§8.4 bootstrap); returns how many entries were added. */
export async function bootstrapChannelMap(
  outputDir: string,
  log: (line: string) => void,
): Promise<number> {
  const map = await readChannelMap(outputDir);
  let added = 0;
  for (const seeded of await findSeededArchives(outputDir)) {
    if (map[seeded.channelId] !== undefined) continue;
    if (!(await within(seeded.path, outputDir))) continue;
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
