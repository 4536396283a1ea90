// Merges an incremental DCE export into a channel archive by message id, streaming, fail-closed.
//
// Normal case: both files are ascending by id, so a single 2-way merge pass writes the result.
// If either file turns out to be out of order or to hold duplicate ids, the pass is abandoned and
// redone through a bounded external sort (duplicates folded with a warning, docs/bash-suite.md#h13-duplicate-ids-fatal).
// Semantics are the same for every file size (docs/bash-suite.md#h10-two-merge-engines): union by id, the export wins on equal ids,
// output ascending by numeric id; header fields from the export, dateRange merged as docs/archive.md#merge says
import { basename, dirname, join } from "node:path";
import { ArchiveError } from "./archive_error.ts";
import {
  commitSiblingTemp,
  createSiblingTemp,
  discardSiblingTemp,
  randomSuffix,
  type SiblingTemp,
  sortTempPrefix,
  sweepSiblingTemps,
} from "./atomic_replace.ts";
import { type ExportHeader, guildLabel, headerFromFields } from "./export_header.ts";
import { ExportReader, type RawMessage, reason } from "./export_reader.ts";
import { type ByteSinkTarget, ExportWriter, NullTarget } from "./export_writer.ts";
import { externallySorted, type SortSource } from "./external_sort.ts";
import { IdSetGuard } from "./id_set_guard.ts";
import { settleInterruptedAppend } from "./archive_journal.ts";
import { tryWriteRecord, validRecord } from "./archive_record.ts";
import { tryTailRewrite } from "./tail_rewrite.ts";
import { mergedHeader, trailingExtras } from "./merged_header.ts";
import { compareIds } from "./snowflake.ts";

export type MergeAction = "CREATED" | "MERGED" | "UNCHANGED";

export interface MergeOptions {
  archivePath: string;
  exportPath: string;
  /** Compute the outcome without writing anything. */
  dryRun?: boolean;
  /**
   * Where a dry run's out-of-order fallback spills its sorted runs, since it must not write beside
   * the archive (the caller's TMPDIR); default /tmp. Real merges spill beside the archive.
   */
  tmpDir?: string;
  /** Called with each warning line as it happens (also collected in the result). */
  warn?: (line: string) => void;
  /** Channel the archive must belong to; defaults to the archive's own channel.id. */
  expectedChannelId?: string;
  /** Spill threshold of the out-of-order fallback (tests make it small). */
  sortRunBytes?: number;
}

export interface MergeResult {
  action: MergeAction;
  /** Message entries in the archive before (0 when it did not exist). */
  before: number;
  /** Message entries in the export. */
  fetched: number;
  /** Messages in the result. */
  after: number;
  delta: number;
  guildLabel: string;
  channelId: string;
  /** Whether the out-of-order/duplicate fallback (external sort) was used. */
  sorted: boolean;
  /** Whether the archive was changed in place (tail rewrite under a journal), not rewritten whole. */
  inPlace?: boolean;
  warnings: string[];
}

class OutOfOrder extends Error {}

/** Reads messages and throws OutOfOrder unless ids strictly ascend. */
class AscendingStream {
  private last: string | null = null;
  constructor(
    private readonly reader: ExportReader,
    private readonly onId?: (id: string) => void,
  ) {}
  async next(): Promise<RawMessage | null> {
    const m = await this.reader.next();
    if (m === null) return null;
    if (this.last !== null && compareIds(m.id, this.last) <= 0) throw new OutOfOrder();
    this.last = m.id;
    this.onId?.(m.id);
    return m;
  }
}

type ArchiveState = { kind: "missing" } | { kind: "file"; mode: number };

async function archiveState(path: string): Promise<ArchiveState> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { kind: "missing" };
    throw new ArchiveError("unreadable", `Cannot inspect archive '${path}': ${reason(err)}.`);
  }
  if (info.isSymlink) {
    throw new ArchiveError(
      "unsafe-path",
      `Archive '${path}' is a symbolic link; refusing to replace it. Point the channel map at the real file.`,
    );
  }
  if (info.isDirectory) {
    throw new ArchiveError("not-dce-export", `Archive '${path}' is a directory, not a JSON file.`);
  }
  if (!info.isFile) {
    throw new ArchiveError("not-dce-export", `Archive '${path}' is not a regular file.`);
  }
  return { kind: "file", mode: (info.mode ?? 0o644) & 0o777 };
}

