// The merge's fast path: rewrite only the archive's tail, in place, under a rollback journal
// (docs/archive.md#tail-rewrite-or-full-rewrite). An append is the case where the tail is empty. It
// runs only on an archive our writer produced and whose record still matches it, so the bytes it
// writes are the ones the full rewrite would write; when that cannot be shown, it declines (null).
import { ArchiveError } from "./archive_error.ts";
import { type ArchiveRecord, forgetRecord, writeRecord } from "./archive_record.ts";
import { removeJournal, rollBackInterruptedAppend, writeJournal } from "./archive_journal.ts";
import { readAt, writeAllAt } from "../fs/file_at.ts";
import { guildLabel, headerFromFields } from "./export_header.ts";
import { ExportReader, type RawField, type RawMessage, reason } from "./export_reader.ts";
import {
  closingBytes,
  concatBytes,
  headerBytes,
  MESSAGE_NEXT,
  MESSAGES_OPEN,
  PLAIN_ID,
} from "./export_writer.ts";
import { mergedHeader } from "./merged_header.ts";
import { compareIds } from "./snowflake.ts";

/** An export bigger than this is merged by the full rewrite (the fast path holds it in memory). */
const MAX_EXPORT_BYTES = 64 << 20;
/** How far back from the end the rewrite point is looked for before declining. */
const MAX_TAIL_BYTES = 256 << 20;
const FIRST_WINDOW = 64 * 1024;

export interface TailRewriteInput {
  archivePath: string;
  exportPath: string;
  record: ArchiveRecord;
  /** The archive's header fields and where its messages array starts (from its reader). */
  archiveFields: Map<string, RawField>;
  archiveMessagesOffset: number;
}

export interface TailRewriteResult {
  before: number;
  fetched: number;
  after: number;
}

/** The export's messages, when they ascend strictly, fit in memory and nothing follows the array. */
async function readAscendingExport(
  path: string,
): Promise<{ fields: Map<string, RawField>; messages: RawMessage[] } | null> {
  using reader = await ExportReader.open(path);
  await reader.readHeader();
  const fields = new Map(reader.fields);
  const messages: RawMessage[] = [];
  let bytes = 0;
  for (let m = await reader.next(); m !== null; m = await reader.next()) {
    const last = messages.at(-1);
    if (last && compareIds(m.id, last.id) <= 0) return null;
    bytes += m.bytes.length;
    if (bytes > MAX_EXPORT_BYTES) return null;
    messages.push(m);
  }
  await reader.readToEnd();
  for (const key of reader.fields.keys()) {
    if (!fields.has(key) && key !== "messageCount") return null; // a foreign trailing field
  }
  return { fields, messages };
}

