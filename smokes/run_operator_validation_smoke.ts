// run-operator-validation as a process (docs/bash-suite.md#smokes-carried-over) with real lock holders and the fake DCE CLI.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool } from "./_harness.ts";
import { DEMO, DEMO2, legacyHolder, messageIds, ourHolder, sandbox } from "./ops/sandbox.ts";

const both = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;
const STAMP = "\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\]";

Deno.test("dry run per target: BEGIN/END steps, per-target summary, success, log appended", async () => {
  await using box = await sandbox([DEMO, DEMO2]);
  const log = join(box.dir, "validation.log");
  await Deno.writeTextFile(log, "older run\n");
  const run = await runTool(
    "run-operator-validation",
    ["--config", box.config, "--dry-run", "--per-target", "--log-file", log],
    { env: box.env },
  );
  assert.equal(run.code, 0, both(run));
  const text = await Deno.readTextFile(log);
  assert.ok(text.startsWith("older run\n"), "appended, not truncated");
  assert.match(text, new RegExp(`^${STAMP} BEGIN: verify-operator-ready$`, "m"));
  assert.match(text, new RegExp(`^${STAMP} END: verify-operator-ready \\(exit 0\\)$`, "m"));
  assert.match(text, new RegExp(`^${STAMP} Per-target begin: demo2 \\(2/2\\)$`, "m"));
  assert.match(text, /Per-target summary: 2 succeeded, 0 failed/);
  assert.match(text, /Operator validation finished successfully/);
  assert.match(run.stdout, new RegExp(`^Log: ${log}$`, "m"));
});

Deno.test("salvage-only for one target: mode and step markers, audit, success", async () => {
  await using box = await sandbox();
  const log = join(box.dir, "v.log");
  const run = await runTool(
    "run-operator-validation",
    ["--config", box.config, "--salvage-only", "--target", "demo", "--log-file", log],
    { env: { ...box.env, DCE_SKIP_SCRAPE_LOCK: "1" } },
  );
  assert.equal(run.code, 0, both(run));
  const text = await Deno.readTextFile(log);
  assert.match(text, /Mode: salvage-only/);
  assert.match(text, /BEGIN: run-documents-scrape \(salvage-only\)/);
  assert.match(text, /salvage completed/);
  assert.match(text, /END: audit-archive-json \(demo\) \(exit 0\)/);
  assert.match(text, /Operator validation finished successfully/);
});

Deno.test("live per target: one JSON summary per target, archives grown, audit passed", async () => {
  await using box = await sandbox([DEMO, DEMO2]);
  const run = await runTool("run-operator-validation", ["--config", box.config, "--per-target"], {
    env: box.env,
  });
  assert.equal(run.code, 0, both(run));
  const files = [...run.stdout.matchAll(/Per-target JSON summary: (\S+)/g)].map((m) => m[1]!);
  assert.equal(files.length, 2);
  assert.notEqual(files[0], files[1]);
  for (const file of files) assert.equal(JSON.parse(await Deno.readTextFile(file)).version, 1);
  assert.match(run.stdout, /Per-target summary: 2 succeeded, 0 failed/);
  assert.equal((await messageIds(box.archivePath(DEMO))).length, DEMO.count);
  assert.equal((await messageIds(box.archivePath(DEMO2))).length, DEMO2.count);
});

Deno.test("--continue-on-error keeps going after a failed target; without it the loop stops", async () => {
  await using box = await sandbox([DEMO, DEMO2]);
  // The first target's export fails like a full disk before its first message, on every run.
  const world = JSON.parse(await Deno.readTextFile(box.world));
  world.channels[0].enospcAfter = 0;
  await Deno.writeTextFile(box.world, JSON.stringify(world));
  const stop = await runTool("run-operator-validation", ["--config", box.config, "--per-target"], {
    env: box.env,
  });
  assert.equal(stop.code, 1, both(stop));
  assert.match(stop.stdout, /Per-target failed: demo \(scrape\)/);
  assert.match(stop.stdout, /Per-target summary: 0 succeeded, 1 failed/);
  assert.match(stop.stdout, /Operator validation failed \(1 step\(s\)\)\./);

  const go = await runTool(
    "run-operator-validation",
    ["--config", box.config, "--per-target", "--continue-on-error"],
    { env: box.env },
  );
  assert.equal(go.code, 1, both(go));
  assert.match(go.stdout, /Per-target summary: 1 succeeded, 1 failed/);
  assert.equal((await messageIds(box.archivePath(DEMO2))).length, DEMO2.count);
});

Deno.test("lock: held by ours or by a legacy flock holder → 'Scrape lock is held', exit 1, no step ran; --skip-scrape passes", async () => {
  await using box = await sandbox();
  for (const make of [() => ourHolder(box), () => legacyHolder(box.lock)]) {
    await using _holder = await make();
    const run = await runTool(
      "run-operator-validation",
      ["--config", box.config, "--salvage-only", "--target", "demo"],
      { env: box.env },
    );
    assert.equal(run.code, 1, both(run));
    assert.match(run.stderr, /^ERROR: Scrape lock is held; another scrape may be running/m);
    assert.doesNotMatch(both(run), /BEGIN: /, "the lock comes before the first step");
    assert.match(run.stdout, /^Log: /m);
    const skip = await runTool(
      "run-operator-validation",
      ["--config", box.config, "--skip-scrape"],
      {
        env: box.env,
      },
    );
    assert.equal(skip.code, 0, both(skip));
    assert.match(skip.stdout, /Skip scrape requested\./);
  }
});

Deno.test("validation bad input: exclusive flags, --sync-gui, unknown target, unwritable log folder", async () => {
  await using box = await sandbox();
  const cases: [string[], number, RegExp][] = [
    [
      ["--salvage-only", "--salvage-before-scrape"],
      2,
      /^ERROR: --salvage-only and --salvage-before-scrape are mutually exclusive\.$/m,
    ],
    [
      ["--salvage-only", "--dry-run"],
      2,
      /^ERROR: --salvage-only cannot be combined with --dry-run\.$/m,
    ],
    [["--sync-gui"], 2, /^ERROR: --sync-gui is not supported by dce-ops/],
    [["--log-file", join(box.config, "v.log")], 1, /^ERROR: Cannot create log folder/],
  ];
  for (const [args, code, pattern] of cases) {
    const run = await runTool("run-operator-validation", ["--config", box.config, ...args], {
      env: box.env,
    });
    assert.equal(run.code, code, `${args.join(" ")}: ${both(run)}`);
    assert.match(run.stderr, pattern);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  }
  const unknown = await runTool("run-operator-validation", [
    "--config",
    box.config,
    "--target",
    "nope",
    "--dry-run",
  ], {
    env: box.env,
  });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^ERROR: Unknown target 'nope' in /m);
});
