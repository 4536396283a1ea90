// Output a person can follow during a long export: a [i/n] channel counter and heartbeat lines
// (elapsed time, bytes written so far) that reach the workflow's log.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool } from "./_harness.ts";
import { DEMO, sandbox } from "./ops/sandbox.ts";

Deno.test("a slow export logs the channel counter and heartbeats while it runs", async () => {
  await using box = await sandbox([{ ...DEMO, count: 3, seeded: 3 }]);
  await box.grow(DEMO.channel, 7); // four new messages, one a second: a long export in miniature
  const log = join(box.dir, "run.log");
  const run = await runTool(
    "run-documents-scrape",
    ["--config", box.config, "--log-file", log],
    { env: { ...box.env, FAKE_DCE_DELAY_MS: "1000", DCE_HEARTBEAT_SECONDS: "1" } },
  );
  assert.equal(run.code, 0, run.stderr);
  const text = await Deno.readTextFile(log);
  assert.match(text, new RegExp(`\\[1/1\\] Exporting channel ${DEMO.channel} for target 'demo'`));
  const beats = text.match(
    new RegExp(
      `… still exporting channel ${DEMO.channel} \\[1/1\\]: \\d+s, \\d+(\\.\\d)?[BKM] written so far`,
      "g",
    ),
  );
  assert.ok(beats && beats.length >= 1, text);
  // The heartbeat stops with the export: none after the channel's outcome line.
  const outcome = text.search(/MERGED .* \(\+4 messages/);
  assert.ok(outcome > 0, text);
  assert.doesNotMatch(text.slice(outcome), /still exporting/);
});

Deno.test("DCE_HEARTBEAT_SECONDS=0 turns the heartbeat off", async () => {
  await using box = await sandbox([{ ...DEMO, count: 3, seeded: 3 }]);
  await box.grow(DEMO.channel, 5);
  const run = await runTool("run-scrape", ["scrape", "--config", box.config], {
    env: { ...box.env, FAKE_DCE_DELAY_MS: "700", DCE_HEARTBEAT_SECONDS: "0" },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /\[1\/1\] Exporting channel/);
  assert.doesNotMatch(run.stderr, /still exporting/);
});

Deno.test("each fact once: one plan, one disk line, one archive table per workflow", async () => {
  await using box = await sandbox();
  const count = (text: string, re: RegExp) => text.match(re)?.length ?? 0;
  const live = await runTool("run-documents-scrape", ["--config", box.config], { env: box.env });
  assert.equal(live.code, 0, live.stderr);
  assert.equal(count(live.stdout, /^=== .* run plan ===$/gm), 1, live.stdout);
  assert.equal(count(live.stdout, /^disk: /gm), 1, live.stdout);
  assert.equal(count(live.stdout, /^TARGET /gm), 1, live.stdout);

  const handoff = await runTool("operator-handoff", ["--config", box.config, "--skip-df"], {
    env: box.env,
  });
  assert.equal(handoff.code, 0, handoff.stderr);
  assert.equal(count(handoff.stdout, /^=== .* run plan ===$/gm), 1, handoff.stdout);
  assert.equal(count(handoff.stdout, /^TARGET /gm), 1, handoff.stdout);
  assert.equal(count(handoff.stdout, /^disk: /gm), 1, handoff.stdout);
});
