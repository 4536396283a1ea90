// run-documents-scrape as a process against the fake DCE CLI (docs/bash-suite.md#smokes-carried-over; docs/bash-suite.md#h8-any-error-means-held, docs/bash-suite.md#h24-config-divergence, docs/bash-suite.md#h32-no-log-line-on-failure) with real lock holders.
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, runTool, spawnTool } from "./_harness.ts";
import { DEMO, legacyHolder, messageIds, ourHolder, sandbox } from "./ops/sandbox.ts";

const both = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

Deno.test("dry run prints the plan and never a JSON summary line", async () => {
  await using box = await sandbox();
  for (const extra of [[], ["--target", "demo", "--channel", DEMO.channel]]) {
    const run = await runTool("run-documents-scrape", [
      "--config",
      box.config,
      "--dry-run",
      ...extra,
    ], {
      env: box.env,
    });
    assert.equal(run.code, 0, both(run));
    assert.match(run.stdout, /=== Documents scrape run plan ===/);
    assert.match(
      run.stdout,
      /^Dry run complete: archive paths verified; token from DISCORD_TOKEN exported in the environment\. Rerun without --dry-run to scrape\.$/m,
    );
    assert.doesNotMatch(both(run), /JSON summary file:/);
  }
  // Only without a token does it say to provide one.
  const none = await runTool("run-documents-scrape", ["--config", box.config, "--dry-run"], {
    env: { ...box.env, DISCORD_TOKEN: "" },
  });
  assert.equal(none.code, 0, both(none));
  assert.match(none.stdout, /^Dry run complete: archive paths verified\. Export DISCORD_TOKEN/m);
});

Deno.test("a dry run on a missing archive root fails; it never says the paths are verified", async () => {
  await using box = await sandbox();
  await Deno.remove(box.archiveRoot, { recursive: true });
  const run = await runTool("run-documents-scrape", ["--config", box.config, "--dry-run"], {
    env: box.env,
  });
  assert.equal(run.code, 1, both(run));
  assert.match(run.stdout, /^Archive root: .* \(missing\)$/m);
  assert.match(
    run.stderr,
    /^ERROR: archive_root ".*" \(config .*\) does not exist or is not a folder/m,
  );
  assert.doesNotMatch(both(run), /ready to scrape|archive paths verified/);
});

Deno.test("live run scrapes the operator's own config, tees an auto log and writes the summary", async () => {
  await using box = await sandbox();
  const before = await messageIds(box.archivePath(DEMO));
  assert.equal(before.length, 3);
  const run = await runTool("run-documents-scrape", ["--config", box.config, "--target", "demo"], {
    env: box.env,
  });
  assert.equal(run.code, 0, both(run));
  assert.match(run.stdout, /^JSON summary file: .*documents-scrape-\d{8}T\d{6}Z\.summary\.json$/m);
  const logLine = run.stdout.match(/^Log: (.*)$/m);
  assert.ok(logLine, "Log: line");
  const logPath = logLine[1]!;
  assert.ok(logPath.startsWith(box.logs), "auto log under DCE_LOG_DIR");
  const logged = await Deno.readTextFile(logPath);
  assert.match(logged, /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\] JSON summary file: /m);
  assert.match(logged, /Exporting channel/, "per-channel progress reaches the log");
  // The config given is the config scraped (docs/bash-suite.md#h24-config-divergence): the sandbox archive grew by the world's 2 new messages.
  const after = await messageIds(box.archivePath(DEMO));
  assert.equal(after.length, 5);
  assert.deepEqual(after.slice(0, 3), before);
  const summary = JSON.parse(await Deno.readTextFile(logPath.replace(/\.log$/, ".summary.json")));
  assert.equal(summary.version, 1);
  assert.equal(summary.totals.messages_appended, 2);
});

Deno.test("--log-file appends (earlier content kept) and names the log and summary", async () => {
  await using box = await sandbox();
  const log = join(box.dir, "custom", "run.log");
  await Deno.mkdir(join(box.dir, "custom"));
  await Deno.writeTextFile(log, "earlier run\n");
  const run = await runTool("run-documents-scrape", ["--config", box.config, "--log-file", log], {
    env: box.env,
  });
  assert.equal(run.code, 0, both(run));
  const text = await Deno.readTextFile(log);
  assert.ok(text.startsWith("earlier run\n"));
  assert.ok(text.includes(`Log file: ${log}`));
  assert.ok(text.includes(`JSON summary file: ${join(box.dir, "custom", "run.summary.json")}`));
  assert.match(run.stdout, new RegExp(`^Log: ${log}$`, "m"));
});

