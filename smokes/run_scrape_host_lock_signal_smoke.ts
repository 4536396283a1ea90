// run-scrape-host with real processes: the archive-root lock (holder report, legacy flock, same config
// as the export) and SIGINT/SIGTERM/SIGHUP forwarding (exit 130/143/129, nothing left behind).
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir, waitFor } from "./_harness.ts";
import { host, makeRepo, spawnHost } from "./host_fixture.ts";

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function envFilesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.name.startsWith("dce-compose-env.")) names.push(e.name);
  }
  return names;
}

Deno.test("lock: a second scrape reports the holder; preflight does not lock; the lock is free afterwards", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const pidFile = join(dir.path, "fake.pid");
  const first = spawnHost(
    ["scrape", "--target", "demo"],
    repo.env({ FAKE_DOCKER_MODE: "hang", FAKE_DOCKER_PID_FILE: pidFile }),
  );
  await first.waitFor(/container started/);
  const lock = join(repo.archive, ".dce-scrape.lock");
  const meta = await Deno.readTextFile(`${lock}.meta`);
  assert.match(meta, new RegExp(`^pid=${first.child.pid}$`, "m"));
  const fakePid = Number((await Deno.readTextFile(pidFile)).trim());
  // The export child (the compose client) is in the record, so it counts in proof of death.
  assert.match(meta, new RegExp(`^child=${fakePid}( |$)`, "m"));

  const second = await host(["scrape", "--target", "demo"], repo.env());
  assert.equal(second.code, 1);
  assert.match(second.stderr, /Another scrape is already running/);
  assert.match(second.stderr, new RegExp(`Holder pid ${first.child.pid} `));
  assert.ok(second.stderr.includes(lock));
  const salvage = await host(["salvage"], repo.env());
  assert.equal(salvage.code, 1);
  assert.match(salvage.stderr, /Another scrape is already running/);
  const preflight = await host(["preflight", "--target", "demo"], repo.env());
  assert.equal(preflight.code, 0, preflight.stderr);

  first.child.kill("SIGTERM");
  assert.equal((await first.done).code, 143);
  await assert.rejects(Deno.stat(`${lock}.meta`), Deno.errors.NotFound);
  const third = await host(["scrape", "--target", "demo"], repo.env());
  assert.equal(third.code, 0, third.stderr);
  assert.equal(await repo.dockerCalls(), 3);
});

Deno.test("lock: a legacy `flock -n` holder on <archive_root>/.dce-scrape.lock blocks the scrape", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const lock = join(repo.archive, ".dce-scrape.lock");
  const holder = new Deno.Command("flock", {
    args: ["-n", lock, "sh", "-c", "echo locked; exec sleep 120"],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = holder.stdout.getReader();
  await reader.read(); // "locked": the flock is taken
  try {
    const run = await host(["scrape", "--config", repo.config, "--target", "demo"], repo.env());
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Another scrape is already running/);
    assert.ok(run.stderr.includes(lock), run.stderr);
    assert.equal(await repo.dockerCalls(), 0);
  } finally {
    holder.kill("SIGKILL");
    await holder.status;
    reader.releaseLock();
    await holder.stdout.cancel().catch(() => {});
  }
});

Deno.test("lock: taken from the config the export uses (docs/bash-suite.md#h7-lock-depends-on-the-config), or DCE_SCRAPE_LOCK_FILE verbatim", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const otherArchive = join(dir.path, "other-archive");
  await Deno.mkdir(otherArchive);
  await Deno.writeTextFile(
    join(repo.root, "config", "custom.json"),
    JSON.stringify({
      archive_root: otherArchive,
      targets: [{ name: "x", output_dir: join(otherArchive, "x"), channel_ids: ["5"] }],
    }),
  );
  const run = await host(["scrape", "--config", "/config/custom.json"], repo.env());
  assert.equal(run.code, 0, run.stderr);
  await Deno.stat(join(otherArchive, ".dce-scrape.lock"));
  await assert.rejects(Deno.stat(join(repo.archive, ".dce-scrape.lock")), Deno.errors.NotFound);
  const [call] = await repo.dockerLog();
  assert.ok(call?.argv.join(" ").endsWith("--config /config/custom.json"));

  const override = join(dir.path, "explicit.lock");
  const run2 = await host(["scrape"], repo.env({ DCE_SCRAPE_LOCK_FILE: override }));
  assert.equal(run2.code, 0, run2.stderr);
  await Deno.stat(override);
});