async function openHeader(path: string): Promise<{ reader: ExportReader; header: ExportHeader }> {
  const reader = await ExportReader.open(path);
  try {
    await reader.readHeader();
    if (reader.messagesOffset < 0) {
      throw new ArchiveError(
        "not-dce-export",
        `'${path}' is not a DCE JSON export: no "messages".`,
      );
    }
    return { reader, header: headerFromFields(path, reader.fields) };
  } catch (err) {
    reader.close();
    throw err;
  }
}

/**
 * Union of archive and export by message id (export wins), ascending by numeric id, committed
 * atomically. Refuses (archive untouched) on a channel mismatch, a truncated or invalid input,
 * or if any archive id would be missing from the result.
 */
export async function mergeExportIntoArchive(opts: MergeOptions): Promise<MergeResult> {
  const { archivePath, exportPath } = opts;
  const warnings: string[] = [];
  const warn = (line: string) => {
    warnings.push(line);
    opts.warn?.(line);
  };
  const state = await archiveState(archivePath);
  if (state.kind === "file") await settleInterruptedAppend(archivePath, opts.dryRun ?? false, warn);
  const exp = await openHeader(exportPath);
  let arch: { reader: ExportReader; header: ExportHeader } | null = null;
  try {
    const exportChannel = exp.header.channel.id;
    if (state.kind === "file") {
      arch = await openHeader(archivePath);
      const archiveChannel = arch.header.channel.id;
      const expected = opts.expectedChannelId ?? archiveChannel;
      if (archiveChannel !== expected) {
        throw new ArchiveError(
          "wrong-channel",
          `Export '${archivePath}' belongs to channel '${archiveChannel}', expected '${expected}'.`,
        );
      }
      if (exportChannel !== expected) {
        throw new ArchiveError(
          "wrong-channel",
          `Export '${exportPath}' belongs to channel '${exportChannel}', expected '${expected}'.`,
        );
      }
    } else if (opts.expectedChannelId !== undefined && exportChannel !== opts.expectedChannelId) {
      throw new ArchiveError(
        "wrong-channel",
        `Export '${exportPath}' belongs to channel '${exportChannel}', expected '${opts.expectedChannelId}'.`,
      );
    }

    const base = {
      guildLabel: guildLabel(exp.header),
      channelId: exportChannel,
      warnings,
    };
    if (!opts.dryRun) await sweepSiblingTemps(archivePath);

    if (!arch) {
      // No archive yet: the export (normalised, sorted) becomes it, atomically (docs/bash-suite.md#h17-non-atomic-salvage).
      const first = await exp.reader.next();
      const out = await writeResult(archivePath, 0o644, opts, async (writer) => {
        const fields = mergedHeader(null, exp.reader.fields);
        try {
          return await orderedCopy(exp.reader, first, fields, writer);
        } catch (err) {
          if (!(err instanceof OutOfOrder)) throw err;
          return null;
        }
      }, async (writer) => {
        warn(`WARN: '${exportPath}' is not in ascending id order (or repeats ids); sorting it.`);
        return await sortedMerge(false, writer, warn, opts);
      });
      if (out.plainIds) await recordCommitted(archivePath, out.after, base);
      return {
        ...base,
        action: "CREATED",
        before: 0,
        fetched: out.fetched,
        after: out.after,
        delta: out.after,
        sorted: out.sorted,
      };
    }

    const first = await exp.reader.next();
    if (first === null) {
      // Nothing new: validate the export to its end, count the archive, touch nothing.
      await exp.reader.readToEnd();
      const record = await validRecord(archivePath);
      if (record === null) await arch.reader.readToEnd();
      const n = record?.count ?? arch.reader.count;
      return {
        ...base,
        action: "UNCHANGED",
        before: n,
        fetched: 0,
        after: n,
        delta: 0,
        sorted: false,
      };
    }

    const record = opts.dryRun ? null : await validRecord(archivePath);
    if (record !== null && record.channelId === exportChannel) {
      const fast = await tryTailRewrite({
        archivePath,
        exportPath,
        record,
        archiveFields: arch.reader.fields,
        archiveMessagesOffset: arch.reader.messagesOffset,
      });
      if (fast !== null) {
        return {
          ...base,
          action: "MERGED",
          before: fast.before,
          fetched: fast.fetched,
          after: fast.after,
          delta: fast.after - fast.before,
          sorted: false,
          inPlace: true,
        };
      }
    }

    const mode = state.kind === "file" ? state.mode : 0o644;
    const archReader = arch.reader;
    const out = await writeResult(archivePath, mode, opts, async (writer) => {
      const fields = mergedHeader(archReader.fields, exp.reader.fields);
      try {
        return await twoWayMerge(archReader, exp.reader, first, fields, writer, archivePath);
      } catch (err) {
        if (!(err instanceof OutOfOrder)) throw err;
        return null;
      }
    }, async (writer) => {
      warn(
        `WARN: '${
          basename(archivePath)
        }' or its export is not in ascending id order (or repeats ids); ` +
          `merging through an external sort.`,
      );
      return await sortedMerge(true, writer, warn, opts);
    });
    if (out.plainIds) await recordCommitted(archivePath, out.after, base);
    return {
      ...base,
      action: "MERGED",
      before: out.before,
      fetched: out.fetched,
      after: out.after,
      delta: out.after - out.before,
      sorted: out.sorted,
    };
  } finally {
    exp.reader.close();
    arch?.reader.close();
  }
}