Deno.test("salvage-only and salvage-before: salvage completed; only the live one prints a summary line", async () => {
  await using box = await sandbox();
  const only = await runTool("run-documents-scrape", ["--config", box.config, "--salvage-only"], {
    env: box.env,
  });
  assert.equal(only.code, 0, both(only));
  assert.match(both(only), /salvage completed/);
  assert.doesNotMatch(both(only), /JSON summary file:/);
  assert.equal((await messageIds(box.archivePath(DEMO))).length, 3, "salvage never exports");

  const before = await runTool("run-documents-scrape", [
    "--config",
    box.config,
    "--salvage-before-scrape",
  ], {
    env: box.env,
  });
  assert.equal(before.code, 0, both(before));
  assert.match(both(before), /salvage completed/);
  assert.match(before.stdout, /JSON summary file:/);
  assert.equal((await messageIds(box.archivePath(DEMO))).length, 5);
});

Deno.test("lock gate: a held lock (ours, then a legacy flock holder) stops the run before anything runs", async () => {
  await using box = await sandbox();
  for (const make of [() => ourHolder(box), () => legacyHolder(box.lock)]) {
    await using _holder = await make();
    for (const mode of [["--salvage-only"], []]) {
      const run = await runTool("run-documents-scrape", ["--config", box.config, ...mode], {
        env: box.env,
      });
      assert.equal(run.code, 1, both(run));
      assert.match(
        run.stderr,
        /^ERROR: Scrape lock is held; another scrape may be running\. Inspect: .*scrape-lock-status --config /m,
      );
      assert.doesNotMatch(both(run), /salvage completed|Exporting channel/);
      assert.equal((await messageIds(box.archivePath(DEMO))).length, 3);
    }
  }
  // DCE_SKIP_SCRAPE_LOCK=1 skips the gate and says so.
  await using _legacy = await legacyHolder(box.lock);
  const skipped = await runTool(
    "run-documents-scrape",
    ["--config", box.config, "--salvage-only"],
    {
      env: { ...box.env, DCE_SKIP_SCRAPE_LOCK: "1" },
    },
  );
  assert.equal(skipped.code, 0, both(skipped));
  assert.match(skipped.stderr, /DCE_SKIP_SCRAPE_LOCK=1/);
});

Deno.test("a lock that cannot be inspected is reported as such, never as 'held' (docs/bash-suite.md#h8-any-error-means-held)", async () => {
  await using box = await sandbox();
  const dirLock = join(box.dir, "lock-is-a-dir");
  await Deno.mkdir(dirLock);
  const run = await runTool("run-documents-scrape", ["--config", box.config, "--salvage-only"], {
    env: { ...box.env, DCE_SCRAPE_LOCK_FILE: dirLock },
  });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^ERROR: Cannot take the scrape lock .*\(this is not "lock held"\)/m);
  assert.doesNotMatch(run.stderr, /Scrape lock is held/);
});

Deno.test("a failing scrape still prints Log: and keeps the log (docs/bash-suite.md#h32-no-log-line-on-failure)", async () => {
  await using box = await sandbox();
  const run = await runTool("run-documents-scrape", ["--config", box.config], {
    env: { ...box.env, FAKE_DCE_REJECT_TOKEN: "1" },
  });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /^ERROR: run-scrape-host preflight failed \(exit \d+\)/m);
  const log = run.stdout.match(/^Log: (.*)$/m)?.[1];
  assert.ok(log, "Log: line on failure");
  assert.match(await Deno.readTextFile(log), /ERROR: run-scrape-host preflight failed/);
});

Deno.test("a cron-style fixed log: a failed run replaces last month's summary with its own, never leaves none", async () => {
  await using box = await sandbox();
  const log = join(box.dir, "discord-scrape.log");
  const summary = join(box.dir, "discord-scrape.summary.json");
  await Deno.writeTextFile(summary, '{"version":1,"finished_at":"last month"}\n');
  const failed = await runTool(
    "run-documents-scrape",
    ["--config", box.config, "--log-file", log],
    {
      env: { ...box.env, FAKE_DCE_REJECT_TOKEN: "1" },
    },
  );
  assert.notEqual(failed.code, 0);
  // Issue 9: the older suite deleted the previous summary first and then wrote none.
  const own = JSON.parse(await Deno.readTextFile(summary));
  assert.notEqual(own.finished_at, "last month");
  assert.equal(own.outcome, "failed");
  assert.equal(own.exit_code, failed.code);
  const ok = await runTool("run-documents-scrape", ["--config", box.config, "--log-file", log], {
    env: box.env,
  });
  assert.equal(ok.code, 0, both(ok));
  assert.notEqual(JSON.parse(await Deno.readTextFile(summary)).finished_at, "last month");
});