for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130], ["SIGHUP", 129]] as const) {
  Deno.test(`signals: ${signal} reaches the export, the runner exits ${code}, lock and token file are gone`, async () => {
    await using dir = await tempDir();
    const repo = await makeRepo(dir.path);
    const pidFile = join(dir.path, "fake.pid");
    const signalFile = join(dir.path, "fake.signal");
    const live = spawnHost(
      ["scrape"],
      repo.env({
        FAKE_DOCKER_MODE: "hang",
        FAKE_DOCKER_PID_FILE: pidFile,
        FAKE_DOCKER_SIGNAL_FILE: signalFile,
      }),
    );
    await live.waitFor(/container started/);
    const [envName] = await envFilesIn(repo.tmp);
    assert.ok(envName, "the token env file exists while the export runs");
    assert.equal((await Deno.stat(join(repo.tmp, envName))).mode! & 0o777, 0o600);
    live.child.kill(signal);
    const done = await live.done;
    assert.equal(done.code, code, done.output);
    assert.equal(await Deno.readTextFile(signalFile), signal, "the exporter got the same signal");
    assert.match(done.output, new RegExp(`container got ${signal}`), "the runner waited for it");
    assert.ok(!alive(Number((await Deno.readTextFile(pidFile)).trim())));
    assert.deepEqual(await envFilesIn(repo.tmp), []);
    await assert.rejects(
      Deno.stat(join(repo.archive, ".dce-scrape.lock.meta")),
      Deno.errors.NotFound,
    );
    assert.equal(await repo.dockerCalls(), 1, "a signal is not an auth failure: no retry");
  });
}

Deno.test("signals: after a SIGKILLed runner the export dies too, and the next run sweeps the token file and reclaims the lock", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const pidFile = join(dir.path, "fake.pid");
  const live = spawnHost(
    ["scrape"],
    repo.env({ FAKE_DOCKER_MODE: "hang", FAKE_DOCKER_PID_FILE: pidFile }),
  );
  await live.waitFor(/container started/);
  const fakePid = Number((await Deno.readTextFile(pidFile)).trim());
  live.child.kill("SIGKILL");
  await live.done;
  await waitFor(() => !alive(fakePid), "the export child died with its parent");
  assert.equal((await envFilesIn(repo.tmp)).length, 1, "SIGKILL leaves the token file behind");
  const next = await host(["scrape"], repo.env());
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stderr, /WARN: removed a token env file left by a killed run: /);
  assert.match(next.stderr, /reclaiming scrape lock/);
  assert.deepEqual(await envFilesIn(repo.tmp), []);
});

Deno.test("lock: two scrapes started at the same moment: one runs, the other reports the holder", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const env = repo.env({ FAKE_DOCKER_MODE: "hang" });
  const a = spawnHost(["scrape"], env);
  const b = spawnHost(["scrape"], env);
  const loser = await Promise.race([a.done.then(() => a), b.done.then(() => b)]);
  const winner = loser === a ? b : a;
  const lost = await loser.done;
  assert.equal(lost.code, 1, lost.output);
  assert.match(lost.output, /Another scrape is already running/);
  assert.match(lost.output, new RegExp(`Holder pid ${winner.child.pid} `));
  await winner.waitFor(/container started/);
  assert.equal(await repo.dockerCalls(), 1);
  winner.child.kill("SIGTERM");
  assert.equal((await winner.done).code, 143);
});

Deno.test("lock: released even when the token env file cannot be removed (one ERROR line naming it)", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  // A compose program that puts a non-empty folder where the token env file was: removing fails.
  const compose = join(dir.path, "blocking-compose");
  await Deno.writeTextFile(
    compose,
    `#!/bin/sh\n[ "$1" = --env-file ] || exit 9\nrm -f "$2" && mkdir "$2" && : > "$2/x"\n`,
    { mode: 0o755 },
  );
  const run = await host(["scrape"], repo.env({ DCE_COMPOSE_BIN: compose }));
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stderr,
    /^ERROR: Cannot remove the token env file .*dce-compose-env\.\S+: .*; delete it by hand\.$/m,
  );
  await assert.rejects(
    Deno.stat(join(repo.archive, ".dce-scrape.lock.meta")),
    Deno.errors.NotFound,
  );
});
