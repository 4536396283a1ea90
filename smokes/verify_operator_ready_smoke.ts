// verify-operator-ready and verify-documents-archives as processes (docs/bash-suite.md#smokes-carried-over, disk smoke; docs/bash-suite.md#h23-empty-token-counted, docs/bash-suite.md#h35-disk-check).
import assert from "node:assert/strict";
import { join } from "node:path";
import { FAKES, runTool } from "./_harness.ts";
import { DEMO, sandbox } from "./ops/sandbox.ts";

const MEM = { ...DEMO, containerMemory: "4g" };

Deno.test("full readiness: markers, target memory, table row; env-file memory wins over targets", async () => {
  await using box = await sandbox([MEM]);
  const run = await runTool("verify-operator-ready", ["--config", box.config], { env: box.env });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /^Operator readiness checks$/m);
  assert.match(run.stdout, /^exporter: DCE CLI .*dce-cli$/m);
  assert.match(run.stdout, /^auth: token from DISCORD_TOKEN exported/m);
  assert.match(run.stdout, /^target memory: demo → 4g \(single --target scrape\)$/m);
  assert.match(run.stdout, /^demo\s.*\s4g\s+ok/m);
  assert.match(run.stdout, /^Operator ready\. Next:$/m);
  assert.doesNotMatch(run.stdout + run.stderr, /kotor/i);

  await Deno.writeTextFile(box.env.DCE_ENV_FILE!, "DCE_CONTAINER_MEMORY=8g\n");
  const global = await runTool("verify-operator-ready", ["--config", box.config], { env: box.env });
  assert.equal(global.code, 0, global.stderr);
  assert.match(global.stdout, /^container memory: 8g \(compose mem_limit\)$/m);
  assert.doesNotMatch(global.stdout, /target memory:/);
});

Deno.test("exporter readiness: DCE CLI missing or not executable fails; compose via a fake docker passes", async () => {
  await using box = await sandbox();
  const missing = await runTool("verify-operator-ready", ["--config", box.config], {
    env: { ...box.env, DCE_CLI_BIN: join(box.dir, "no-such-cli") },
  });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^ERROR: DCE CLI '.*no-such-cli' does not exist\. Set DCE_CLI_BIN/m);
  const plain = join(box.dir, "not-executable");
  await Deno.writeTextFile(plain, "#!/bin/sh\n");
  const noExec = await runTool("verify-operator-ready", ["--config", box.config], {
    env: { ...box.env, DCE_CLI_BIN: plain },
  });
  assert.equal(noExec.code, 1);
  assert.match(noExec.stderr, /is not executable \(chmod \+x it\)/);

  const bin = join(box.dir, "bin");
  await Deno.mkdir(bin);
  // A wrapper, not a symlink: the fake's shim finds its .ts next to its own real path.
  await Deno.writeTextFile(
    join(bin, "docker"),
    `#!/bin/sh\nexec '${join(FAKES, "docker")}' "$@"\n`,
  );
  await Deno.chmod(join(bin, "docker"), 0o755);
  const compose = await runTool("verify-operator-ready", ["--config", box.config], {
    env: { ...box.env, DCE_EXPORTER: "compose", PATH: `${bin}:${Deno.env.get("PATH")}` },
  });
  assert.equal(compose.code, 0, compose.stderr);
  assert.match(compose.stdout, /^compose: docker compose$/m);
  const none = await runTool("verify-operator-ready", ["--config", box.config], {
    env: { ...box.env, DCE_EXPORTER: "compose", PATH: "/nonexistent" },
  });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /Install Docker or Podman with compose support/);
});

Deno.test("an empty DISCORD_TOKEN= line is not a token (docs/bash-suite.md#h23-empty-token-counted); every problem gets its own ERROR line", async () => {
  await using box = await sandbox();
  await Deno.writeTextFile(box.env.DCE_ENV_FILE!, "DISCORD_TOKEN=\n");
  const env = { ...box.env, DISCORD_TOKEN: "", DCE_CLI_BIN: join(box.dir, "none") };
  const run = await runTool("verify-operator-ready", ["--config", box.config], { env });
  assert.equal(run.code, 1);
  // (The 644 env file also earns a chmod 600 warning: not an error line.)
  const errors = run.stderr.trim().split("\n").filter((line) => !line.startsWith("WARN: "));
  assert.equal(errors.length, 2, run.stderr);
  assert.match(errors[0]!, /^ERROR: DCE CLI/);
  assert.match(
    errors[1]!,
    /^ERROR: No Discord token: .*an empty DISCORD_TOKEN= line does not count/,
  );
  assert.doesNotMatch(run.stdout, /Operator ready/);
});

