// Repairs a DCE export cut off mid-write: keeps every complete message, drops the partial one,
// closes the array and the document and sets messageCount. Works from the END of the file for
// indented layouts (LF or CRLF, any indent width), so time and memory barely depend on its size;
// minified or odd files fall back to one forward streaming pass.
import { ArchiveError } from "./archive_error.ts";
import {
  commitSiblingTemp,
  createSiblingTemp,
  discardSiblingTemp,
  sweepSiblingTemps,
} from "./atomic_replace.ts";
import { DceJsonScanner, ScanError, type ScanSink } from "./dce_json_scanner.ts";
import { ExportReader, reason } from "./export_reader.ts";

export type RepairStatus = "already-valid" | "repaired" | "unrepairable";

export interface RepairResult {
  status: RepairStatus;
  /** Complete messages in the (repaired or valid) file. */
  kept: number;
  oldBytes: number;
  newBytes: number;
  /** Why the file could not be repaired (status "unrepairable"). */
  reason?: string;
  /** Where the original bytes were preserved, when a backup was asked for and made. */
  backupPath?: string;
}

export interface RepairOptions {
  dryRun?: boolean;
  /** Keep the original bytes here (a hard link to the old inode, else a copy) before replacing. */
  backupPath?: string;
  /** Check everything before the cut with a forward pass (see planRepair). */
  verify?: boolean;
}

const NL = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const RBRACE = 0x7d;
const LBRACE = 0x7b;
const BLOCK = 1 << 16;

/** Reads `length` bytes at `offset` (fewer at end of file). */
async function readAt(file: Deno.FsFile, offset: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  await file.seek(offset, Deno.SeekMode.Start);
  let got = 0;
  while (got < length) {
    const n = await file.read(buf.subarray(got));
    if (n === null) break;
    got += n;
  }
  return buf.subarray(0, got);
}

class StopAtMessages extends Error {
  constructor(readonly offset: number) {
    super("messages reached");
  }
}

/** Offset just after `"messages": [`, or a reason the header is unusable. */
async function findMessagesStart(file: Deno.FsFile): Promise<number | { reason: string }> {
  const sink: ScanSink = {
    field() {},
    messagesStart(offset) {
      throw new StopAtMessages(offset);
    },
    message() {},
    messagesEnd() {},
  };
  const scanner = new DceJsonScanner(sink);
  await file.seek(0, Deno.SeekMode.Start);
  const buf = new Uint8Array(BLOCK);
  try {
    for (;;) {
      const n = await file.read(buf);
      if (n === null) {
        scanner.finish();
        return { reason: 'the file ends before its "messages" array starts' };
      }
      scanner.push(buf.subarray(0, n));
    }
  } catch (err) {
    if (err instanceof StopAtMessages) return err.offset;
    if (err instanceof ScanError) {
      return {
        reason: err.truncated
          ? 'the file ends before its "messages" array starts'
          : `${err.message} at byte ${err.offset}`,
      };
    }
    throw err;
  }
}

/** True when the last bytes look like the end of a complete document (then a full check decides). */
function tailLooksComplete(tail: Uint8Array): boolean {
  const text = new TextDecoder().decode(tail);
  return /(?:"messageCount"\s*:\s*[0-9]+|\])\s*}\s*$/.test(text);
}

interface Layout {
  /** Spaces before a message's `{` / `}` line; -1 = minified (no line breaks). */
  indent: number;
  newline: string;
  /** The array is `[]` (possibly followed by a damaged tail). */
  emptyArray: boolean;
}

async function detectLayout(file: Deno.FsFile, messagesAt: number): Promise<Layout> {
  const head = await readAt(file, 0, Math.min(messagesAt, 4096));
  const newline = new TextDecoder().decode(head).includes("\r\n") ? "\r\n" : "\n";
  const after = await readAt(file, messagesAt, 256);
  let i = 0;
  let sawNewline = false;
  let spaces = 0;
  while (i < after.length) {
    const c = after[i]!;
    if (c === NL || c === CR) {
      sawNewline = true;
      spaces = 0;
    } else if (c === SP) {
      spaces++;
    } else if (c !== 0x09) {
      break;
    }
    i++;
  }
  if (i >= after.length) {
    // Nothing after "[" yet: assume DCE's own layout.
    return { indent: 4, newline, emptyArray: false };
  }
  const c = after[i]!;
  if (c === 0x5d) return { indent: 4, newline, emptyArray: true };
  if (c === LBRACE && sawNewline) return { indent: spaces, newline, emptyArray: false };
  return { indent: -1, newline, emptyArray: false };
}

