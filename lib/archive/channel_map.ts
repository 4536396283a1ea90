// `.dce-meta/channel-map.json` (docs/archive.md#the-channel-map): channel id → absolute archive path, rewritten atomically.
import { join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { operatorIoError } from "../fs/io_error.ts";
import { syncDir } from "./atomic_replace.ts";
import { writeAll } from "../fs/write_all.ts";
import { readSmallTextFile, SIZE_CAP } from "../fs/read_small_file.ts";
import { NotFollowedError, refuseLinkedFolder } from "../fs/no_follow.ts";

export function channelMapPath(outputDir: string): string {
  return join(outputDir, ".dce-meta", "channel-map.json");
}

export async function readChannelMap(outputDir: string): Promise<Record<string, string>> {
  const path = channelMapPath(outputDir);
  let text: string;
  try {
    text = await readSmallTextFile(path, { what: "Channel map", maxBytes: SIZE_CAP.data });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return {};
    const known = operatorIoError(err, "read channel map", path);
    throw known instanceof UserError
      ? known
      : new UserError(`Cannot read channel map ${path}: ${(err as Error).message}.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = null;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new UserError(
      `Channel map ${path} is not a JSON object of channel id → archive path; fix it, or move it away to rebuild it from archive file names.`,
    );
  }
  const map: Record<string, string> = {};
  for (const [id, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== "string") {
      throw new UserError(`Channel map ${path}: entry '${id}' is not a path string.`);
    }
    map[id] = value;
  }
  return map;
}

/**
 * Temp file in `.dce-meta`, fsync, rename over the map (mode 644), fsync the folder: a crash leaves
 * the old map or the new one, never an empty or half-written one (which would stop every run).
 */
export async function writeChannelMap(
  outputDir: string,
  map: Record<string, string>,
): Promise<void> {
  const dir = join(outputDir, ".dce-meta");
  const sorted = Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
  let tmp: string | undefined;
  try {
    await Deno.mkdir(dir, { recursive: true });
    await refuseLinkedFolder(dir); // never written through a link (docs/guarantees.md)
    tmp = await Deno.makeTempFile({ dir, prefix: "channel-map." });
    {
      using file = await Deno.open(tmp, { write: true, truncate: true });
      await writeAll(file, new TextEncoder().encode(JSON.stringify(sorted, null, 2) + "\n"));
      await file.sync();
    }
    await Deno.chmod(tmp, 0o644);
    await Deno.rename(tmp, channelMapPath(outputDir));
    await syncDir(dir);
  } catch (err) {
    if (tmp !== undefined) await Deno.remove(tmp).catch(() => {});
    if (err instanceof NotFollowedError) throw err;
    // A full disk or a permission problem is the operator's to fix, not a crash with a stack.
    throw new UserError(
      `Cannot write channel map ${channelMapPath(outputDir)}: ${
        (err as Error).message
      }. Free space or fix permissions and rerun.`,
    );
  }
}

export async function recordMapping(
  outputDir: string,
  channelId: string,
  path: string,
): Promise<void> {
  const map = await readChannelMap(outputDir);
  if (map[channelId] === path) return;
  map[channelId] = path;
  await writeChannelMap(outputDir, map);
}