Deno.test("disk gate: disk-only ok, insufficient space, non-numeric minimum, missing archive_root (docs/bash-suite.md#h35-disk-check)", async () => {
  await using box = await sandbox();
  const ok = await runTool("verify-operator-ready", ["--config", box.config, "--disk-only"], {
    env: { ...box.env, DCE_MIN_FREE_MB: "1" },
  });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^disk: \/\S* has \d+ MiB free \(need 1 MiB\)$/m);
  assert.match(ok.stdout, /^disk-only: ok \(config /m);

  const full = await runTool("verify-operator-ready", ["--config", box.config, "--disk-only"], {
    env: { ...box.env, DCE_MIN_FREE_MB: "999999999" },
  });
  assert.equal(full.code, 1);
  assert.match(
    full.stderr,
    /^ERROR: Insufficient disk space on \S+: \d+ MiB free, need at least 999999999 MiB/,
  );

  for (const bad of ["lots", "1g", "1.5"]) {
    const run = await runTool("verify-operator-ready", ["--config", box.config, "--disk-only"], {
      env: { ...box.env, DCE_MIN_FREE_MB: bad },
    });
    assert.equal(run.code, 1, bad);
    assert.match(
      run.stderr,
      new RegExp(`^ERROR: DCE_MIN_FREE_MB must be a whole number of MiB.*got '${bad}'`),
    );
  }

  // Nothing exported (empty counts as unset): the env file's minimum applies, as in the host runner.
  await Deno.writeTextFile(box.env.DCE_ENV_FILE!, "DCE_MIN_FREE_MB=999999999\n");
  for (const args of [["--disk-only"], []]) {
    const fromFile = await runTool("verify-operator-ready", ["--config", box.config, ...args], {
      env: { ...box.env, DCE_MIN_FREE_MB: "" },
    });
    assert.equal(fromFile.code, 1, `${args}: ${fromFile.stdout}`);
    assert.match(fromFile.stderr, /^ERROR: Insufficient disk space on /m);
  }

  await Deno.remove(box.archiveRoot, { recursive: true });
  const gone = await runTool("verify-operator-ready", ["--config", box.config, "--disk-only"], {
    env: box.env,
  });
  assert.equal(gone.code, 1, "a missing archive_root is reported, not passed");
  assert.match(gone.stderr, /archive_root ".*archive" .*does not exist/);
});

Deno.test("--preflight runs the host runner's preflight: passes with the fake CLI, fails on a rejected token", async () => {
  await using box = await sandbox();
  const good = await runTool("verify-operator-ready", [
    "--config",
    box.config,
    "--preflight",
    "demo",
  ], { env: box.env });
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /Running preflight for target demo/);
  const bad = await runTool("verify-operator-ready", [
    "--config",
    box.config,
    "--preflight",
    "demo",
  ], {
    env: { ...box.env, FAKE_DCE_REJECT_TOKEN: "1" },
  });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /Preflight for target 'demo' failed/);
  const unknown = await runTool("verify-operator-ready", [
    "--config",
    box.config,
    "--preflight",
    "nope",
  ], { env: box.env });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^ERROR: Unknown target 'nope' in /);
});

Deno.test("verify-documents-archives: counts, seeded ids, map, failures for archive-seeded targets; bad input", async () => {
  await using box = await sandbox();
  const run = await runTool("verify-documents-archives", ["--config", box.config], {
    env: box.env,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^TARGET\s+OUTPUT_DIR\s+JSON\s+SEEDED\s+MAP\s+MEM\s+STATUS$/m);
  assert.match(
    run.stdout,
    /^demo\s+\S+\s+1\s+1\s+0\s+-\s+ok \(map will bootstrap on first run\)$/m,
  );

  // An archive-seeded target (no scope of its own) with an empty folder fails; a disabled one is shown as such.
  const cfg = JSON.parse(await Deno.readTextFile(box.config));
  await Deno.mkdir(join(box.archiveRoot, "seedonly"));
  cfg.targets.push({ name: "seedonly", output_dir: join(box.archiveRoot, "seedonly") });
  cfg.targets.push({ name: "off", output_dir: join(box.archiveRoot, "off"), enabled: false });
  await Deno.writeTextFile(box.config, JSON.stringify(cfg));
  const failed = await runTool("verify-documents-archives", ["--config", box.config], {
    env: box.env,
  });
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /^seedonly\s.*no json archives$/m);
  assert.match(failed.stdout, /^off\s+\S+\s+-\s+-\s+-\s+-\s+disabled$/m);
  assert.match(failed.stderr, /^ERROR: 1 enabled target\(s\) failed archive verification\.$/m);

  await Deno.writeTextFile(box.config, "{ not json");
  const broken = await runTool("verify-documents-archives", ["--config", box.config], {
    env: box.env,
  });
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /^ERROR: Invalid JSON config: /);
  assert.equal(broken.stderr.trim().split("\n").length, 1);
});
