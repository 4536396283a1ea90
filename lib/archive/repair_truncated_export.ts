// Repairs a DCE export cut off mid-write: keeps every complete message, drops the partial one,
// closes the array and the document and sets messageCount. Pretty-printed layouts (any indent of
// spaces and tabs, LF or CRLF) are cut by a fast line pass; anything that pass cannot decide
// (minified, zero or ragged indent, one message per line) by one forward pass of the real scanner.
import { dirname } from "node:path";
import { NotFollowedError, openNoFollow } from "../fs/no_follow.ts";
import { linkOrCopyNew } from "../fs/link_or_copy_new.ts";
import { ArchiveError } from "./archive_error.ts";
import {
  commitSiblingTemp,
  createSiblingTemp,
  discardSiblingTemp,
  sweepSiblingTemps,
  syncDir,
} from "./atomic_replace.ts";
import { DceJsonScanner, ScanError, type ScanSink } from "./dce_json_scanner.ts";
import { ExportReader, reason } from "./export_reader.ts";
import { readAt } from "../fs/file_at.ts";
import { writeAll } from "../fs/write_all.ts";

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
const TAB = 0x09;
const COMMA = 0x2c;
const RBRACE = 0x7d;
const LBRACE = 0x7b;
const RBRACKET = 0x5d;
const BLOCK = 1 << 16;

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
  /** The whitespace before a message's `{` line (one or more spaces/tabs); null = not line-indented. */
  prefix: Uint8Array | null;
  newline: string;
  /** The array is `[]` (possibly followed by a damaged tail). */
  emptyArray: boolean;
}

const isBlank = (c: number) => c === SP || c === TAB || c === NL || c === CR;

/** How the messages are laid out, from the bytes after `"messages": [`. */
async function detectLayout(file: Deno.FsFile, messagesAt: number): Promise<Layout> {
  const head = await readAt(file, 0, Math.min(messagesAt, 4096));
  const newline = new TextDecoder().decode(head).includes("\r\n") ? "\r\n" : "\n";
  const after = await readAt(file, messagesAt, 4096);
  let i = 0;
  let lineStart = -1;
  while (i < after.length && isBlank(after[i]!)) {
    if (after[i] === NL) lineStart = i + 1;
    i++;
  }
  const emptyArray = i < after.length && after[i] === RBRACKET;
  const indented = i < after.length && after[i] === LBRACE && lineStart >= 0 && i > lineStart;
  return { prefix: indented ? after.slice(lineStart, i) : null, newline, emptyArray };
}

/** True when line [s, e) is exactly `prefix` then `ch`, optionally followed by one `,`. */
function lineIs(b: Uint8Array, s: number, e: number, prefix: Uint8Array, ch: number): boolean {
  const p = prefix.length;
  if (e - s < p + 1 || b[s + p] !== ch) return false;
  for (let k = 0; k < p; k++) if (b[s + k] !== prefix[k]) return false;
  return e === s + p + 1 || (e === s + p + 2 && b[s + p + 1] === COMMA);
}

/** True when line [s, e) starts with `prefix` and then more indentation: a line inside a message. */
function lineIsDeeper(b: Uint8Array, s: number, e: number, prefix: Uint8Array): boolean {
  const p = prefix.length;
  if (e - s < p + 1 || (b[s + p] !== SP && b[s + p] !== TAB)) return false;
  for (let k = 0; k < p; k++) if (b[s + k] !== prefix[k]) return false;
  return true;
}

/** The number of `,` on line [s, e) when it holds only those and blanks, else -1. */
function separatorCommas(b: Uint8Array, s: number, e: number): number {
  let commas = 0;
  for (let k = s; k < e; k++) {
    if (b[k] === COMMA) commas++;
    else if (b[k] !== SP && b[k] !== TAB) return -1;
  }
  return commas;
}

/**
 * The fast path for pretty-printed layouts (any indent of spaces and tabs, LF or CRLF): one pass
 * over the lines after `[`, at native `indexOf` speed. Each message must open with a line of
 * exactly `prefix{`, close with `prefix}` or `prefix},`, and every line between must be indented
 * deeper, so a line can only be a message's edge if it has exactly that shape (JSON strings cannot
 * hold a raw line break). Returns null when any line breaks that shape (ragged or zero indent,
 * one message per line, damage): the caller then scans forward with the real parser.
 */