/** Whether `bytes` at [i] is a line of exactly `indent` spaces then `ch`, preceded by a newline. */
function isLineStart(bytes: Uint8Array, i: number, indent: number, ch: number): boolean {
  if (bytes[i] !== ch) return false;
  for (let k = 1; k <= indent; k++) if (bytes[i - k] !== SP) return false;
  return bytes[i - indent - 1] === NL;
}

/**
 * Searches backwards for the last line of exactly `indent` spaces + `}` that is followed by
 * `,`, a line break or the end of the file: the end of a complete message (a raw line break
 * cannot occur inside a JSON string). Returns its offset, or -1.
 */
async function lastMessageClose(
  file: Deno.FsFile,
  size: number,
  floor: number,
  indent: number,
): Promise<number> {
  let end = size;
  const overlap = indent + 2;
  while (end > floor) {
    const start = Math.max(floor, end - BLOCK);
    const readEnd = Math.min(size, end + 1); // one byte past, to see what follows a `}`
    const bytes = await readAt(file, start, readEnd - start);
    for (let j = end - start - 1; j >= indent + 1; j--) {
      if (bytes[j] !== RBRACE) continue;
      if (!isLineStart(bytes, j, indent, RBRACE)) continue;
      const next = j + 1 < bytes.length ? bytes[j + 1] : undefined;
      if (next === undefined || next === 0x2c || next === NL || next === CR) return start + j;
    }
    if (start === floor) break;
    end = start + overlap;
  }
  return -1;
}

/** The offset of the `{` opening the message whose `}` is at `close`, by its indentation line. */
async function messageOpenBefore(
  file: Deno.FsFile,
  close: number,
  floor: number,
  indent: number,
): Promise<number> {
  let end = close;
  const overlap = indent + 2;
  while (end > floor) {
    const start = Math.max(floor, end - BLOCK);
    const bytes = await readAt(file, start, end - start);
    for (let j = bytes.length - 1; j >= indent + 1; j--) {
      if (bytes[j] === LBRACE && isLineStart(bytes, j, indent, LBRACE)) return start + j;
    }
    if (start === floor) break;
    end = start + overlap;
  }
  return -1;
}

/** True when `bytes` is exactly one complete JSON object with an id (checked by the real scanner). */
function isOneCompleteMessage(bytes: Uint8Array): boolean {
  let count = 0;
  const scanner = new DceJsonScanner({
    field() {},
    messagesStart() {},
    message(id) {
      if (id !== null) count++;
    },
    messagesEnd() {},
  });
  try {
    const enc = new TextEncoder();
    scanner.push(enc.encode('{"messages":['));
    scanner.push(bytes);
    scanner.push(enc.encode("]}"));
    scanner.finish();
    return count === 1;
  } catch {
    return false;
  }
}

/**
 * Occurrences of `\n<indent spaces>}` in [from, to): one per complete message in indented layouts.
 * memchr-speed: native indexOf finds each `}`, then the bytes before it are checked.
 */
async function countMessageCloses(
  file: Deno.FsFile,
  from: number,
  to: number,
  indent: number,
): Promise<number> {
  const keep = indent + 1; // bytes of context a `}` needs before it
  const step = Math.min(8 << 20, Math.max(1, to - from));
  const buf = new Uint8Array(step + keep);
  let count = 0;
  let pos = from;
  let carry = 0;
  await file.seek(from, Deno.SeekMode.Start);
  while (pos < to) {
    const want = Math.min(step, to - pos);
    let got = 0;
    while (got < want) {
      const n = await file.read(buf.subarray(carry + got, carry + want));
      if (n === null) break;
      got += n;
    }
    if (got === 0) break;
    const len = carry + got;
    // Only `}` among the new bytes count; the carried bytes are context.
    let i = buf.indexOf(RBRACE, carry);
    while (i !== -1 && i < len) {
      if (i >= keep && isLineStart(buf, i, indent, RBRACE)) count++;
      i = buf.indexOf(RBRACE, i + 1);
    }
    pos += got;
    carry = Math.min(keep, len);
    buf.copyWithin(0, len - carry, len);
  }
  return count;
}

