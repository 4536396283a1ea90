// docs/lock.md#identity (PID reuse) and docs/lock.md#identity (EPERM as nobody), plus other boots, and an unwritable lock folder.
import assert from "node:assert/strict";
import { join } from "node:path";
import { childEnv, toolArgs } from "./_harness.ts";
import { collect, CONTENDER, Procs, seedRecord } from "./lock/fixtures.ts";
import { readProcessStartTime } from "../lib/process/child_process.ts";

async function tempDirFor(prefix: string, mode: number) {
  const path = await Deno.makeTempDir({ prefix });
  await Deno.chmod(path, mode);
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}

Deno.test("PID reuse: a live unrelated process with another start time is stale; same start time is held", async () => {
  await using tmp = await tempDirFor("dce-lock-reuse-", 0o700);
  await using procs = new Procs();
  const lock = join(tmp.path, "L");
  const unrelated = procs.spawn("sleep", ["600"]);
  const real = readProcessStartTime(unrelated.pid);
  assert.ok(real !== null);

  seedRecord(lock, unrelated.pid, { starttime: real });
  const held = await collect(procs.contender(["try", lock]));
  assert.equal(held.code, 1, "same pid, same start time: held");
  assert.match(held.stdout, /has the recorded start time/);

  seedRecord(lock, unrelated.pid, { starttime: String(Number(real) - 1) });
  const reused = await collect(procs.contender(["try", lock]));
  assert.equal(reused.code, 0, reused.stdout + reused.stderr);
  assert.match(
    reused.stderr,
    /^WARN: reclaiming scrape lock; previous holder pid \d+ has ended \(pid \d+ was reused .*\)\.$/m,
    "the pid runs (as another process): the WARN must not say it is not running",
  );

  seedRecord(lock, unrelated.pid, {
    starttime: real,
    bootId: "00000000-0000-0000-0000-000000000000",
  });
  const rebooted = await collect(procs.contender(["try", lock]));
  assert.equal(rebooted.code, 0, "a record from a previous boot is stale");

  // Legacy record (no starttime): the live process started after `started` → reused pid.
  seedRecord(lock, unrelated.pid, { starttime: null, started: "2020-01-01T00:00:00Z" });
  const legacyReused = await collect(procs.contender(["try", lock]));
  assert.equal(legacyReused.code, 0, legacyReused.stdout);
});

function asNobody(args: string[], env: Record<string, string>) {
  return new Deno.Command("setpriv", {
    args: ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", Deno.execPath(), ...args],
    env: childEnv(env),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
}

Deno.test("EPERM: a contender running as nobody reports a root-owned live holder as held", async () => {
  await using tmp = await tempDirFor("dce-lock-eperm-", 0o777);
  await using procs = new Procs();
  await using denoDir = await tempDirFor("dce-lock-denodir-", 0o777);
  const lock = join(tmp.path, "L");
  const rootHolder = procs.spawn("sleep", ["600"]); // root-owned and alive; no flock on L
  seedRecord(lock, rootHolder.pid);
  for (const f of [lock, `${lock}.meta`]) Deno.chmodSync(f, 0o666);
  Deno.writeTextFileSync(`${lock}.reclaim`, "");
  Deno.chmodSync(`${lock}.reclaim`, 0o666);
  const env = { DENO_DIR: denoDir.path, HOME: denoDir.path };
  const out = await asNobody(["run", "--no-prompt", "-A", CONTENDER, "try", lock], env);
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 1, stdout + stderr);
  assert.match(stdout, /^busy Another scrape is already running .*EPERM: owned by another user/);
  assert.match(Deno.readTextFileSync(lock), new RegExp(`^${rootHolder.pid}\n`), "record untouched");

  const config = join(tmp.path, "config.json");
  Deno.writeTextFileSync(config, JSON.stringify({ archive_root: tmp.path, targets: [] }));
  Deno.chmodSync(config, 0o644);
  const status = await asNobody(
    toolArgs("scrape-lock-status", ["--config", config]),
    { ...env, DCE_SCRAPE_LOCK_FILE: lock },
  );
  const text = new TextDecoder().decode(status.stdout);
  assert.equal(status.code, 1, text + new TextDecoder().decode(status.stderr));
  assert.match(text, /^state: held \(active scrape\)$/m);
  assert.match(text, /^decided by: no flock, but no proof of death: .*EPERM/m);
});

Deno.test("unwritable lock folder: one clear line, exit 2, the command never runs", async () => {
  await using tmp = await tempDirFor("dce-lock-ro-", 0o755); // root-owned: nobody cannot create in it
  await using denoDir = await tempDirFor("dce-lock-denodir-", 0o777);
  const marker = join(denoDir.path, "ran");
  const out = await asNobody(toolArgs("with-scrape-lock", ["--", "touch", marker]), {
    DENO_DIR: denoDir.path,
    HOME: denoDir.path,
    DCE_SCRAPE_LOCK_FILE: join(tmp.path, "L"),
  });
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 2, stderr);
  assert.match(
    stderr,
    /^ERROR: Cannot (create lock file|open lock guard) .*: permission denied; make .* writable for this user\n$/,
  );
  assert.throws(() => Deno.statSync(marker));
});

Deno.test("status as a user who cannot look into the lock folder: one clear line, exit 2", async () => {
  await using tmp = await tempDirFor("dce-lock-private-", 0o700); // root-only folder
  await using denoDir = await tempDirFor("dce-lock-denodir-", 0o777);
  const config = join(denoDir.path, "config.json");
  Deno.writeTextFileSync(config, JSON.stringify({ archive_root: tmp.path, targets: [] }));
  Deno.chmodSync(config, 0o644);
  const out = await asNobody(toolArgs("scrape-lock-status", ["--config", config]), {
    DENO_DIR: denoDir.path,
    HOME: denoDir.path,
  });
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 2, stderr);
  assert.match(
    stderr,
    /^ERROR: Cannot inspect lock file .*: permission denied; run as the user that owns the archive root\n$/,
  );
});
