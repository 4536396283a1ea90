// docs/lock.md#torn-meta: one writer rewrites L.meta 10,000 times while readers read it; never a torn record.
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./_harness.ts";
import { collect, Procs, SCALE, waitFor } from "./lock/fixtures.ts";

Deno.test(`torn meta: 1 writer x ${10_000 * SCALE} rewrites, 3 readers, no mixed or truncated record`, async () => {
  await using tmp = await tempDir("dce-lock-meta-");
  await using procs = new Procs();
  const lock = join(tmp.path, "L");
  // Publish a first record so readers never start before the file exists.
  const first = await collect(procs.contender(["meta-writer", lock, "1"]));
  assert.equal(first.code, 0, first.stderr);
  Deno.removeSync(`${lock}.writer-done`);
  const readers = Array.from({ length: 3 }, () => procs.contender(["meta-reader", lock]));
  // Every reader reads before the writer starts, however slowly a loaded machine starts them.
  const ready = () =>
    [...Deno.readDirSync(tmp.path)].filter((e) => e.name.startsWith("L.reader-ready."));
  await waitFor(() => ready().length === readers.length, "readers ready");
  const writer = await collect(procs.contender(["meta-writer", lock, String(10_000 * SCALE)]));
  assert.equal(writer.code, 0, writer.stderr);
  let total = 0;
  for (const reader of readers) {
    const out = await collect(reader);
    assert.equal(out.code, 0, out.stderr);
    const { reads, bad } = JSON.parse(out.stdout) as { reads: number; bad: number };
    assert.equal(bad, 0, `${bad} torn or missing reads out of ${reads}`);
    total += reads;
  }
  assert.ok(total > 100, `readers overlapped the writer (${total} reads)`);
  const leftovers = [...Deno.readDirSync(tmp.path)].map((e) => e.name).filter((n) =>
    n.endsWith(".tmp")
  );
  assert.deepEqual(leftovers, [], "no temp files left behind");
});