interface Cut {
  /** Keep bytes [0, keep). */
  keep: number;
  kept: number;
  closing: string;
}

/** One forward streaming pass: the end of the last complete message, for any layout. */
async function forwardCut(path: string, layout: Layout): Promise<Cut | { reason: string }> {
  let lastEnd = -1;
  let count = 0;
  let messagesAt = -1;
  const scanner = new DceJsonScanner({
    field() {},
    messagesStart(offset) {
      messagesAt = offset;
    },
    message(_id, _bytes, _start, end) {
      lastEnd = end;
      count++;
    },
    messagesEnd() {},
  });
  using file = await Deno.open(path, { read: true });
  const buf = new Uint8Array(Math.min(1 << 20, (await file.stat()).size + 1));
  try {
    for (;;) {
      const n = await file.read(buf);
      if (n === null) break;
      scanner.push(buf.subarray(0, n));
    }
    scanner.finish();
  } catch (err) {
    if (!(err instanceof ScanError)) throw err;
    if (!err.truncated) {
      return {
        reason: `the file is damaged at byte ${err.offset} (${err.message}), not just cut off`,
      };
    }
  }
  if (messagesAt < 0) return { reason: 'the file ends before its "messages" array starts' };
  return count === 0
    ? { keep: messagesAt, kept: 0, closing: closing(layout, 0, true) }
    : { keep: lastEnd, kept: count, closing: closing(layout, count, false) };
}

function closing(layout: Layout, count: number, empty: boolean): string {
  if (layout.indent < 0) return `],"messageCount":${count}}`;
  const nl = layout.newline;
  const pad = " ".repeat(Math.max(0, Math.floor(layout.indent / 2)));
  return empty
    ? `],${nl}${pad}"messageCount": ${count}${nl}}`
    : `${nl}${pad}],${nl}${pad}"messageCount": ${count}${nl}}`;
}

/** Finds where to cut, from the end for indented layouts, else forward. */
async function findCut(
  path: string,
  file: Deno.FsFile,
  size: number,
  messagesAt: number,
  layout: Layout,
): Promise<Cut | { reason: string }> {
  if (layout.indent < 0) return await forwardCut(path, layout);
  if (layout.emptyArray) return { keep: messagesAt, kept: 0, closing: closing(layout, 0, true) };
  const close = await lastMessageClose(file, size, messagesAt, layout.indent);
  if (close < 0) return { keep: messagesAt, kept: 0, closing: closing(layout, 0, true) };
  const open = await messageOpenBefore(file, close, messagesAt, layout.indent);
  if (open < 0) return await forwardCut(path, layout);
  // Validate the last kept message with the real scanner (a forward scan of the tail only).
  const last = close - open + 1 <= 64 << 20 ? await readAt(file, open, close - open + 1) : null;
  if (!last || !isOneCompleteMessage(last)) return await forwardCut(path, layout);
  const kept = await countMessageCloses(file, messagesAt, close + 1, layout.indent);
  return { keep: close + 1, kept, closing: closing(layout, kept, false) };
}

async function isCompleteExport(path: string): Promise<number | null> {
  try {
    using reader = await ExportReader.open(path);
    await reader.readToEnd();
    return reader.count;
  } catch (err) {
    if (err instanceof ArchiveError) return null;
    throw err;
  }
}

/** What a repair would do: keep bytes [0, keep) and append `closing`. */
export type RepairPlan =
  | { status: "already-valid"; kept: number; size: number; mode: number }
  | { status: "unrepairable"; reason: string; size: number; mode: number }
  | { status: "repaired"; keep: number; closing: string; kept: number; size: number; mode: number };

/**
 * Decides how to repair `path` without changing it. With `verify`, everything before the cut is
 * checked by a forward pass (catches damage in the middle, costs a full read); without it only the
 * last kept message is checked, which suffices for DCE's sequential writes.
 */
