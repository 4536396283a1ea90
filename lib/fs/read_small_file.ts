// The one reader for files we read whole but do not own (config, env file, token file, channel map,
// summaries): a regular file only, and a size cap. The path is checked (stat) before it is opened,
// so a FIFO cannot hang the run (deaf to signals) and /dev/zero cannot fill memory; the open file is
// checked again (fstat), so what is read is a regular file. Deno's own calls, not node:fs and its
// O_NONBLOCK open: importing node:fs adds about 15 ms to the start of every tool that reads a config.
// Left open: a path swapped for a FIFO between the stat and the open would block the open, a race
// only someone who can already rewrite the file can set up.
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

function kindOf(st: Deno.FileInfo): string {
  if (st.isDirectory) return "a directory";
  if (st.isFifo) return "a FIFO (named pipe)";
  if (st.isCharDevice || st.isBlockDevice) return "a device";
  if (st.isSocket) return "a socket";
  return "not a regular file";
}

/** Refuses what is not a regular file or is over the cap by its stat. */
function checkStat(st: Deno.FileInfo, path: string, opts: ReadSmallFileOptions): void {
  if (!st.isFile) {
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
  room(): Uint8Array {
    if (this.#length === this.#buf.length) {
      if (this.#length > this.opts.maxBytes) throw tooBig(this.path, this.opts);
      const grown = new Uint8Array(Math.min(this.opts.maxBytes + 1, this.#buf.length * 2));
      grown.set(this.#buf);
      this.#buf = grown;
    }
    return this.#buf.subarray(this.#length);
  }
  /** Counts `n` bytes read; true at EOF (null or 0). */
  add(n: number | null): boolean {
    this.#length += n ?? 0;
    return !n;
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
  checkStat(await Deno.stat(path), path, opts);
  using file = await Deno.open(path, { read: true });
  const st = await file.stat();
  checkStat(st, path, opts);
  const got = new Collected(st.size, path, opts);
  for (;;) if (got.add(await file.read(got.room()))) return got.bytes();
}

/** readSmallFile for the few synchronous callers. */
export function readSmallFileSync(path: string, opts: ReadSmallFileOptions): Uint8Array {
  checkStat(Deno.statSync(path), path, opts);
  using file = Deno.openSync(path, { read: true });
  const st = file.statSync();
  checkStat(st, path, opts);
  const got = new Collected(st.size, path, opts);
  for (;;) if (got.add(file.readSync(got.room()))) return got.bytes();
}

/** readSmallFile decoded as UTF-8 (invalid bytes become U+FFFD, as Deno.readTextFile does). */
export async function readSmallTextFile(path: string, opts: ReadSmallFileOptions): Promise<string> {
  return new TextDecoder().decode(await readSmallFile(path, opts));
}

/** readSmallTextFile for the few synchronous callers. */
export function readSmallTextFileSync(path: string, opts: ReadSmallFileOptions): string {
  return new TextDecoder().decode(readSmallFileSync(path, opts));
}
