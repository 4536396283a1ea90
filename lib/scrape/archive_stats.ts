// One streaming pass over an existing archive: its header, message count and cursor (largest id, §9.3).
import { UserError } from "../cli/errors.ts";
import { ArchiveError, existingArchiveError } from "../archive/archive_error.ts";
import { ExportReader } from "../archive/export_reader.ts";
import { guildLabel, headerFromFields } from "../archive/export_header.ts";
import { CursorTracker, type IgnoredIds } from "../archive/cursor_tracker.ts";

export interface ArchiveStats {
  channelId: string;
  guildLabel: string;
  count: number;
  /** The `--after` cursor: the numerically largest message id, or null when there are none. */
  maxId: string | null;
  /** Ids that are not valid snowflakes, left out of the cursor (reported by the caller). */
  ignoredIds: IgnoredIds | null;
}

/** Reads the whole archive once; an unreadable/invalid file is the bash core's "not valid JSON" error. */
export async function archiveStats(
  path: string,
  channelId: string,
  now: Date,
): Promise<ArchiveStats> {
  try {
    using reader = await ExportReader.open(path);
    const cursor = new CursorTracker(now);
    for (let m = await reader.next(); m !== null; m = await reader.next()) cursor.offer(m.id);
    await reader.readToEnd();
    const header = headerFromFields(path, reader.fields);
    if (header.channel.id !== channelId) {
      throw new UserError(
        `Export '${path}' belongs to channel '${header.channel.id}', expected '${channelId}'.`,
      );
    }
    const { maxId, ignored: ignoredIds } = cursor;
    return { channelId, guildLabel: guildLabel(header), count: reader.count, maxId, ignoredIds };
  } catch (err) {
    if (err instanceof ArchiveError) throw existingArchiveError(path, err);
    throw err;
  }
}
