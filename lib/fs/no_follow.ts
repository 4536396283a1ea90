// Opens that never follow a symlink planted where we read or write: `.dce-temp` is filled by a
// container, so a link there could point anywhere (docs/guarantees.md#paths-under-an-archive-root).
import { UserError } from "../cli/errors.ts";

/** A path that had to be a real file or folder of ours was a symlink (or something else); never followed. */
export class NotFollowedError extends UserError {
  constructor(readonly path: string, what: string) {
    super(
      `Refusing ${path}: it is ${what}, and dce-ops never follows links or opens special files there. Move it away and rerun.`,
    );
    this.name = "NotFollowedError";
  }
}

/** lstat, or null when nothing is there. */
export async function lstatOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/** What a non-regular entry is, in words (for the refusal line). */
export function describeEntry(info: Deno.FileInfo): string {
  if (info.isSymlink) return "a symlink";
  if (info.isDirectory) return "a folder";
  return "not a regular file";
}

/** Throws NotFollowedError unless `path` is a folder itself (not a link to one). Missing is fine. */
export async function refuseLinkedFolder(path: string): Promise<void> {
  const info = await lstatOrNull(path);
  if (info && !info.isDirectory) {
    throw new NotFollowedError(path, info.isSymlink ? "a symlink" : "not a folder");
  }
}

/**
 * Opens an existing regular file without following a symlink: lstat, open, then fstat must name
 * the same inode, so a link swapped in between is caught before a byte is read or written.
 */
export async function openNoFollow(path: string, options: Deno.OpenOptions): Promise<Deno.FsFile> {
  const before = await Deno.lstat(path);
  if (!before.isFile) throw new NotFollowedError(path, describeEntry(before));
  const file = await Deno.open(path, { ...options, create: false, createNew: false });
  const after = await file.stat();
  if (after.dev !== before.dev || after.ino !== before.ino) {
    file.close();
    throw new NotFollowedError(path, "a file swapped for another while being opened");
  }
  return file;
}

/**
 * Writes a new file, exclusively (O_CREAT|O_EXCL: never through a link, never over anything),
 * fsynced. Fails with AlreadyExists when anything is at `path`.
 */
export async function writeNewFile(path: string, data: Uint8Array, mode = 0o644): Promise<void> {
  const file = await Deno.open(path, { write: true, createNew: true, mode });
  try {
    let off = 0;
    while (off < data.length) off += await file.write(data.subarray(off));
    await file.sync();
  } finally {
    file.close();
  }
}
