// pumpLines: the one line pump (DCE runs, the host runner's exporter, workflow children).
import assert from "node:assert/strict";
import { pumpLines } from "../lib/process/line_pump.ts";
import { streamOf } from "./fixtures/helpers.ts";

async function lines(chunks: string[], opts = {}): Promise<string[]> {
  const seen: string[] = [];
  await pumpLines(streamOf(chunks), (line) => seen.push(line), opts);
  return seen;
}

Deno.test("pumpLines(): lines across chunks, CRLF, a last line without newline, split UTF-8", async () => {
  const euro = new TextEncoder().encode("€");
  const seen: string[] = [];
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode("a\r\nb"));
      c.enqueue(euro.subarray(0, 1));
      c.enqueue(euro.subarray(1));
      c.enqueue(new TextEncoder().encode("\nlast\r"));
      c.close();
    },
  });
  await pumpLines(stream, (line) => seen.push(line));
  assert.deepEqual(seen, ["a", "b€", "last"]);
});

Deno.test("pumpLines(): an over-long line is split into pieces, or truncated to its first", async () => {
  const flood = ["x".repeat(25), "y\nz\n"];
  assert.deepEqual(await lines(flood, { maxLine: 10 }), [
    "x".repeat(10),
    "x".repeat(10),
    "xxxxxy",
    "z",
  ]);
  assert.deepEqual(await lines(flood, { maxLine: 10, overlong: "truncate" }), [
    "x".repeat(10),
    "z",
  ]);
});

Deno.test("pumpLines(): a failing chunk sink gets nothing more, the stream is still drained", async () => {
  let calls = 0;
  const seen = await lines(["a\n", "b\n", "c\n"], {
    onChunk: () => {
      calls++;
      return Promise.reject(new Error("Broken pipe (os error 32)"));
    },
  });
  assert.equal(calls, 1);
  assert.deepEqual(seen, ["a", "b", "c"]);
});
