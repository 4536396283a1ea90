// docs/lock.md#legacy-interop: the older bash suite (`flock -n L` + L.meta) and this lock exclude each other both ways.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool, tempDir } from "./_harness.ts";
import { collect, legacyHolder, Procs, readLine, writeConfig } from "./lock/fixtures.ts";

function flockBusy(lock: string): boolean {
  return new Deno.Command("flock", { args: ["-n", lock, "true"] }).outputSync().code !== 0;
}

Deno.test("legacy (a): `flock -n L sleep` holds → we do not acquire", async () => {
  await using tmp = await tempDir("dce-lock-legacy-a-");
  await using procs = new Procs();
  const lock = join(tmp.path, ".dce-scrape.lock");
  const config = writeConfig(tmp.path);
  await legacyHolder(procs, lock);
  const run = await runTool("with-scrape-lock", [
    "--config",
    config,
    "--",
    "touch",
    join(tmp.path, "ran"),
  ]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stderr,
    /^ERROR: Another scrape is already running \(lock: .*\.dce-scrape\.lock\)\./,
  );
  const tried = await collect(procs.contender(["try", lock]));
  assert.equal(tried.code, 1);
  assert.match(tried.stdout, /^busy /);
  assert.equal(Deno.readTextFileSync(lock), "", "legacy lock file untouched");
});

Deno.test("legacy (b): the wrapper exited but a background child keeps the fd → still no acquisition", async () => {
  await using tmp = await tempDir("dce-lock-legacy-b-");
  await using procs = new Procs();
  const lock = join(tmp.path, ".dce-scrape.lock");
  const config = writeConfig(tmp.path);
  const wrapper = procs.spawn("flock", ["-n", lock, "sh", "-c", "sleep 600 & exit 0"]);
  assert.equal((await wrapper.status).code, 0);
  assert.ok(flockBusy(lock), "the background child holds the flock");
  // The legacy meta names the wrapper, which is gone: the flock still wins.
  Deno.writeTextFileSync(
    `${lock}.meta`,
    `pid=${wrapper.pid}\nstarted=2026-01-01T00:00:00Z\ncmd=legacy run\n`,
  );
  const run = await runTool("with-scrape-lock", ["--config", config, "--", "true"]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stderr,
    /Holder pid \d+ \(not running, started 2026-01-01T00:00:00Z\): legacy run/,
  );
  const status = await runTool("scrape-lock-status", ["--config", config]);
  assert.equal(status.code, 1);
  assert.match(status.stdout, /^state: held \(active scrape\)$/m);
  assert.match(status.stdout, /^note: the recorded holder is gone but flock is held by pid/m);
});

Deno.test("legacy (c): while we hold, `flock -n L true` fails and `exec 9>L` cannot steal", async () => {
  await using tmp = await tempDir("dce-lock-legacy-c-");
  await using procs = new Procs();
  const lock = join(tmp.path, ".dce-scrape.lock");
  const holder = procs.contender(["hold", lock, join(tmp.path, "release")]);
  assert.match(await readLine(holder), /^acquired /);
  const legacy = new Deno.Command("flock", { args: ["-n", lock, "true"] }).outputSync();
  assert.equal(legacy.code, 1, "legacy flock -n reports the conflict");
  // The older runner's idiom truncates L even when its flock then fails.
  const execIdiom = new Deno.Command("bash", { args: ["-c", `exec 9>"$1"; flock -n 9`, "x", lock] })
    .outputSync();
  assert.equal(execIdiom.code, 1);
  const tried = await collect(procs.contender(["try", lock]));
  assert.equal(tried.code, 1, "still held after the truncation");
  Deno.writeTextFileSync(join(tmp.path, "release"), "");
  assert.match(await readLine(holder), /^release released$/);
  assert.ok(!flockBusy(lock));
});

Deno.test("legacy (d): a legacy .meta (pid/started/cmd only) is shown by status", async () => {
  await using tmp = await tempDir("dce-lock-legacy-d-");
  await using procs = new Procs();
  const lock = join(tmp.path, ".dce-scrape.lock");
  const config = writeConfig(tmp.path);
  const legacy = await legacyHolder(procs, lock);
  // As the bash runner does: started= is written right after it took the lock.
  const started = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  Deno.writeTextFileSync(
    `${lock}.meta`,
    `pid=${legacy.pid}\nstarted=${started}\ncmd=bash scripts/run-discord-scrape-host.sh scrape\n`,
  );
  const status = await runTool("scrape-lock-status", ["--config", config]);
  assert.equal(status.code, 1);
  assert.match(status.stdout, /^state: held \(active scrape\)$/m);
  assert.match(
    status.stdout,
    new RegExp(`^holder: pid ${legacy.pid} \\(running, started ${started}\\)$`, "m"),
  );
  assert.match(status.stdout, /^cmd: bash scripts\/run-discord-scrape-host\.sh scrape$/m);
  assert.match(status.stdout, /^host: unknown$/m);
});