const latin1 = new TextDecoder("latin1"); // one character per byte: string index = byte offset
/** `,` + a message's first line + its id line, in DCE layout (strings hold no raw newline). */
const MESSAGE_START = /,\n {4}\{\n {6}"id": "([0-9]{1,30})"/g;

interface Tail {
  /** Where the rewrite starts: the `,` before the first message it replaces, or the closing. */
  point: number;
  /** The archive messages from `point` on (ids at or above the export's smallest). */
  messages: RawMessage[];
  /** The old bytes from `point` to the end. */
  oldBytes: Uint8Array;
}

/**
 * Finds the rewrite point for an export whose smallest id is `fromId`, reading back from the end
 * in growing windows; null when it would reach the first message (a full rewrite then).
 */
async function findTail(
  file: Deno.FsFile,
  size: number,
  closingLength: number,
  headerEnd: number,
  fromId: string,
): Promise<Tail | null> {
  const closing = size - closingLength;
  for (let window = FIRST_WINDOW;; window *= 4) {
    const start = Math.max(headerEnd, size - window);
    const bytes = await readAt(file, start, size - start);
    if (bytes.length !== size - start) return null; // shorter than its record: not ours to patch
    const text = latin1.decode(bytes.subarray(0, closing - start));
    const starts = [...text.matchAll(MESSAGE_START)].map((m) => ({ at: m.index!, id: m[1]! }));
    let k = starts.length;
    while (k > 0 && compareIds(starts[k - 1]!.id, fromId) >= 0) k--;
    // starts[k-1] is below fromId: the rewrite begins at starts[k] (or at the closing).
    // With none below it in this window, read further back; at the first message, decline.
    if (k > 0) {
      const point = k < starts.length ? starts[k]!.at : closing - start;
      const messages: RawMessage[] = [];
      for (let i = k; i < starts.length; i++) {
        const end = i + 1 < starts.length ? starts[i + 1]!.at : closing - start;
        messages.push({ id: starts[i]!.id, bytes: bytes.slice(starts[i]!.at + 6, end) });
      }
      return { point: start + point, messages, oldBytes: bytes.slice(point) };
    }
    if (start === headerEnd || window >= MAX_TAIL_BYTES) return null;
  }
}

/** Union by id of two ascending lists, `newer` winning on equal ids. */
function mergeById(older: RawMessage[], newer: RawMessage[]): RawMessage[] {
  const out: RawMessage[] = [];
  let i = 0;
  let j = 0;
  while (i < older.length || j < newer.length) {
    const c = i >= older.length
      ? 1
      : j >= newer.length
      ? -1
      : compareIds(older[i]!.id, newer[j]!.id);
    if (c < 0) out.push(older[i++]!);
    else {
      if (c === 0) i++;
      out.push(newer[j++]!);
    }
  }
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Merges the export into the archive by rewriting its header in place and its bytes from the
 * first message the export reaches on, under a journal. Null when the full rewrite must run.
 */
export async function tryTailRewrite(input: TailRewriteInput): Promise<TailRewriteResult | null> {
  const { archivePath, record } = input;
  if (!record.ours || record.count === 0) return null;
  const exp = await readAscendingExport(input.exportPath);
  if (exp === null || exp.messages.length === 0) return null;
  const headerEnd = input.archiveMessagesOffset - MESSAGES_OPEN.length;
  const fields = mergedHeader(input.archiveFields, exp.fields);
  const newHeader = headerBytes(fields);
  if (newHeader.length !== headerEnd) return null; // the header outgrew its reserve

  using file = await Deno.open(archivePath, { read: true, write: true });
  const size = record.size;
  const oldHeader = await readAt(file, 0, headerEnd + MESSAGES_OPEN.length);
  if (!equalBytes(oldHeader.subarray(headerEnd), MESSAGES_OPEN)) return null;
  const oldClosing = closingBytes(record.count);
  const tail = await findTail(file, size, oldClosing.length, headerEnd, exp.messages[0]!.id);
  if (tail === null) return null;
  if (!equalBytes(tail.oldBytes.subarray(tail.oldBytes.length - oldClosing.length), oldClosing)) {
    return null;
  }
  const merged = mergeById(tail.messages, exp.messages);
  const after = record.count - tail.messages.length + merged.length;
  const newTail = concatBytes([
    ...merged.flatMap((m) => [MESSAGE_NEXT, m.bytes]),
    closingBytes(after),
  ]);
  const headerChanged = !equalBytes(oldHeader.subarray(0, headerEnd), newHeader);

  const regions = [
    ...(headerChanged ? [{ offset: 0, bytes: oldHeader.subarray(0, headerEnd) }] : []),
    { offset: tail.point, bytes: tail.oldBytes },
  ];
  try {
    await writeJournal(archivePath, size, regions);
  } catch (err) {
    throw appendFailure(archivePath, err, "the archive was not modified");
  }
  try {
    await forgetRecord(archivePath);
    if (headerChanged) await writeAllAt(file, 0, newHeader);
    await writeAllAt(file, tail.point, newTail);
    const newSize = tail.point + newTail.length;
    if (newSize < size) await file.truncate(newSize);
    await file.sync();
    await removeJournal(archivePath);
  } catch (err) {
    try {
      await rollBackInterruptedAppend(archivePath, () => {});
    } catch {
      throw appendFailure(
        archivePath,
        err,
        "rolling back failed too; the journal is kept and the next run rolls it back",
      );
    }
    throw appendFailure(archivePath, err, "rolled back, the archive is as it was");
  }
  const header = headerFromFields(input.exportPath, exp.fields); // the export's guild wins
  // The old part was recorded, so its ids are plain; the rewritten part is checked here.
  if (merged.every((m) => PLAIN_ID.test(m.id))) {
    await writeRecord(archivePath, {
      count: after,
      channelId: record.channelId,
      guildLabel: guildLabel(header),
      ours: true,
    }).catch(() => {});
  }
  return { before: record.count, fetched: exp.messages.length, after };
}

function appendFailure(archivePath: string, err: unknown, outcome: string): ArchiveError {
  return new ArchiveError(
    "write-failed",
    `Cannot append to '${archivePath}': ${
      reason(err)
    }; ${outcome}. Free space or fix permissions and rerun.`,
  );
}
