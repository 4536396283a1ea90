// An existing archive's header label, message count and cursor (largest valid id, docs/archive.md#the-cursor): from its
// record when the record still matches the file (a few KB read), else one streaming pass that
// rewrites the record.
import { UserError } from "../cli/errors.ts";
import { ArchiveError, existingArchiveError } from "../archive/archive_error.ts";
import { ExportReader } from "../archive/export_reader.ts";
import { guildLabel, headerFromFields } from "../archive/export_header.ts";
import { CursorTracker, type IgnoredIds } from "../archive/cursor_tracker.ts";
import { snowflakeProblem } from "../archive/snowflake.ts";
import { tryWriteRecord, validRecord } from "../archive/archive_record.ts";
import { rollBackInterruptedAppend } from "../archive/archive_journal.ts";

export interface ArchiveStats {
  channelId: string;
  guildLabel: string;
  count: number;
  /** The `--after` cursor: the numerically largest message id, or null when there are none. */
  maxId: string | null;
  /** Ids that are not valid snowflakes, left out of the cursor (reported by the caller). */
  ignoredIds: IgnoredIds | null;
}

/**
 * The caller holds the archive-root lock: a journal left by an interrupted append is rolled back
 * first (`log` says so). A record's cursor passes the same snowflake check as the full read's; an
 * archive holding ids the check refuses gets no record, so every run reads it and warns.
 * An unreadable/invalid file is the bash core's "not valid JSON" error.
 */
export async function archiveStats(
  path: string,
  channelId: string,
  now: Date,
  log: (line: string) => void = () => {},
): Promise<ArchiveStats> {
  await rollBackInterruptedAppend(path, log);
  const record = await validRecord(path);
  if (
    record !== null && record.channelId === channelId &&
    (record.maxId === null || snowflakeProblem(record.maxId, now) === null)
  ) {
    const { guildLabel, count, maxId } = record;
    return { channelId, guildLabel, count, maxId, ignoredIds: null };
  }
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
    const stats = { channelId, guildLabel: guildLabel(header), count: reader.count, maxId };
    if (ignoredIds === null) await tryWriteRecord(path, { ...stats, ours: false });
    return { ...stats, ignoredIds };
  } catch (err) {
    if (err instanceof ArchiveError) throw existingArchiveError(path, err);
    throw err;
  }
}
