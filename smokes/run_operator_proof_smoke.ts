// run-operator-proof as a process (docs/bash-suite.md#smokes-carried-over; docs/bash-suite.md#h30-proof-with-several-targets several targets, docs/bash-suite.md#h31-proof-truncated-its-log appended log) with the fake DCE CLI.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool } from "./_harness.ts";
import { DEMO, DEMO2, legacyHolder, messageIds, ourHolder, sandbox } from "./ops/sandbox.ts";

const both = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

Deno.test("dry run and salvage-only stop after the handoff, without a JSON summary line", async () => {
  await using box = await sandbox();
  const dry = await runTool("run-operator-proof", [
    "--config",
    box.config,
    "--target",
    "demo",
    "--dry-run",
  ], {
    env: box.env,
  });
  assert.equal(dry.code, 0, both(dry));
  assert.match(dry.stdout, /=== Operator proof run plan ===/);
  assert.equal(
    dry.stdout.match(/ run plan ===$/gm)?.length,
    1,
    "the plan once, not again by the handoff",
  );
  assert.match(dry.stdout, /^Dry run complete \(no Discord scrape\)\.$/m);
  assert.doesNotMatch(both(dry), /JSON summary file:/);

  const salvage = await runTool("run-operator-proof", [
    "--config",
    box.config,
    "--target",
    "demo",
    "--salvage-only",
  ], {
    env: box.env,
  });
  assert.equal(salvage.code, 0, both(salvage));
  // The proof holds the lock; its handoff and salvage work under it instead of stopping on it.
  assert.match(
    salvage.stdout,
    /^The scrape lock is held by the workflow that started this handoff/m,
  );
  assert.match(
    salvage.stdout,
    /^Salvage-only proof complete \(no Discord scrape or append proof\)\.$/m,
  );
  assert.doesNotMatch(both(salvage), /JSON summary file:/);
  assert.equal((await messageIds(box.archivePath(DEMO))).length, 3);
});

Deno.test("salvage-before-scrape: salvage, scrape and grow-only proof pass for one target", async () => {
  await using box = await sandbox();
  const log = join(box.dir, "proof.log");
  await Deno.writeTextFile(log, "previous proof\n");
  const run = await runTool(
    "run-operator-proof",
    ["--config", box.config, "--target", "demo", "--salvage-before-scrape", "--log-file", log],
    { env: box.env },
  );
  assert.equal(run.code, 0, both(run));
  assert.match(both(run), /salvage completed/);
  assert.match(run.stdout, /^JSON summary file: .*proof\.summary\.json$/m);
  assert.match(run.stdout, /^Operator proof passed for demo$/m);
  assert.match(run.stdout, /^Operator proof summary: 1 succeeded, 0 failed \(of 1\)$/m);
  assert.equal((await messageIds(box.archivePath(DEMO))).length, DEMO.count);
  const text = await Deno.readTextFile(log);
  assert.ok(
    text.startsWith("previous proof\n"),
    "the log is appended (docs/bash-suite.md#h31-proof-truncated-its-log)",
  );
  assert.match(text, /Operator proof passed for demo/);
  assert.equal(JSON.parse(await Deno.readTextFile(join(box.dir, "proof.summary.json"))).version, 1);
});

Deno.test("every enabled target is proven, each with its own summary (docs/bash-suite.md#h30-proof-with-several-targets)", async () => {
  await using box = await sandbox([DEMO, DEMO2]);
  const run = await runTool("run-operator-proof", ["--config", box.config], { env: box.env });
  assert.equal(run.code, 0, both(run));
  assert.match(run.stdout, /^Operator proof for 2 enabled target\(s\)$/m);
  assert.match(run.stdout, /^Operator proof passed for demo$/m);
  assert.match(run.stdout, /^Operator proof passed for demo2$/m);
  assert.match(run.stdout, /^Operator proof summary: 2 succeeded, 0 failed \(of 2\)$/m);
  // The proof names each file and the documents run it starts prints the same path again.
  const matches = run.stdout.matchAll(
    /^JSON summary file: (\S+operator-proof-\S+\.summary\.json)$/gm,
  );
  const files = [...new Set([...matches].map((m) => m[1]!))];
  assert.equal(files.length, 2);
  for (const file of files) assert.equal(JSON.parse(await Deno.readTextFile(file)).version, 1);
  assert.equal((await messageIds(box.archivePath(DEMO2))).length, DEMO2.count);
});

Deno.test("a held lock (ours or legacy) stops the proof before its handoff: archives untouched, exit 1", async () => {
  await using box = await sandbox();
  for (const make of [() => ourHolder(box), () => legacyHolder(box.lock)]) {
    await using _holder = await make();
    const run = await runTool("run-operator-proof", ["--config", box.config, "--target", "demo"], {
      env: box.env,
    });
    assert.equal(run.code, 1, both(run));
    assert.match(run.stderr, /^ERROR: Scrape lock is held; another scrape may be running/m);
    assert.doesNotMatch(both(run), /Operator handoff|--- Target:/, "no step ran");
    assert.match(run.stdout, /^Log: /m);
    assert.equal((await messageIds(box.archivePath(DEMO))).length, 3);
  }
});

Deno.test("proof bad input: exclusive flags, unknown target, unwritable log folder, missing config", async () => {
  await using box = await sandbox();
  const flags = await runTool("run-operator-proof", [
    "--config",
    box.config,
    "--salvage-only",
    "--dry-run",
  ], {
    env: box.env,
  });
  assert.equal(flags.code, 2);
  assert.match(flags.stderr, /^ERROR: --salvage-only cannot be combined with --dry-run\.$/m);
  const unknown = await runTool(
    "run-operator-proof",
    ["--config", box.config, "--target", "nope"],
    { env: box.env },
  );
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^ERROR: Unknown target 'nope' in /m);
  const log = await runTool(
    "run-operator-proof",
    ["--config", box.config, "--log-file", join(box.config, "p.log")],
    { env: box.env },
  );
  assert.equal(log.code, 1);
  assert.match(log.stderr, /^ERROR: Cannot create log folder/m);
  assert.equal(log.stderr.trim().split("\n").length, 1);
  const missing = await runTool("run-operator-proof", ["--config", join(box.dir, "no.json")], {
    env: box.env,
  });
  assert.equal(missing.code, 2);
  assert.match(
    missing.stderr,
    /^ERROR: Missing config: .* Copy config\/scrape-targets\.example\.json/m,
  );
});
