// The rollback journal `.<name>.dce-journal` of an archive changed in place (docs/archive.md#the-journal):
// the bytes about to be overwritten and the original length, durable before the first write, so an
// interrupted change is undone by the next tool that opens the archive under the lock.
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { ArchiveError } from "./archive_error.ts";
import { syncDir } from "./atomic_replace.ts";
import { concatBytes } from "./export_writer.ts";
import { reason } from "./export_reader.ts";
import { writeAllAt } from "../fs/file_at.ts";

export interface JournalRegion {
  offset: number;
  bytes: Uint8Array;
}

interface JournalHead {
  v: 1;
  /** The archive's length before the change. */
  length: number;
  /** [offset, length] of each saved region, in payload order. */
  regions: [number, number][];
  sha256: string;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function journalPath(archivePath: string): string {
  return join(dirname(archivePath), `.${basename(archivePath)}.dce-journal`);
}

/**
 * Writes the journal (refusing to replace one), fsyncs it and its folder. Only after this returns
 * may the archive be touched. On a failure the partial journal is removed.
 */
export async function writeJournal(
  archivePath: string,
  originalLength: number,
  regions: readonly JournalRegion[],
): Promise<void> {
  const path = journalPath(archivePath);
  const payload = concatBytes(regions.map((r) => r.bytes));
  const head: JournalHead = {
    v: 1,
    length: originalLength,
    regions: regions.map((r) => [r.offset, r.bytes.length]),
    sha256: sha256(payload),
  };
  const file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
  try {
    const headLine = new TextEncoder().encode(JSON.stringify(head) + "\n");
    await writeAllAt(file, 0, headLine);
    await writeAllAt(file, headLine.length, payload);
    await file.sync();
    file.close();
    await syncDir(dirname(path));
  } catch (err) {
    try {
      file.close();
    } catch { /* closed */ }
    await Deno.remove(path).catch(() => {});
    throw err;
  }
}

/** The change is durable (archive fsynced): the journal goes, and its removal is made durable. */
export async function removeJournal(archivePath: string): Promise<void> {
  await Deno.remove(journalPath(archivePath));
  await syncDir(dirname(archivePath));
}

/** The journal's head and payload, or null when it is incomplete (cut off while being written). */
async function readJournal(
  path: string,
): Promise<{ head: JournalHead; payload: Uint8Array } | null> {
  const bytes = await Deno.readFile(path);
  const nl = bytes.indexOf(0x0a);
  if (nl < 0) return null;
  let head: JournalHead;
  try {
    head = JSON.parse(new TextDecoder().decode(bytes.subarray(0, nl)));
  } catch {
    return null;
  }
  if (head?.v !== 1 || !Array.isArray(head.regions) || typeof head.length !== "number") return null;
  const payload = bytes.subarray(nl + 1);
  const expected = head.regions.reduce((n, [, len]) => n + len, 0);
  if (payload.length !== expected || (sha256(payload)) !== head.sha256) return null;
  return { head, payload };
}

/**
 * Undoes an interrupted in-place change of `archivePath`, if its journal is there: the saved bytes
 * go back, the file is cut to its old length and fsynced, then the journal is removed. Idempotent,
 * so a crash during the rollback is undone by the next one. A journal cut off while being written
 * means the archive was never touched: it is just removed. The caller holds the archive-root lock.
 * Returns whether a journal was found.
 */
export async function rollBackInterruptedAppend(
  archivePath: string,
  log: (line: string) => void,
): Promise<boolean> {
  const path = journalPath(archivePath);
  try {
    await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw journalFailure(archivePath, err);
  }
  try {
    const journal = await readJournal(path);
    if (journal === null) {
      await Deno.remove(path);
      await syncDir(dirname(path));
      log(
        `NOTE: removed the incomplete journal of '${archivePath}': the interrupted run had not changed the archive yet.`,
      );
      return true;
    }
    using file = await Deno.open(archivePath, { read: true, write: true });
    let off = 0;
    for (const [offset, length] of journal.head.regions) {
      await writeAllAt(file, offset, journal.payload.subarray(off, off + length));
      off += length;
    }
    await file.truncate(journal.head.length);
    await file.sync();
    await removeJournal(archivePath);
  } catch (err) {
    throw journalFailure(archivePath, err);
  }
  log(
    `NOTE: rolled back an interrupted append to '${archivePath}' from its journal; the archive is as it was before that run.`,
  );
  return true;
}

/**
 * Before a tool reads or changes an archive: a real run (under the lock) rolls a leftover journal
 * back and says so; a dry run cannot, and refuses rather than read a half-written archive.
 */
export async function settleInterruptedAppend(
  archivePath: string,
  dryRun: boolean,
  log: (line: string) => void,
): Promise<void> {
  if (!dryRun) {
    await rollBackInterruptedAppend(archivePath, log);
    return;
  }
  if (await Deno.lstat(journalPath(archivePath)).then(() => true, () => false)) {
    throw new ArchiveError(
      "write-failed",
      `'${archivePath}' has the journal of an interrupted append ('${
        journalPath(archivePath)
      }'); run without --dry-run (or the scrape) to roll it back first.`,
    );
  }
}

function journalFailure(archivePath: string, err: unknown): ArchiveError {
  const missing = err instanceof Deno.errors.NotFound;
  return new ArchiveError(
    "write-failed",
    missing
      ? `The journal '${
        journalPath(archivePath)
      }' of an interrupted append has no archive beside it; restore '${archivePath}', or remove the journal if the archive was removed on purpose.`
      : `Cannot roll back the interrupted append to '${archivePath}': ${
        reason(err)
      }. The journal '${journalPath(archivePath)}' is kept; fix the cause and rerun.`,
  );
}