Deno.test("bad input: one clear line and the documented exit code, nothing changed", async () => {
  await using box = await sandbox();
  const archive = await Deno.readTextFile(box.archivePath(DEMO));
  const cases: [string[], number, RegExp][] = [
    [["--target", "nope"], 1, /^ERROR: Unknown target 'nope' in /],
    [
      ["--dry-run", "--salvage-only"],
      2,
      /^ERROR: Use only one of --dry-run, --salvage-only, or --salvage-before-scrape\.$/m,
    ],
    [["--bogus"], 2, /^ERROR: Unknown option '--bogus'\.$/m],
    [
      ["--log-file", join(box.config, "x.log")],
      1,
      /^ERROR: Cannot create log folder ".*scrape-targets\.json"/,
    ],
  ];
  for (const [args, code, pattern] of cases) {
    const run = await runTool("run-documents-scrape", ["--config", box.config, ...args], {
      env: box.env,
    });
    assert.equal(run.code, code, `${args.join(" ")}: ${both(run)}`);
    assert.match(run.stderr, pattern);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  }
  const missing = await runTool("run-documents-scrape", [
    "--config",
    join(box.dir, "missing.json"),
    "--dry-run",
  ], {
    env: box.env,
  });
  assert.equal(missing.code, 2);
  assert.match(
    missing.stderr,
    /^ERROR: Missing config: .* Copy config\/scrape-targets\.example\.json/,
  );
  assert.equal(await Deno.readTextFile(box.archivePath(DEMO)), archive);
});

Deno.test("SIGTERM during the scrape reaches the host runner: exit 143, Log: printed, lock released", async () => {
  await using box = await sandbox();
  const world = JSON.parse(await Deno.readTextFile(box.world));
  world.channels[0].count = 400;
  world.channels[0].delayMs = 50;
  await Deno.writeTextFile(box.world, JSON.stringify(world));
  const child = spawnTool("run-documents-scrape", ["--config", box.config], { env: box.env });
  // The core logs on stderr: watch both streams and signal once a channel export has started.
  const text = { out: "", err: "" };
  let signalled = false;
  const pump = async (stream: ReadableStream<Uint8Array>, key: "out" | "err") => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text[key] += chunk;
      if (!signalled && /Exporting channel/.test(text.out + text.err)) {
        signalled = true;
        child.kill("SIGTERM");
      }
    }
  };
  await Promise.all([pump(child.stdout, "out"), pump(child.stderr, "err")]);
  const status = await child.status;
  assert.ok(signalled, text.out + text.err);
  assert.equal(status.code, 143, text.out + text.err);
  assert.match(text.err, /Interrupted by SIGTERM while run-scrape-host ran/);
  assert.match(text.out, /^Log: /m);
  const lock = await runTool("scrape-lock-status", ["--config", box.config], { env: box.env });
  assert.equal(lock.code, 0, lock.stdout);
  assert.doesNotMatch(lock.stdout, /state: held/);
  assert.equal((await messageIds(box.archivePath(DEMO))).length, 3, "archive untouched");
});

Deno.test("Ctrl-C (SIGINT to the whole foreground group) cancels the export once, gracefully: exit 130", async () => {
  await using box = await sandbox();
  const world = JSON.parse(await Deno.readTextFile(box.world));
  world.channels[0].count = 400;
  world.channels[0].delayMs = 50;
  await Deno.writeTextFile(box.world, JSON.stringify(world));
  const fakeLog = join(box.dir, "fake-dce.jsonl");
  // detached: the workflow leads its own group, as a shell job does; the signal goes to the group.
  const child = spawnTool("run-documents-scrape", ["--config", box.config], {
    env: { ...box.env, FAKE_DCE_LOG: fakeLog },
    detached: true,
  });
  const text = { out: "", err: "" };
  let signalled = false;
  const pump = async (stream: ReadableStream<Uint8Array>, key: "out" | "err") => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text[key] += chunk;
      if (!signalled && /Exporting channel/.test(text.out + text.err)) {
        signalled = true;
        Deno.kill(-child.pid, "SIGINT");
      }
    }
  };
  await Promise.all([pump(child.stdout, "out"), pump(child.stderr, "err")]);
  const status = await child.status;
  assert.equal(status.code, 130, text.out + text.err);
  const exports = (await Deno.readTextFile(fakeLog)).trim().split("\n").map((l) => JSON.parse(l))
    .filter((e) => e.argv[0] === "export");
  assert.equal(exports.length, 1);
  // A forwarded-twice SIGINT makes the host runner escalate to SIGKILL; the fake then logs nothing.
  assert.notEqual(exports[0].exit, "SIGKILL");
  assert.equal(typeof exports[0].exit, "number", JSON.stringify(exports[0]));
  assert.match(text.out, /^Log: /m);
});