async function indentedCut(
  file: Deno.FsFile,
  size: number,
  messagesAt: number,
  prefix: Uint8Array,
): Promise<{ keep: number; kept: number; lastOpen: number } | null> {
  let inside = false;
  let needComma = false; // a message closed without "," on its line
  let kept = 0;
  let keep = messagesAt;
  let lastOpen = -1;
  let open = -1;
  let first = true; // the rest of the `[` line
  // One reused buffer: an unfinished line is moved to its start, the next block read after it.
  let b = new Uint8Array(1 << 20);
  let carry = 0; // bytes of that unfinished line
  let base = messagesAt; // file offset of b[0]
  await file.seek(messagesAt, Deno.SeekMode.Start);
  for (let pos = messagesAt; pos < size;) {
    if (carry === b.length) {
      const bigger = new Uint8Array(b.length * 2); // a line longer than the buffer
      bigger.set(b);
      b = bigger;
    }
    const got = await file.read(b.subarray(carry, carry + Math.min(b.length - carry, size - pos)));
    if (got === null || got === 0) break;
    pos += got;
    const len = carry + got;
    const filled = b.subarray(0, len);
    let s = 0;
    for (let nl = filled.indexOf(NL); nl !== -1; nl = filled.indexOf(NL, s)) {
      const e = nl > s && b[nl - 1] === CR ? nl - 1 : nl;
      if (inside) {
        if (lineIs(b, s, e, prefix, RBRACE)) {
          inside = false;
          needComma = b[e - 1] !== COMMA;
          kept++;
          keep = base + s + prefix.length + 1;
          lastOpen = open;
        } else if (!lineIsDeeper(b, s, e, prefix)) {
          return null;
        }
      } else if (!first && e === s + prefix.length + 1 && lineIs(b, s, e, prefix, LBRACE)) {
        if (needComma && kept > 0) return null;
        inside = true;
        open = base + s + prefix.length;
      } else {
        const commas = separatorCommas(b, s, e);
        if (commas < 0) return isArrayEnd(b, s, e) && !first ? { keep, kept, lastOpen } : null;
        if (commas > 0 && (first || !needComma || commas > 1)) return null;
        if (commas > 0) needComma = false;
      }
      first = false;
      s = nl + 1;
    }
    b.copyWithin(0, s, len);
    carry = len - s;
    base += s;
  }
  // The last line has no line break: the cut is in it, or it closes a message (cut right after `}`).
  const e = carry > 0 && b[carry - 1] === CR ? carry - 1 : carry;
  if (inside && lineIs(b, 0, e, prefix, RBRACE)) {
    return { keep: base + prefix.length + 1, kept: kept + 1, lastOpen: open };
  }
  return { keep, kept, lastOpen };
}

/** A line `<blanks>]…`: the array closed (a complete file damaged after it). */
function isArrayEnd(b: Uint8Array, s: number, e: number): boolean {
  let k = s;
  while (k < e && (b[k] === SP || b[k] === TAB)) k++;
  return k < e && b[k] === RBRACKET;
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
  if (layout.prefix === null) return `],"messageCount":${count}}`;
  const nl = layout.newline;
  // The top level is indented half as deep as the messages (depth 1 of 2).
  const pad = new TextDecoder().decode(layout.prefix.subarray(0, layout.prefix.length >> 1));
  return empty
    ? `],${nl}${pad}"messageCount": ${count}${nl}}`
    : `${nl}${pad}],${nl}${pad}"messageCount": ${count}${nl}}`;
}

/** Finds where to cut: the fast line pass for pretty-printed layouts, else the forward scanner. */
async function findCut(
  path: string,
  file: Deno.FsFile,
  size: number,
  messagesAt: number,
  layout: Layout,
): Promise<Cut | { reason: string }> {
  if (layout.emptyArray) return { keep: messagesAt, kept: 0, closing: closing(layout, 0, true) };
  const fast = layout.prefix ? await indentedCut(file, size, messagesAt, layout.prefix) : null;
  if (fast !== null && fast.kept === 0) {
    return { keep: messagesAt, kept: 0, closing: closing(layout, 0, true) };
  }
  if (fast !== null && fast.keep - fast.lastOpen <= 64 << 20) {
    // The last kept message is checked by the real scanner (DCE writes sequentially).
    const last = await readAt(file, fast.lastOpen, fast.keep - fast.lastOpen);
    if (isOneCompleteMessage(last)) {
      return { keep: fast.keep, kept: fast.kept, closing: closing(layout, fast.kept, false) };
    }
  }
  return await forwardCut(path, layout);
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
      // Never through a link: a salvaged temp's export.json is in a folder a container fills.
      using file = await openNoFollow(path, { read: true, write: true });
      await file.truncate(plan.keep);
      await file.seek(plan.keep, Deno.SeekMode.Start);
      await writeAll(file, tailBytes);
      await file.sync();
    } catch (err) {
      if (err instanceof NotFollowedError) throw err;
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
    await writeAll(temp.file, tailBytes);
    await Deno.chmod(temp.path, plan.mode);
    await commitSiblingTemp(temp, path);
  } catch (err) {
    await discardSiblingTemp(temp);
    throw writeFailed(path, err);
  }
  return result;
}

/**
 * Keeps the original bytes at `backupPath`, created exclusively: a hard link to the old inode, else
 * a copy into a new file (O_CREAT|O_EXCL, fsynced). Anything already there, a planted symlink
 * included, is refused and never written through.
 */
async function backup(path: string, backupPath: string): Promise<void> {
  try {
    // A hard link keeps the old inode intact: the rename then replaces only the name.
    await linkOrCopyNew(path, backupPath);
    await syncDir(dirname(backupPath));
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) {
      throw new ArchiveError(
        "unsafe-path",
        `Cannot keep the backup at '${backupPath}': something is already there (never overwritten nor followed). The file was not modified; move it away and rerun.`,
      );
    }
    throw writeFailed(path, err);
  }
}

function writeFailed(path: string, err: unknown): ArchiveError {
  return new ArchiveError(
    "write-failed",
    `Cannot write the repaired file beside '${path}': ${reason(err)}. The file was not modified.`,
  );
}
