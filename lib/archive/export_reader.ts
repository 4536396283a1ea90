// Streaming reader for one DCE export file: top-level fields first, then messages one at a time.
import { ArchiveError } from "./archive_error.ts";
import { DceJsonScanner, ScanError, type ScanSink } from "./dce_json_scanner.ts";

/** One message as canonical bytes (DCE layout, first line unindented) and its id as written. */
export interface RawMessage {
  id: string;
  bytes: Uint8Array;
}

/** A top-level field: canonical bytes (as they will be written back) and the parsed value. */
export interface RawField {
  raw: Uint8Array;
  value: unknown;
}

const CHUNK = 1 << 20;
/** The first read is small: opening a large archive for its header must not cost a MiB. */
const FIRST_CHUNK = 64 << 10;
const decoder = new TextDecoder();

/** Opens `path` for streaming, turning every way it can be unusable into one clear ArchiveError. */
async function openExportFile(path: string): Promise<Deno.FsFile> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new ArchiveError("not-found", `File not found: ${path}`);
    }
    throw new ArchiveError("unreadable", `Cannot read export '${path}': ${reason(err)}.`);
  }
  if (info.isDirectory) {
    throw new ArchiveError(
      "not-dce-export",
      `Cannot read export '${path}': it is a directory, not a DCE JSON export file.`,
    );
  }
  if (!info.isFile) {
    throw new ArchiveError(
      "not-dce-export",
      `Cannot read export '${path}': it is not a regular file (a DCE JSON export is a plain file).`,
    );
  }
  if (info.size === 0) {
    throw new ArchiveError(
      "not-json",
      `Cannot read export '${path}': the file is empty (0 bytes), not a DCE JSON export.`,
    );
  }
  try {
    return await Deno.open(path, { read: true });
  } catch (err) {
    throw new ArchiveError(
      "unreadable",
      `Cannot read export '${path}': ${reason(err)}. Check its permissions.`,
    );
  }
}

export function reason(err: unknown): string {
  return err instanceof Error ? err.message.replace(/\s+/g, " ").trim() : String(err);
}

/** Maps a scanner failure to the operator-facing error for `path`. */
export function scanFailure(path: string, err: ScanError): ArchiveError {
  if (err.truncated) {
    return new ArchiveError(
      "truncated",
      `Export '${path}' is truncated at byte ${err.offset} (an interrupted export?); ` +
        `repair it with salvage-truncated-export.`,
    );
  }
  const notDce =
    /not a JSON object|no "messages"|"messages" is not|is not a JSON object|has no "id"|not a DCE header/
      .test(err.message);
  if (notDce) {
    return new ArchiveError(
      "not-dce-export",
      `'${path}' is not a DCE JSON export: ${err.message} (byte ${err.offset}).`,
    );
  }
  const what = /has an id of \d+ bytes/.test(err.message)
    ? "cannot be merged"
    : "is not valid JSON";
  return new ArchiveError("not-json", `'${path}' ${what}: ${err.message} at byte ${err.offset}.`);
}

/**
 * Reads an export incrementally. Memory is one read chunk plus the messages of that chunk:
 * independent of the file size.
 */
export class ExportReader {
  readonly path: string;
  /** Top-level fields seen so far (header fields before `messages`; the rest once read to the end). */
  readonly fields = new Map<string, RawField>();
  /** Byte offset just after `"messages": [`, or -1 before it was reached. */
  messagesOffset = -1;
  messagesEnded = false;
  /** Messages read so far. */
  count = 0;
  private readonly file: Deno.FsFile;
  private readonly scanner: DceJsonScanner;
  private readonly chunk = new Uint8Array(CHUNK);
  private reads = 0;
  private queue: RawMessage[] = [];
  private head = 0;
  private eof = false;
  private closed = false;

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.file = file;
    const sink: ScanSink = {
      field: (key, raw) => {
        let value: unknown;
        try {
          value = JSON.parse(decoder.decode(raw));
        } catch {
          throw new ScanError(`field "${key}" is not valid JSON`, this.scanner.position);
        }
        this.fields.set(key, { raw, value });
      },
      messagesStart: (offset) => {
        this.messagesOffset = offset;
      },
      message: (id, bytes) => {
        this.queue.push({ id: id ?? "", bytes });
      },
      messagesEnd: () => {
        this.messagesEnded = true;
      },
    };
    this.scanner = new DceJsonScanner(sink);
  }

  static async open(path: string): Promise<ExportReader> {
    return new ExportReader(path, await openExportFile(path));
  }

  /** Reads one more chunk into the scanner; false at end of file (after checking completeness). */
  private async pump(): Promise<boolean> {
    if (this.eof) return false;
    let n: number | null;
    try {
      n = await this.file.read(
        this.reads++ === 0 ? this.chunk.subarray(0, FIRST_CHUNK) : this.chunk,
      );
    } catch (err) {
      throw new ArchiveError("unreadable", `Cannot read export '${this.path}': ${reason(err)}.`);
    }
    try {
      if (n === null) {
        this.eof = true;
        this.scanner.finish();
        return false;
      }
      this.scanner.push(this.chunk.subarray(0, n));
    } catch (err) {
      if (err instanceof ScanError) throw scanFailure(this.path, err);
      throw err;
    }
    return true;
  }

  /** Advances until the messages array starts (or the document ends). */
  async readHeader(): Promise<void> {
    while (this.messagesOffset < 0 && await this.pump());
  }

  /** The next message, or null after the last one. */
  async next(): Promise<RawMessage | null> {
    while (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
      // Every message arrives before the array's "]", so an ended array with an empty queue is the end.
      if (this.messagesEnded || !(await this.pump())) return null;
    }
    const m = this.queue[this.head]!;
    this.queue[this.head++] = undefined as unknown as RawMessage; // let it be collected
    this.count++;
    return m;
  }

  /** Reads everything left (messages are discarded); afterwards `fields` holds trailing fields too. */
  async readToEnd(): Promise<void> {
    while (await this.next() !== null);
    while (await this.pump());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.file.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
