// Streams a child's output live, line-aware, keeping only a bounded tail and the last summary line.

import { pumpLines } from "../process/line_pump.ts";
import { SUMMARY_MARKER } from "../scrape/run_summary.ts";
import { writeAll } from "../fs/write_all.ts";

/** Lines longer than this are cut in the tail (the stream itself is passed on untouched). */
const TAIL_LINE_CHARS = 2000;
/** A summary line longer than this is dropped rather than held (a runaway line must not eat memory). */
const SUMMARY_LINE_CHARS = 16 * 1024 * 1024;

/**
 * What the runner remembers of a run: the last `maxLines` lines (for auth classification and the
 * error context) and the last DCE_JSON_SUMMARY line (for summary recovery). Memory is bounded by
 * maxLines × TAIL_LINE_CHARS plus one summary line, however long the run.
 */
export class OutputTail {
  #lines: string[] = [];
  #summary: string | null = null;
  constructor(readonly maxLines = 200) {}

  push(line: string): void {
    this.#lines.push(line.length > TAIL_LINE_CHARS ? line.slice(0, TAIL_LINE_CHARS) : line);
    if (this.#lines.length > this.maxLines) this.#lines.shift();
    if (line.includes(SUMMARY_MARKER) && line.length <= SUMMARY_LINE_CHARS) this.#summary = line;
  }

  lines(): readonly string[] {
    return this.#lines;
  }

  get summaryLine(): string | null {
    return this.#summary;
  }

  /** Forget the tail between attempts, so the retry is classified on its own output. */
  clearLines(): void {
    this.#lines = [];
  }
}

export type ChunkSink = (chunk: Uint8Array) => Promise<void>;

/**
 * Copies `stream` to `sink` chunk by chunk as it arrives and feeds complete lines to `tail`; a
 * runaway line is held only up to the summary bound (then its first piece goes to the tail, which
 * cannot take it as the summary line). A failing sink gets nothing more; the stream is still drained.
 */
export function pumpToTail(
  stream: ReadableStream<Uint8Array>,
  sink: ChunkSink,
  tail: OutputTail,
): Promise<void> {
  return pumpLines(stream, (line) => tail.push(line), {
    onChunk: sink,
    maxLine: SUMMARY_LINE_CHARS + 1,
    overlong: "truncate",
  });
}

/** A sink writing all of each chunk to our stdout or stderr (pumpLines copes with a failing one). */
export function writerSink(target: { write(p: Uint8Array): Promise<number> }): ChunkSink {
  return (chunk) => writeAll(target, chunk);
}
