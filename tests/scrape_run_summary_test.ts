// run_summary + SummaryCapture: this run's last marker wins, recovery only into an empty/missing file, slugs, names.
import assert from "node:assert/strict";
import { join } from "node:path";
import { OpsLog } from "../lib/ops/ops_log.ts";
import { perTargetSummaryFile, summaryPayload, targetSlug } from "../lib/scrape/run_summary.ts";
import { SummaryCapture } from "../lib/ops/summary_capture.ts";
import { underFileSizeLimit, withTempDir as withDir } from "./fixtures/helpers.ts";

const quiet = { stdout: () => {}, stderr: () => {} };

Deno.test("SummaryCapture writes this run's last marker as pretty JSON, creating the folder", async () => {
  await withDir(async (dir) => {
    using log = await OpsLog.open(undefined, quiet);
    const capture = new SummaryCapture(log);
    assert.equal(capture.seen, false);
    log.out('x DCE_JSON_SUMMARY: {"version":1,"n":1}');
    log.out("noise");
    log.err('[2026-01-01T00:00:00Z] DCE_JSON_SUMMARY: {"version":1,"n":2}');
    log.out("tail");
    const dest = join(dir, "sub", "s.json");
    assert.equal(await capture.recoverInto(dest), `JSON summary recovered from log: ${dest}`);
    assert.equal(await Deno.readTextFile(dest), '{\n  "version": 1,\n  "n": 2\n}\n');
  });
});

Deno.test("SummaryCapture leaves a non-empty file alone, fills an empty one, warns on bad or no JSON", async () => {
  await withDir(async (dir) => {
    using log = await OpsLog.open(undefined, quiet);
    const capture = new SummaryCapture(log);
    const dest = join(dir, "s.json");
    assert.match((await capture.recoverInto(dest))!, /^WARN: no DCE_JSON_SUMMARY: line/);
    log.out('DCE_JSON_SUMMARY: {"v":1}');
    await Deno.writeTextFile(dest, "keep");
    assert.equal(await capture.recoverInto(dest), undefined);
    assert.equal(await Deno.readTextFile(dest), "keep");
    await Deno.writeTextFile(dest, "");
    assert.match((await capture.recoverInto(dest))!, /^JSON summary recovered/);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(dest)), { v: 1 });
    log.out("DCE_JSON_SUMMARY: {bad");
    const other = join(dir, "t.json");
    assert.match((await capture.recoverInto(other))!, /^WARN: .*not valid JSON/);
    await assert.rejects(Deno.stat(other), Deno.errors.NotFound);
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

Deno.test("writeSummaryFile() that cannot finish (a full disk) leaves no temp file behind", async () => {
  await withDir(async (dir) => {
    const module = new URL("../lib/scrape/run_summary.ts", import.meta.url).href;
    const said = await underFileSizeLimit(
      `await (await import(${JSON.stringify(module)})).writeSummaryFile(${
        JSON.stringify(join(dir, "s.json"))
      }, { pad: "x".repeat(1 << 20) })`,
    );
    assert.notEqual(said, "written");
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), []);
  });
});
