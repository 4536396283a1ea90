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
    throw err;
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
    throw err;
  }
  if (!info.isDirectory) {
    throw new LockPathError(`Lock folder ${folder} is not a directory; fix the lock path`);
  }
}

/** Turns an OS error while creating lock files into one actionable line. */
export function lockIoError(path: string, action: string, err: unknown): Error {
  if (
    err instanceof Deno.errors.PermissionDenied ||
    (err instanceof Error && /os error 30|Read-only/.test(err.message))
  ) {
    return new LockPathError(
      `Cannot ${action} ${path}: permission denied; make ${dirname(path)} writable for this user`,
    );
  }
  if (err instanceof Error && /No space left|ENOSPC|os error 28/.test(err.message)) {
    return new LockPathError(`Cannot ${action} ${path}: no space left on device; free some space`);
  }
  return err instanceof Error ? err : new Error(String(err));
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
