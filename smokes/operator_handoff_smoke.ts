// operator-handoff as a process (docs/bash-suite.md#smokes-carried-over minus the KotOR hint; docs/bash-suite.md#h36-handoff-ignored-lock-errors) with real lock holders.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool } from "./_harness.ts";
import { DEMO, legacyHolder, messageIds, ourHolder, sandbox } from "./ops/sandbox.ts";

const both = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

Deno.test("handoff: plain, with --target/--channel, and salvage-only complete with their markers", async () => {
  await using box = await sandbox();
  const plain = await runTool("operator-handoff", ["--config", box.config, "--skip-df"], {
    env: box.env,
  });
  assert.equal(plain.code, 0, both(plain));
  assert.match(plain.stdout, /^Handoff complete\. Safe to run:$/m);
  assert.match(plain.stdout, /^Scrape lock status$/m);
  assert.match(plain.stdout, /=== Operator handoff run plan ===/);
  assert.match(plain.stdout, /^Operator ready\. Next:$/m);
  assert.match(plain.stdout, /^Dry run complete: archive paths verified/m);
  assert.doesNotMatch(plain.stdout, /^Disk summary$/m);
  assert.doesNotMatch(both(plain), /kotor/i);

  const scoped = await runTool(
    "operator-handoff",
    ["--config", box.config, "--skip-df", "--target", "demo", "--channel", DEMO.channel],
    { env: box.env },
  );
  assert.equal(scoped.code, 0, both(scoped));
  assert.match(
    scoped.stdout,
    new RegExp(
      `^  \\./dce run-documents-scrape --config \\S+ --target demo --channel ${DEMO.channel}$`,
      "m",
    ),
  );

  const salvage = await runTool(
    "operator-handoff",
    ["--config", box.config, "--skip-df", "--salvage-only", "--target", "demo"],
    { env: { ...box.env, DCE_SKIP_SCRAPE_LOCK: "1" } },
  );
  assert.equal(salvage.code, 0, both(salvage));
  assert.match(salvage.stdout, /^Handoff complete \(salvage-only\)\. Next:$/m);
  assert.match(both(salvage), /salvage completed/);
});

Deno.test("handoff prints a disk summary from the filesystem unless --skip-df", async () => {
  await using box = await sandbox();
  const run = await runTool("operator-handoff", ["--config", box.config], { env: box.env });
  assert.equal(run.code, 0, both(run));
  assert.match(run.stdout, /^Disk summary\n============\n/m);
  assert.match(run.stdout, /^ {2}size \S+, used \S+, available \S+ \(\d+% used\)$/m);
});

Deno.test("held lock: a salvage-only handoff stops with the reason; a dry-run handoff warns and completes (docs/bash-suite.md#h36-handoff-ignored-lock-errors)", async () => {
  await using box = await sandbox();
  for (const make of [() => ourHolder(box), () => legacyHolder(box.lock)]) {
    await using _holder = await make();
    const salvage = await runTool("operator-handoff", [
      "--config",
      box.config,
      "--skip-df",
      "--salvage-only",
    ], {
      env: box.env,
    });
    assert.equal(salvage.code, 1, both(salvage));
    assert.match(salvage.stdout, /^state: held \(active scrape\)$/m);
    assert.match(salvage.stderr, /^ERROR: Scrape lock is held; .*the handoff stops here\.$/m);
    assert.doesNotMatch(both(salvage), /Handoff complete|salvage completed/);

    const dry = await runTool("operator-handoff", ["--config", box.config, "--skip-df"], {
      env: box.env,
    });
    assert.equal(dry.code, 0, both(dry));
    assert.match(dry.stderr, /^WARN: scrape lock is held/m);
    assert.match(dry.stdout, /^Handoff complete\. Safe to run:$/m);
  }
  assert.equal((await messageIds(box.archivePath(DEMO))).length, 3);
});

Deno.test("a lock whose status cannot be read stops a salvage-only handoff and is not called 'held'", async () => {
  await using box = await sandbox();
  const dirLock = join(box.dir, "lock-dir");
  await Deno.mkdir(dirLock);
  const run = await runTool("operator-handoff", [
    "--config",
    box.config,
    "--skip-df",
    "--salvage-only",
  ], {
    env: { ...box.env, DCE_SCRAPE_LOCK_FILE: dirLock },
  });
  assert.equal(run.code, 1, both(run));
  assert.match(run.stderr, /^ERROR: Cannot check the scrape lock \(scrape-lock-status exit 2/m);
  assert.doesNotMatch(run.stderr, /Scrape lock is held/);
});

Deno.test("handoff bad input: unknown target, unknown option, missing config", async () => {
  await using box = await sandbox();
  const unknown = await runTool("operator-handoff", ["--config", box.config, "--target", "nope"], {
    env: box.env,
  });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^ERROR: Unknown target 'nope' in /);
  const option = await runTool("operator-handoff", ["--dry-run"], { env: box.env });
  assert.equal(option.code, 2);
  assert.match(option.stderr, /^ERROR: Unknown option '--dry-run'\.$/m);
  const missing = await runTool("operator-handoff", ["--config", join(box.dir, "none.json")], {
    env: box.env,
  });
  assert.equal(missing.code, 2);
  assert.match(
    missing.stderr,
    /^ERROR: Missing config: .* Copy config\/scrape-targets\.example\.json/,
  );
  assert.equal(missing.stderr.trim().split("\n").length, 1);
});

Deno.test("the lock status shown is the lock the host runner takes (its file may be named in scrape.env)", async () => {
  await using box = await sandbox();
  const custom = join(box.dir, "custom.lock");
  await Deno.writeTextFile(box.env.DCE_ENV_FILE!, `DCE_SCRAPE_LOCK_FILE=${custom}\n`);
  await using _holder = await legacyHolder(custom);
  const run = await runTool("operator-handoff", [
    "--config",
    box.config,
    "--skip-df",
    "--salvage-only",
  ], { env: box.env });
  assert.equal(run.code, 1, both(run));
  assert.ok(run.stdout.includes(custom), run.stdout);
  assert.match(run.stdout, /^state: held \(active scrape\)$/m);
  assert.match(run.stderr, /^ERROR: Scrape lock is held; .*the handoff stops here\.$/m);
});
