// The one reader for files we read whole but do not own (config, env file, token file, channel map,
// summaries): a regular file only, and a size cap. The open is O_NONBLOCK, so a FIFO cannot hang
// the run (deaf to signals) before we see what it is; /dev/zero cannot fill memory either.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { open } from "node:fs/promises";
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

function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/** Refuses what is not a regular file or is over the cap by its fstat. */
function checkStat(st: Stats, path: string, opts: ReadSmallFileOptions): void {
  if (!st.isFile()) {
    throw new UserError(
      `${opts.what} ${path} is ${kindOf(st)}, not a regular file; point it at a file.`,
    );
  }
  if (st.size > opts.maxBytes) throw tooBig(path, opts);
}

function tooBig(path: string, opts: ReadSmallFileOptions): UserError {
  return new UserError(
    `${opts.what} ${path} is larger than ${opts.maxBytes} bytes, too large to be one; point it at the right file.`,
  );
}

/**
 * The bytes read so far. Reading goes on until EOF even past the fstat size (a file that grew, a
 * /proc file saying 0), but never past the cap.
 */
class Collected {
  #buf: Uint8Array;
  #length = 0;
  constructor(
    size: number,
    private readonly path: string,
    private readonly opts: ReadSmallFileOptions,
  ) {
    this.#buf = new Uint8Array(Math.min(opts.maxBytes + 1, Math.max(size + 1, 4096)));
  }
  /** Where the next read goes. */
  room(): { buf: Uint8Array; offset: number; length: number } {
    if (this.#length === this.#buf.length) {
      if (this.#length > this.opts.maxBytes) throw tooBig(this.path, this.opts);
      const grown = new Uint8Array(Math.min(this.opts.maxBytes + 1, this.#buf.length * 2));
      grown.set(this.#buf);
      this.#buf = grown;
    }
    return { buf: this.#buf, offset: this.#length, length: this.#buf.length - this.#length };
  }
  /** Counts `n` bytes read; true at EOF. */
  add(n: number): boolean {
    this.#length += n;
    return n === 0;
  }
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#length);
  }
}

/**
 * Reads `path` whole. Throws Deno.errors.NotFound / PermissionDenied as Deno.readFile does, and a
 * UserError for anything that is not a regular file or is larger than `maxBytes`.
 */
export async function readSmallFile(path: string, opts: ReadSmallFileOptions): Promise<Uint8Array> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((err) => {
    throw asDenoError(err);
  });
  try {
    const st = await handle.stat();
    checkStat(st, path, opts);
    const got = new Collected(st.size, path, opts);
    for (;;) {
      const { buf, offset, length } = got.room();
      if (got.add((await handle.read(buf, offset, length, null)).bytesRead)) return got.bytes();
    }
  } finally {
    await handle.close();
  }
}

/** readSmallFile for the few synchronous callers. */
export function readSmallFileSync(path: string, opts: ReadSmallFileOptions): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw asDenoError(err);
  }
  try {
    const st = fstatSync(fd);
    checkStat(st, path, opts);
    const got = new Collected(st.size, path, opts);
    for (;;) {
      const { buf, offset, length } = got.room();
      if (got.add(readSync(fd, buf, offset, length, null))) return got.bytes();
    }
  } finally {
    closeSync(fd);
  }
}

/** readSmallFile decoded as UTF-8 (invalid bytes become U+FFFD, as Deno.readTextFile does). */
export async function readSmallTextFile(path: string, opts: ReadSmallFileOptions): Promise<string> {
  return new TextDecoder().decode(await readSmallFile(path, opts));
}

/** readSmallTextFile for the few synchronous callers. */
export function readSmallTextFileSync(path: string, opts: ReadSmallFileOptions): string {
  return new TextDecoder().decode(readSmallFileSync(path, opts));
}