Deno.test("a screen that goes away (| head) stops neither the scrape nor its log", async () => {
  await using box = await sandbox();
  const log = join(box.dir, "closed-screen.log");
  const child = spawnTool("run-documents-scrape", ["--config", box.config, "--log-file", log], {
    env: box.env,
  });
  await child.stdout.cancel(); // the reader is gone before the first line is written
  const out = await child.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const logged = await Deno.readTextFile(log);
  assert.match(logged, /Documents scrape finished successfully\./);
  assert.match(logged, /^\[[^\]]+\] Log: /m);
  assert.equal((await messageIds(box.archivePath(DEMO))).length, DEMO.count);
});

Deno.test("DCE_RUN_SUMMARY_FILE=/logs/<x> is <repo>/logs/<x> for the workflow too, as for the host runner", async () => {
  await using box = await sandbox();
  const repo = join(box.dir, "repo");
  await Deno.mkdir(repo);
  // A checkout of its own (DCE_REPO_ROOT), so the runner's <repo>/logs is the sandbox's.
  for (const part of ["scripts", "lib"]) await Deno.symlink(join(ROOT, part), join(repo, part));
  const run = await runTool("run-documents-scrape", ["--config", box.config, "--target", "demo"], {
    env: { ...box.env, DCE_REPO_ROOT: repo, DCE_RUN_SUMMARY_FILE: "/logs/sub/s.json" },
  });
  assert.equal(run.code, 0, both(run));
  const summary = join(repo, "logs", "sub", "s.json");
  assert.ok(run.stdout.includes(`\nJSON summary file: ${summary}\n`), run.stdout);
  assert.equal(JSON.parse(await Deno.readTextFile(summary)).totals.messages_appended, 2);
  assert.doesNotMatch(both(run), /WARN|recovered/);
});

Deno.test("lock gate: the lock file named in scrape.env is the one checked, as the host runner locks it", async () => {
  await using box = await sandbox();
  const custom = join(box.dir, "custom.lock");
  await Deno.writeTextFile(box.env.DCE_ENV_FILE!, `DCE_SCRAPE_LOCK_FILE=${custom}\n`);
  await using _holder = await legacyHolder(custom);
  const run = await runTool("run-documents-scrape", ["--config", box.config, "--salvage-only"], {
    env: box.env,
  });
  assert.equal(run.code, 1, both(run));
  assert.match(run.stderr, /^ERROR: Scrape lock is held; another scrape may be running\./m);
  assert.ok(run.stderr.includes(custom), run.stderr);
  assert.doesNotMatch(both(run), /run-scrape-host salvage failed/);
});

Deno.test("a documents run over 12 channels starts the exporter 13 times: one preflight probe, 12 exports", async () => {
  await using box = await sandbox();
  const ids = Array.from({ length: 12 }, (_, i) => String(444444444444444400n + BigInt(i)));
  const world = JSON.parse(await Deno.readTextFile(box.world));
  world.channels = ids.map((id) => ({ ...world.channels[0], id, name: `room-${id.slice(-2)}` }));
  await Deno.writeTextFile(box.world, JSON.stringify(world));
  const config = JSON.parse(await Deno.readTextFile(box.config));
  config.targets = [{ ...config.targets[0], channel_ids: ids }];
  await Deno.writeTextFile(box.config, JSON.stringify(config));
  const fakeLog = join(box.dir, "fake-dce.jsonl");
  const run = await runTool("run-documents-scrape", ["--config", box.config], {
    env: { ...box.env, FAKE_DCE_LOG: fakeLog },
  });
  assert.equal(run.code, 0, both(run));
  const calls = (await Deno.readTextFile(fakeLog)).trim().split("\n").map((l) => JSON.parse(l));
  const probes = calls.filter((c) => c.argv.includes("--before"));
  assert.equal(probes.length, 1, "one probe proves the token");
  assert.equal(calls.length, 13, calls.map((c) => c.argv.join(" ")).join("\n"));
  assert.match(
    both(run),
    /Preflight ok for target 'demo': token verified \(12 channel\(s\) resolved/,
  );
});
