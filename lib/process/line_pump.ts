// Reads a child's output stream to its end, line by line, optionally passing the raw bytes on live.

export interface LinePumpOptions {
  /**
   * Gets every chunk as it arrives, before any line splitting (live output, no waiting for a
   * newline). A sink that fails (a reader gone: `| head`, BrokenPipe; a hung-up terminal, EIO) gets
   * nothing more, but the stream is still drained: the child must not block on a full pipe.
   */
  onChunk?: (chunk: Uint8Array) => Promise<void>;
  /** A line longer than this never sits in memory whole (a newline-free flood); default unbounded. */
  maxLine?: number;
  /** What happens to an over-long line: passed on in `maxLine` pieces, or only its first piece. */
  overlong?: "split" | "truncate";
}

/** Calls `onLine` for every line (without `\n` or `\r\n`), the last one even without a newline. */
export async function pumpLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
  opts: LinePumpOptions = {},
): Promise<void> {
  const maxLine = opts.maxLine ?? Infinity;
  const decoder = new TextDecoder();
  let pending = "";
  let dropping = false; // the rest of a truncated line, up to its newline
  let sink = opts.onChunk;
  for await (const chunk of stream) {
    if (sink !== undefined) {
      try {
        await sink(chunk);
      } catch {
        sink = undefined;
      }
    }
    pending += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      if (!dropping) onLine(pending.slice(0, nl).replace(/\r$/, ""));
      pending = pending.slice(nl + 1);
      dropping = false;
    }
    while (pending.length > maxLine) {
      if (opts.overlong === "truncate") {
        if (!dropping) onLine(pending.slice(0, maxLine));
        pending = "";
        dropping = true;
      } else {
        onLine(pending.slice(0, maxLine));
        pending = pending.slice(maxLine);
      }
    }
  }
  pending += decoder.decode();
  if (pending !== "" && !dropping) onLine(pending.replace(/\r$/, ""));
}
