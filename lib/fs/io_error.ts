// Turns an OS error that the operator can fix (permissions, a file where a folder should be, a full or
// read-only disk) into one `ERROR:` line naming the step and the path; any other error passes through.
import { UserError } from "../cli/errors.ts";

const HINTS: Record<string, string> = {
  EACCES: "permission denied; make the folder writable for this user",
  EPERM: "operation not permitted; make the folder writable for this user",
  ENOTDIR: "a file is where a folder should be; move it away or fix output_dir",
  EEXIST: "something is already there; move it away or fix output_dir",
  ENOENT: "a folder on the path is missing; create it or fix output_dir",
  ENOSPC: "no space left on device; free some space and rerun",
  EDQUOT: "disk quota exceeded; free some space and rerun",
  EROFS: "the file system is read-only; remount it writable or choose another output_dir",
};

/** The errno name of an OS error from Deno (`code`), or the one its message spells (`os error 28`). */
function errnoOf(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && code in HINTS) return code;
  if (/No space left|\bos error 28\b/.test(err.message)) return "ENOSPC";
  if (/Read-only file system|\bos error 30\b/.test(err.message)) return "EROFS";
  if (/quota exceeded|\bos error 122\b/i.test(err.message)) return "EDQUOT";
  return null;
}

/** Whether `err` is a full disk or quota (the caller may keep data for a later run). */
export function isDiskFull(err: unknown): boolean {
  const errno = errnoOf(err);
  return errno === "ENOSPC" || errno === "EDQUOT";
}

/**
 * `Cannot <action> <path>: <why and what to do>.` as a UserError for an operator-fixable OS error;
 * anything else (a bug, an unexpected errno) is returned unchanged so it still crashes with its stack.
 */
export function operatorIoError(err: unknown, action: string, path: string): unknown {
  if (err instanceof UserError) return err;
  const errno = errnoOf(err);
  if (errno === null) return err;
  // No claim about the archive here: some steps run after a merge has been committed.
  return new UserError(`Cannot ${action} ${path}: ${HINTS[errno]}.`);
}

/** Runs one file-system step; an operator-fixable failure becomes a UserError naming the step and path. */
export async function ioStep<T>(action: string, path: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw operatorIoError(err, action, path);
  }
}