export async function planRepair(path: string, verify = false): Promise<RepairPlan> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new ArchiveError("not-found", `File not found: ${path}`);
    }
    throw new ArchiveError("unreadable", `Cannot read '${path}': ${reason(err)}.`);
  }
  if (!info.isFile) {
    throw new ArchiveError("not-dce-export", `'${path}' is not a regular file.`);
  }
  const size = info.size;
  const mode = (info.mode ?? 0o644) & 0o777;
  if (size === 0) return { status: "unrepairable", reason: "the file is empty", size, mode };
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    throw new ArchiveError("unreadable", `Cannot read '${path}': ${reason(err)}.`);
  }
  try {
    const tail = await readAt(file, Math.max(0, size - 128), Math.min(size, 128));
    if (tailLooksComplete(tail)) {
      const count = await isCompleteExport(path);
      if (count !== null) return { status: "already-valid", kept: count, size, mode };
    }
    const messagesAt = await findMessagesStart(file);
    if (typeof messagesAt !== "number") {
      return { status: "unrepairable", reason: messagesAt.reason, size, mode };
    }
    const layout = await detectLayout(file, messagesAt);
    const found = verify
      ? await forwardCut(path, layout)
      : await findCut(path, file, size, messagesAt, layout);
    if ("reason" in found) return { status: "unrepairable", reason: found.reason, size, mode };
    return { status: "repaired", ...found, size, mode };
  } finally {
    file.close();
  }
}

/**
 * Repairs `path`: in place without a backup (truncate + append, O(1) I/O), or with `backupPath` as
 * a new file renamed over it (the original inode kept as the backup). Never keeps a partial message
 * and never drops a complete one. A file that is not a cut-off DCE export comes back
 * "unrepairable" with a reason, unchanged.
 */
export async function repairTruncatedExport(
  path: string,
  opts: RepairOptions = {},
): Promise<RepairResult> {
  const plan = await planRepair(path, opts.verify ?? false);
  if (plan.status === "already-valid") {
    return { status: plan.status, kept: plan.kept, oldBytes: plan.size, newBytes: plan.size };
  }
  if (plan.status === "unrepairable") {
    return {
      status: plan.status,
      kept: 0,
      oldBytes: plan.size,
      newBytes: plan.size,
      reason: plan.reason,
    };
  }
  const tailBytes = new TextEncoder().encode(plan.closing);
  const result: RepairResult = {
    status: "repaired",
    kept: plan.kept,
    oldBytes: plan.size,
    newBytes: plan.keep + tailBytes.length,
  };
  if (opts.dryRun) return result;

  await sweepSiblingTemps(path);
  if (!opts.backupPath) {
    // In place: cut back to the last complete message, then append the ending. O(1) I/O whatever the
    // size. A crash in between leaves a prefix that ends after a complete message: every complete
    // message is still there and the next repair finishes the job. (Only the partial one is dropped.)
    try {
      using file = await Deno.open(path, { read: true, write: true });
      await file.truncate(plan.keep);
      await file.seek(plan.keep, Deno.SeekMode.Start);
      let off = 0;
      while (off < tailBytes.length) off += await file.write(tailBytes.subarray(off));
      await file.sync();
    } catch (err) {
      throw writeFailed(path, err);
    }
    return result;
  }
  // With a backup: the old inode becomes the backup (hard link) and a new file replaces the name
  // atomically, so the backup is byte-for-byte the original.
  await backup(path, opts.backupPath);
  result.backupPath = opts.backupPath;
  const temp = await createSiblingTemp(path, plan.mode).catch((err) => {
    throw writeFailed(path, err);
  });
  try {
    temp.file.close();
    // A kernel-side copy (copy_file_range), cut back to the kept prefix, then the new ending.
    await Deno.copyFile(path, temp.path);
    await Deno.truncate(temp.path, plan.keep);
    temp.file = await Deno.open(temp.path, { write: true, append: true });
    let off = 0;
    while (off < tailBytes.length) off += await temp.file.write(tailBytes.subarray(off));
    await Deno.chmod(temp.path, plan.mode);
    await commitSiblingTemp(temp, path);
  } catch (err) {
    await discardSiblingTemp(temp);
    throw writeFailed(path, err);
  }
  return result;
}

async function backup(path: string, backupPath: string): Promise<void> {
  try {
    await Deno.link(path, backupPath); // the old inode stays intact: the rename replaces only the name
  } catch {
    try {
      await Deno.copyFile(path, backupPath);
    } catch (err) {
      throw writeFailed(path, err);
    }
  }
}

function writeFailed(path: string, err: unknown): ArchiveError {
  return new ArchiveError(
    "write-failed",
    `Cannot write the repaired file beside '${path}': ${reason(err)}. The file was not modified.`,
  );
}
