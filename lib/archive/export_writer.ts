// Buffered writer producing DCE's byte layout: 2-space indentation, messages at depth 2,
// "messageCount" after the array, LF line ends, no trailing newline.

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
   * `{`, each field as `"key": <canonical value>`, then `"messages": [`.
   * Values must already be canonical at depth 1 (as ExportReader returns them). `messages` and
   * `messageCount` are skipped: the writer produces both.
   */
  async begin(fields: ReadonlyArray<readonly [string, Uint8Array]>): Promise<void> {
    await this.put(encoder.encode("{"));
    for (const [key, raw] of fields) {
      if (key === "messages" || key === "messageCount") continue; // the writer owns both
      await this.put(encoder.encode(`\n  ${JSON.stringify(key)}: `));
      await this.put(raw);
      await this.put(encoder.encode(","));
    }
    await this.put(encoder.encode('\n  "messages": ['));
  }

  /** One message, canonical bytes as ExportReader returns them. */
  async message(bytes: Uint8Array): Promise<void> {
    await this.put(this.count === 0 ? MESSAGE_FIRST : MESSAGE_NEXT);
    await this.put(bytes);
    this.count++;
  }

  /**
   * Closes the array, writes any `extra` fields (ones a foreign file kept after its array), then
   * `"messageCount"` and the final `}` (no trailing newline), and flushes.
   */
  async end(extra: ReadonlyArray<readonly [string, Uint8Array]> = []): Promise<void> {
    await this.put(encoder.encode(this.count === 0 ? "]," : "\n  ],"));
    for (const [key, raw] of extra) {
      await this.put(encoder.encode(`\n  ${JSON.stringify(key)}: `));
      await this.put(raw);
      await this.put(encoder.encode(","));
    }
    await this.put(encoder.encode(`\n  "messageCount": ${this.count}\n}`));
    await this.flush();
  }
}

const MESSAGE_FIRST = encoder.encode("\n    ");
const MESSAGE_NEXT = encoder.encode(",\n    ");

export async function writeAll(target: ByteSinkTarget, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await target.write(bytes.subarray(off));
}
