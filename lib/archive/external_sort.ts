// Bounded-memory sort of message streams that are out of id order or hold duplicate ids:
// sorted runs of at most `runBytes` spilled to temp files, then a k-way merge by (id, rank, seq).
import { join } from "node:path";
import { compareIds } from "./snowflake.ts";
import type { RawMessage } from "./export_reader.ts";
import { writeAll } from "../fs/write_all.ts";

/** One message with where it came from: rank 0 = archive, 1 = export; seq = position in its file. */
export interface SortRecord {
  id: string;
  rank: number;
  seq: number;
  bytes: Uint8Array;
}

export interface SortSource {
  rank: number;
  next(): Promise<RawMessage | null>;
}

function compareRecords(a: SortRecord, b: SortRecord): number {
  return compareIds(a.id, b.id) || a.rank - b.rank || a.seq - b.seq;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEADER = 16; // u16 idLen, u8 rank, u8 pad, u32 msgLen, f64 seq

async function writeRun(path: string, records: SortRecord[]): Promise<void> {
  using file = await Deno.open(path, { write: true, createNew: true });
  const buf = new Uint8Array(1 << 20);
  let len = 0;
  const flush = async () => {
    await writeAll(file, buf.subarray(0, len));
    len = 0;
  };
  for (const r of records) {
    const id = encoder.encode(r.id);
    const size = HEADER + id.length + r.bytes.length;
    if (len + size > buf.length) await flush();
    if (size > buf.length) {
      // An unusually large message: write it on its own.
      const one = new Uint8Array(size);
      encodeRecord(one, 0, id, r);
      await writeAll(file, one);
      continue;
    }
    encodeRecord(buf, len, id, r);
    len += size;
  }
  await flush();
}

function encodeRecord(buf: Uint8Array, at: number, id: Uint8Array, r: SortRecord): void {
  // The reader refuses ids over MAX_ID_BYTES; this guards the 16-bit length field all the same.
  if (id.length > 0xffff) throw new Error(`a message id of ${id.length} bytes cannot be sorted`);
  const view = new DataView(buf.buffer, buf.byteOffset + at, HEADER);
  view.setUint16(0, id.length);
  view.setUint8(2, r.rank);
  view.setUint32(4, r.bytes.length);
  view.setFloat64(8, r.seq);
  buf.set(id, at + HEADER);
  buf.set(r.bytes, at + HEADER + id.length);
}

/** Streams the records of one run file back, with a small read buffer. */
class RunReader {
  private readonly file: Deno.FsFile;
  private buf = new Uint8Array(1 << 16);
  private start = 0;
  private end = 0;
  private eof = false;

  constructor(file: Deno.FsFile) {
    this.file = file;
  }

  private async ensure(n: number): Promise<boolean> {
    while (this.end - this.start < n) {
      if (this.eof) return false;
      if (this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
        this.end -= this.start;
        this.start = 0;
      }
      if (this.buf.length < n) {
        const bigger = new Uint8Array(Math.max(n, this.buf.length * 2));
        bigger.set(this.buf.subarray(0, this.end));
        this.buf = bigger;
      }
      const r = await this.file.read(this.buf.subarray(this.end));
      if (r === null) this.eof = true;
      else this.end += r;
    }
    return true;
  }

  async next(): Promise<SortRecord | null> {
    if (!(await this.ensure(HEADER))) return null;
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.start, HEADER);
    const idLen = view.getUint16(0);
    const rank = view.getUint8(2);
    const msgLen = view.getUint32(4);
    const seq = view.getFloat64(8);
    if (!(await this.ensure(HEADER + idLen + msgLen))) {
      throw new Error("sort run file ended inside a record");
    }
    const at = this.start + HEADER;
    const id = decoder.decode(this.buf.subarray(at, at + idLen));
    const bytes = this.buf.slice(at + idLen, at + idLen + msgLen);
    this.start = at + idLen + msgLen;
    return { id, rank, seq, bytes };
  }

  close(): void {
    this.file.close();
  }
}

/** A binary min-heap of run heads. */
class Heap {
  private items: { rec: SortRecord; run: number }[] = [];
  get size(): number {
    return this.items.length;
  }
  push(item: { rec: SortRecord; run: number }): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (compareRecords(a[i]!.rec, a[p]!.rec) >= 0) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): { rec: SortRecord; run: number } | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && compareRecords(a[l]!.rec, a[m]!.rec) < 0) m = l;
        if (r < a.length && compareRecords(a[r]!.rec, a[m]!.rec) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Yields every message of every source in (id, rank, seq) order. Memory: one run (`runBytes`) while
 * sorting, then one small buffer per run. Run files live in `workDir` (created and removed here).
 */
export async function* externallySorted(
  sources: SortSource[],
  workDir: string,
  runBytes = 32 << 20,
): AsyncGenerator<SortRecord> {
  await Deno.mkdir(workDir, { mode: 0o700 });
  const runs: string[] = [];
  const readers: RunReader[] = [];
  try {
    let batch: SortRecord[] = [];
    let batchBytes = 0;
    const spill = async () => {
      batch.sort(compareRecords);
      const path = join(workDir, `run-${runs.length}`);
      await writeRun(path, batch);
      runs.push(path);
      batch = [];
      batchBytes = 0;
    };
    for (const source of sources) {
      let seq = 0;
      for (let m = await source.next(); m !== null; m = await source.next()) {
        batch.push({ id: m.id, rank: source.rank, seq: seq++, bytes: m.bytes });
        batchBytes += m.bytes.length + m.id.length + 64;
        if (batchBytes >= runBytes) await spill();
      }
    }
    if (runs.length === 0) {
      // Everything fit in memory: no files needed.
      batch.sort(compareRecords);
      yield* batch;
      return;
    }
    if (batch.length > 0) await spill();
    const heap = new Heap();
    for (const path of runs) {
      const reader = new RunReader(await Deno.open(path, { read: true }));
      readers.push(reader);
      const rec = await reader.next();
      if (rec) heap.push({ rec, run: readers.length - 1 });
    }
    while (heap.size > 0) {
      const top = heap.pop()!;
      yield top.rec;
      const rec = await readers[top.run]!.next();
      if (rec) heap.push({ rec, run: top.run });
    }
  } finally {
    for (const r of readers) r.close();
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  }
}
