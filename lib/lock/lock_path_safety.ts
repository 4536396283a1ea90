// Refuses hostile lock paths (symlink, FIFO, directory, missing folder) before anything is opened or written.
import { dirname } from "node:path";
import { UserError } from "../cli/errors.ts";

/** A lock path that cannot be used safely: exit 2, nothing written. */
export class LockPathError extends UserError {
  constructor(message: string) {
    super(message, { exitCode: 2 });
    this.name = "LockPathError";
  }
}

function kindOf(info: Deno.FileInfo): string {
  if (info.isSymlink) return "a symbolic link";
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO";
  if (info.isSocket) return "a socket";
  if (info.isCharDevice || info.isBlockDevice) return "a device";
  return "not a regular file";
}

/** lstat of a lock-related path: null when absent, the info when a regular file, else LockPathError. */
export function lstatRegular(path: string, what = "Lock file"): Deno.FileInfo | null {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    if (err instanceof Deno.errors.NotADirectory) {
      throw new LockPathError(`${what} ${path} cannot exist: a parent of it is not a directory`);
    }
    if (err instanceof Deno.errors.PermissionDenied) {
      throw new LockPathError(
        `Cannot inspect ${what.toLowerCase()} ${path}: permission denied; run as the user that ` +
          `owns the archive root`,
      );
    }
    throw lockIoError(path, `inspect ${what.toLowerCase()}`, err);
  }
  if (!info.isFile) {
    throw new LockPathError(
      `${what} ${path} is ${kindOf(info)}, not a regular file; refusing to use it. ` +
        `Remove it (after checking no scrape runs) or set DCE_SCRAPE_LOCK_FILE`,
    );
  }
  return info;
}

/** The folder must exist: the lock lives at the archive root, which we never create implicitly. */
export function checkLockFolder(path: string): void {
  const folder = dirname(path);
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(folder);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      throw new LockPathError(
        `Lock folder ${folder} does not exist: create the archive root (or fix archive_root / ` +
          `DCE_SCRAPE_LOCK_FILE) before starting a scrape`,
      );
    }
    throw lockIoError(folder, "inspect lock folder", err);
  }
  if (!info.isDirectory) {
    throw new LockPathError(`Lock folder ${folder} is not a directory; fix the lock path`);
  }
}

/**
 * The lock's own files could not be read or written for a reason outside our control (full or
 * read-only disk, immutable folder, the disk gone): one line, exit 1 like any failed work. Exit 2
 * stays for what the operator typed or configured (a hostile path, a folder this user cannot write).
 */
export class LockIoError extends UserError {
  constructor(message: string) {
    super(message, { exitCode: 1 });
    this.name = "LockIoError";
  }
}

/** errno name of an OS error (Deno sets `code`, e.g. "ENOSPC"). */
function errnoOf(err: Error): string | null {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : null;
}

const IO_HINTS: Record<string, string> = {
  EPERM: "operation not permitted (an immutable file or folder? check lsattr)",
  ENOENT: "the folder is gone (was the archive disk unmounted?)",
  ENOTDIR: "the folder is gone (was the archive disk unmounted?)",
  ENODEV: "the device is gone (was the archive disk unplugged?)",
  EIO: "I/O error on the archive disk",
  ENOTCONN: "the filesystem is disconnected",
  ESTALE: "stale network file handle",
  ENOSPC: "no space left on device; free some space",
  EDQUOT: "disk quota exceeded; free some space",
  EROFS: "read-only file system; remount it writable",
};

/**
 * Any OS error on the lock's files as one line: EACCES is the operator's to fix (exit 2); the
 * rest (LockIoError, exit 1) are I/O failures. Never a stack: the lock runs unattended from cron.
 */
export function lockIoError(path: string, action: string, err: unknown): Error {
  if (err instanceof UserError || !(err instanceof Error)) {
    return err instanceof Error ? err : new Error(String(err));
  }
  const errno = errnoOf(err);
  if (errno === "EACCES") {
    return new LockPathError(
      `Cannot ${action} ${path}: permission denied; make ${dirname(path)} writable for this user`,
    );
  }
  const hint = errno === null ? null : IO_HINTS[errno];
  const detail = err.message.replace(/\s+/g, " ").trim();
  return new LockIoError(`Cannot ${action} ${path}: ${hint ?? detail}`);
}

/** Runs one step on a lock file; any OS error becomes lockIoError's one line. */
export function lockIoStep<T>(path: string, action: string, op: () => T): T {
  try {
    return op();
  } catch (err) {
    throw lockIoError(path, action, err);
  }
}

/**
 * Opens the existing lock file read-write without following a link, creating or truncating:
 * lstat first, then open, then require the open file to be that same inode. A path swapped to a
 * symlink in between is caught before we write a byte (and we never truncate on open).
 */
export function openExistingLockFile(path: string): Deno.FsFile | null {
  const before = lstatRegular(path);
  if (before === null) return null;
  let file: Deno.FsFile;
  try {
    // read+write: O_RDWR never blocks on a FIFO swapped in after the lstat.
    file = Deno.openSync(path, { read: true, write: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw lockIoError(path, "open lock file", err);
  }
  const opened = file.statSync();
  if (!opened.isFile || opened.ino !== before.ino || opened.dev !== before.dev) {
    file.close();
    throw new LockPathError(
      `Lock file ${path} changed while it was being opened; refusing to use it`,
    );
  }
  return file;
}