/**
 * Our writer just committed the archive, all its ids plain: record it, so the next run need not
 * read it. (An archive with other ids gets no record: each run reads it and warns about them.)
 */
async function recordCommitted(
  archivePath: string,
  count: number,
  base: { guildLabel: string; channelId: string },
): Promise<void> {
  await tryWriteRecord(archivePath, {
    count,
    channelId: base.channelId,
    guildLabel: base.guildLabel,
    ours: true,
  });
}

interface Counts {
  before: number;
  fetched: number;
  after: number;
  sorted: boolean;
  /** Every id written is plain (see ExportWriter.plainIds); set by writeResult. */
  plainIds?: boolean;
}

type Producer = (writer: ExportWriter) => Promise<Counts | null>;

/**
 * Runs a producer against a fresh temp beside the archive (or a byte counter on dry runs) and
 * commits it. A producer returning null asks for the fallback producer on a new temp.
 */
async function writeResult(
  archivePath: string,
  mode: number,
  opts: MergeOptions,
  produce: Producer,
  fallback?: Producer,
): Promise<Counts> {
  for (const step of fallback ? [produce, fallback] : [produce]) {
    if (opts.dryRun) {
      let counts;
      try {
        counts = await step(new ExportWriter(new NullTarget()));
      } catch (err) {
        if (err instanceof ArchiveError || isBug(err)) throw err;
        // The only files a dry run writes are the sort runs of an out-of-order export, in TMPDIR.
        throw new ArchiveError(
          "write-failed",
          `Cannot sort the export for the dry run in ${opts.tmpDir || "/tmp"}: ${
            reason(err)
          }. Nothing was written; set TMPDIR to a writable folder and rerun.`,
        );
      }
      if (counts) return counts;
      continue;
    }
    let temp: SiblingTemp;
    try {
      await Deno.mkdir(dirname(archivePath), { recursive: true });
      temp = await createSiblingTemp(archivePath, mode);
      await Deno.chmod(temp.path, mode);
    } catch (err) {
      throw writeFailure(archivePath, err);
    }
    try {
      const writer = new ExportWriter(temp.file as ByteSinkTarget);
      const counts = await step(writer);
      if (!counts) {
        await discardSiblingTemp(temp);
        continue;
      }
      await commitSiblingTemp(temp, archivePath);
      return { ...counts, plainIds: writer.plainIds };
    } catch (err) {
      await discardSiblingTemp(temp);
      if (err instanceof ArchiveError || isBug(err)) throw err;
      throw writeFailure(archivePath, err); // ENOSPC, EIO, EACCES, a vanished folder...
    }
  }
  throw new Error("unreachable: the sorted fallback always produces a result");
}

function isBug(err: unknown): boolean {
  return err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError ||
    err instanceof SyntaxError;
}

function writeFailure(archivePath: string, err: unknown): ArchiveError {
  return new ArchiveError(
    "write-failed",
    `Cannot write the merged archive beside '${archivePath}': ${reason(err)}. ` +
      `The archive was not modified; free space or fix permissions and rerun.`,
  );
}

