// run_summary: marker extraction (last line wins), recovery only into an empty/missing file, slugs, names.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  extractSummaryFromLog,
  perTargetSummaryFile,
  recoverSummaryIfMissing,
  summaryPayload,
  targetSlug,
} from "../lib/ops/run_summary.ts";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("extractSummaryFromLog() uses the last marker line and writes pretty JSON", async () => {
  await withDir(async (dir) => {
    const log = join(dir, "run.log");
    await Deno.writeTextFile(
      log,
      [
        'x DCE_JSON_SUMMARY: {"version":1,"n":1}',
        "noise",
        '[2026-01-01T00:00:00Z] DCE_JSON_SUMMARY: {"version":1,"n":2}',
        "tail",
      ].join("\n"),
    );
    const dest = join(dir, "sub", "s.json");
    await extractSummaryFromLog(log, dest);
    assert.equal(await Deno.readTextFile(dest), '{\n  "version": 1,\n  "n": 2\n}\n');
  });
});

Deno.test("extractSummaryFromLog() fails for a missing log, no marker, or a non-JSON payload", async () => {
  await withDir(async (dir) => {
    const dest = join(dir, "s.json");
    await assert.rejects(extractSummaryFromLog(join(dir, "none.log"), dest), /Run log not found/);
    await Deno.writeTextFile(join(dir, "a.log"), "nothing here\n");
    await assert.rejects(
      extractSummaryFromLog(join(dir, "a.log"), dest),
      /No DCE_JSON_SUMMARY: line/,
    );
    await Deno.writeTextFile(
      join(dir, "b.log"),
      'DCE_JSON_SUMMARY: {"ok":1}\nDCE_JSON_SUMMARY: {bad\n',
    );
    await assert.rejects(extractSummaryFromLog(join(dir, "b.log"), dest), /not valid JSON/);
    await assert.rejects(Deno.stat(dest), Deno.errors.NotFound);
  });
});

Deno.test("recoverSummaryIfMissing() leaves a non-empty destination alone, fills an empty one", async () => {
  await withDir(async (dir) => {
    const log = join(dir, "run.log");
    await Deno.writeTextFile(log, 'DCE_JSON_SUMMARY: {"v":1}\n');
    const dest = join(dir, "s.json");
    await Deno.writeTextFile(dest, "keep");
    assert.equal(await recoverSummaryIfMissing(log, dest), false);
    assert.equal(await Deno.readTextFile(dest), "keep");
    await Deno.writeTextFile(dest, "");
    assert.equal(await recoverSummaryIfMissing(log, dest), true);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(dest)), { v: 1 });
  });
});

Deno.test("summaryPayload(), targetSlug(), perTargetSummaryFile()", () => {
  assert.equal(summaryPayload("a DCE_JSON_SUMMARY: {}\r"), "{}");
  assert.equal(summaryPayload("no marker"), null);
  assert.equal(targetSlug("KotOR discord/msgs é.x-1"), "KotOR_discord_msgs__.x-1");
  assert.equal(
    perTargetSummaryFile("/l", "operator-proof", "a b", new Date("2026-03-04T05:06:07.890Z")),
    "/l/operator-proof-a_b-20260304T050607Z.summary.json",
  );
});
