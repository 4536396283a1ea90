// Buffered writer producing DCE's byte layout: 2-space indentation, messages at depth 2,
// "messageCount" after the array, LF line ends, no trailing newline. One addition of ours: spaces
// after the last header field reserve room so a later merge can rewrite the header in place
// (docs/archive.md#layout).

import { writeAll } from "../fs/write_all.ts";

const encoder = new TextEncoder();

/** Where bytes go: a file, or a counter for dry runs. */
export interface ByteSinkTarget {
  write(bytes: Uint8Array): Promise<number>;
}

/** Counts bytes without storing them (dry runs). */
export class NullTarget implements ByteSinkTarget {
  bytes = 0;
  write(bytes: Uint8Array): Promise<number> {
    this.bytes += bytes.length;
    return Promise.resolve(bytes.length);
  }
}

const BUFFER = 1 << 20;

export class ExportWriter {
  private readonly target: ByteSinkTarget;
  private readonly buf = new Uint8Array(BUFFER);
  private len = 0;
  /** Messages written. */
  count = 0;
  /**
   * Every id passed to `message` is 1 to 20 digits without a leading zero. With ids ascending, that
   * and a snowflake check of the largest id together check every id (the check's other bounds grow
   * with the value), which is what lets a record stand in for reading the archive.
   */
  plainIds = true;
  /** Bytes handed to the target so far plus buffered. */
  written = 0;

  constructor(target: ByteSinkTarget) {
    this.target = target;
  }

  private async put(bytes: Uint8Array): Promise<void> {
    this.written += bytes.length;
    if (this.len + bytes.length > this.buf.length) {
      await this.flush();
      if (bytes.length > this.buf.length) {
        await writeAll(this.target, bytes);
        return;
      }
    }
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  async flush(): Promise<void> {
    if (this.len === 0) return;
    await writeAll(this.target, this.buf.subarray(0, this.len));
    this.len = 0;
  }

  /**
   * The header (padded, see headerBytes), then `"messages": [`.
   * Values must already be canonical at depth 1 (as ExportReader returns them).
   */
  async begin(fields: ReadonlyArray<readonly [string, Uint8Array]>): Promise<void> {
    await this.put(headerBytes(fields));
    await this.put(MESSAGES_OPEN);
  }

  /** One message, canonical bytes as ExportReader returns them, and its id when known. */
  async message(bytes: Uint8Array, id?: string): Promise<void> {
    if (id === undefined || !PLAIN_ID.test(id)) this.plainIds = false;
    await this.put(this.count === 0 ? MESSAGE_FIRST : MESSAGE_NEXT);
    await this.put(bytes);
    this.count++;
  }

  /**
   * Closes the array, writes any `extra` fields (ones a foreign file kept after its array), then
   * `"messageCount"` and the final `}` (no trailing newline), and flushes.
   */
  async end(extra: ReadonlyArray<readonly [string, Uint8Array]> = []): Promise<void> {
    await this.put(closingBytes(this.count, extra));
    await this.flush();
  }
}

export const PLAIN_ID = /^[1-9][0-9]{0,19}$/;

export const MESSAGES_OPEN = encoder.encode('\n  "messages": [');

/** At least this many spaces stay free after the header, and the region is a multiple of HEADER_BLOCK. */
export const HEADER_SLACK = 128;
export const HEADER_BLOCK = 512;

/**
 * `{`, each field as `"key": <canonical value>,`, then spaces up to the next HEADER_BLOCK boundary
 * with at least HEADER_SLACK of them. The padded length depends only on the content, so a header
 * rewritten in place (when its padded length is unchanged) gives the same bytes as a full rewrite.
 * `messages` and `messageCount` are skipped: the writer produces both.
 */
export function headerBytes(fields: ReadonlyArray<readonly [string, Uint8Array]>): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode("{")];
  for (const [key, raw] of fields) {
    if (key === "messages" || key === "messageCount") continue;
    parts.push(encoder.encode(`\n  ${JSON.stringify(key)}: `), raw, encoder.encode(","));
  }
  const length = parts.reduce((n, p) => n + p.length, 0);
  const padded = Math.ceil((length + HEADER_SLACK) / HEADER_BLOCK) * HEADER_BLOCK;
  const out = concatBytes(parts, padded);
  out.fill(0x20, length);
  return out;
}

/** The bytes from a message's end to the end of the file: closing, extras, messageCount. */
export function closingBytes(
  count: number,
  extra: ReadonlyArray<readonly [string, Uint8Array]> = [],
): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode(count === 0 ? "]," : "\n  ],")];
  for (const [key, raw] of extra) {
    parts.push(encoder.encode(`\n  ${JSON.stringify(key)}: `), raw, encoder.encode(","));
  }
  parts.push(encoder.encode(`\n  "messageCount": ${count}\n}`));
  return concatBytes(parts);
}

export function concatBytes(parts: readonly Uint8Array[], length?: number): Uint8Array {
  const out = new Uint8Array(length ?? parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export const MESSAGE_FIRST = encoder.encode("\n    ");
export const MESSAGE_NEXT = encoder.encode(",\n    ");