/** The fast path: both inputs ascending; one pass, guard fed by what is actually read and written. */
async function twoWayMerge(
  archive: ExportReader,
  exp: ExportReader,
  firstExport: RawMessage,
  fields: [string, Uint8Array][],
  writer: ExportWriter,
  archivePath: string,
): Promise<Counts> {
  const guard = new IdSetGuard(archivePath);
  const a = new AscendingStream(archive, (id) => guard.archiveId(id));
  // The export's first message was read already; check order from it on.
  let lastExport = firstExport.id;
  const e = {
    async next(): Promise<RawMessage | null> {
      const m = await exp.next();
      if (m === null) return null;
      if (compareIds(m.id, lastExport) <= 0) throw new OutOfOrder();
      lastExport = m.id;
      return m;
    },
  };
  await writer.begin(fields);
  const write = async (m: RawMessage) => {
    guard.written(m.id);
    await writer.message(m.bytes, m.id);
  };
  let am = await a.next();
  let em: RawMessage | null = firstExport;
  while (am !== null && em !== null) {
    const c = compareIds(am.id, em.id);
    if (c < 0) {
      await write(am);
      am = await a.next();
    } else if (c > 0) {
      await write(em);
      em = await e.next();
    } else {
      await write(em); // equal ids: the export's copy wins
      am = await a.next();
      em = await e.next();
    }
  }
  while (am !== null) {
    await write(am);
    am = await a.next();
  }
  while (em !== null) {
    await write(em);
    em = await e.next();
  }
  guard.finish();
  await archive.readToEnd();
  await exp.readToEnd();
  await writer.end(trailingExtras(fields, archive.fields, exp.fields));
  return { before: archive.count, fetched: exp.count, after: writer.count, sorted: false };
}

/**
 * The fallback, from scratch on fresh readers (of the export, and of the archive when `withArchive`):
 * any order, duplicates folded (last copy wins; the export beats the archive).
 */
async function sortedMerge(
  withArchive: boolean,
  writer: ExportWriter,
  warn: (line: string) => void,
  opts: MergeOptions,
): Promise<Counts> {
  const { archivePath, exportPath } = opts;
  using a2 = withArchive ? await ExportReader.open(archivePath) : null;
  using e2 = await ExportReader.open(exportPath);
  await a2?.readHeader();
  await e2.readHeader();
  const fields = mergedHeader(a2?.fields ?? null, e2.fields);
  const readers = a2 ? [a2, e2] : [e2];
  const sources: SortSource[] = readers.map((r) => ({
    rank: r === e2 ? 1 : 0,
    next: () => r.next(),
  }));
  const guard = new IdSetGuard(archivePath);
  const workDir = join(dirname(archivePath), sortTempPrefix(archivePath) + randomSuffix());
  const dupes = [0, 0];
  let before = 0;
  let fetched = 0;
  await writer.begin(fields);
  let held: { id: string; rank: number; bytes: Uint8Array } | null = null;
  const flush = async () => {
    if (!held) return;
    guard.written(held.id);
    await writer.message(held.bytes, held.id);
  };
  const dir = opts.dryRun ? join(opts.tmpDir || "/tmp", basename(workDir)) : workDir;
  for await (const rec of externallySorted(sources, dir, opts.sortRunBytes)) {
    if (rec.rank === 0) {
      before++;
      guard.archiveId(rec.id);
    } else {
      fetched++;
    }
    if (held && compareIds(held.id, rec.id) === 0) {
      if (held.rank === rec.rank) dupes[rec.rank]!++;
      held = rec; // sorted by (id, rank, seq): the later record wins
      continue;
    }
    await flush();
    held = rec;
  }
  await flush();
  guard.finish();
  for (const r of readers) await r.readToEnd();
  await writer.end(trailingExtras(fields, ...readers.map((r) => r.fields)));
  const names = [archivePath, exportPath];
  for (const rank of [0, 1]) {
    if (dupes[rank]! > 0) {
      warn(
        `WARN: folded ${dupes[rank]} duplicate message id(s) in '${
          names[rank]
        }' (kept the last copy).`,
      );
    }
  }
  return { before, fetched, after: writer.count, sorted: true };
}

/** CREATED fast path: an ascending export copied through in DCE layout; OutOfOrder otherwise. */
async function orderedCopy(
  reader: ExportReader,
  first: RawMessage | null,
  fields: [string, Uint8Array][],
  writer: ExportWriter,
): Promise<Counts> {
  await writer.begin(fields);
  let last: string | null = null;
  for (let m = first; m !== null; m = await reader.next()) {
    if (last !== null && compareIds(m.id, last) <= 0) throw new OutOfOrder();
    last = m.id;
    await writer.message(m.bytes, m.id);
  }
  await reader.readToEnd();
  await writer.end(trailingExtras(fields, reader.fields));
  return { before: 0, fetched: reader.count, after: writer.count, sorted: false };
}
