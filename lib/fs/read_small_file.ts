// The one reader for files we read whole but do not own (config, env file, token file, channel map,
// summaries): a regular file only, and a size cap. The open is O_NONBLOCK, so a FIFO cannot hang
// the run (deaf to signals) before we see what it is; /dev/zero cannot fill memory either.
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { UserError } from "../cli/errors.ts";

/** Caps for the files we read whole: far above any real one, far below harm. */
export const SIZE_CAP = {
  token: 64 * 1024,
  settings: 4 * 1024 * 1024, // config, env file
  data: 256 * 1024 * 1024, // channel map, summaries
} as const;

export interface ReadSmallFileOptions {
  /** Names the file in messages ("Config", "DISCORD_TOKEN_FILE"). */
  what: string;
  maxBytes: number;
}

/** Node's errno codes as Deno's error classes, so callers keep their own "does not exist" wording. */
function asDenoError(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const Class = code === "ENOENT"
    ? Deno.errors.NotFound
    : code === "EACCES" || code === "EPERM"
    ? Deno.errors.PermissionDenied
    : code === "ENOTDIR"
    ? Deno.errors.NotADirectory
    : code === "ELOOP"
    ? Deno.errors.FilesystemLoop
    : null;
  // The errno stays on it as `code`, as on Deno's own errors (the I/O wording reads it).
  return Class ? Object.assign(new Class(message), { code }) : err;
}

function kindOf(st: ReturnType<typeof fstatSync>): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Reads `path` whole. Throws Deno.errors.NotFound / PermissionDenied as Deno.readFile does, and a
 * UserError for anything that is not a regular file or is larger than `maxBytes` (checked on the
 * bytes actually read too: /proc files say size 0).
 */
export function readSmallFile(path: string, opts: ReadSmallFileOptions): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw asDenoError(err);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new UserError(
        `${opts.what} ${path} is ${kindOf(st)}, not a regular file; point it at a file.`,
      );
    }
    const tooBig = () =>
      new UserError(
        `${opts.what} ${path} is larger than ${opts.maxBytes} bytes, too large to be one; point it at the right file.`,
      );
    if (st.size > opts.maxBytes) throw tooBig();
    // Read until EOF even past the fstat size (a file that grew, a /proc file saying 0), never past the cap.
    let buf = new Uint8Array(Math.min(opts.maxBytes + 1, Math.max(st.size + 1, 4096)));
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        if (length > opts.maxBytes) throw tooBig();
        const grown = new Uint8Array(Math.min(opts.maxBytes + 1, buf.length * 2));
        grown.set(buf);
        buf = grown;
      }
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) return buf.subarray(0, length);
      length += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** readSmallFile decoded as UTF-8 (invalid bytes become U+FFFD, as Deno.readTextFile does). */
export function readSmallTextFile(path: string, opts: ReadSmallFileOptions): string {
  return new TextDecoder().decode(readSmallFile(path, opts));
}
