// with-scrape-lock as a process: exit status, --wait, conflicts, skip, signals (docs/lock.md#signals-and-orphans), release safety
// (docs/lock.md#release-safety), and a child that outlives its SIGKILLed runner (docs/lock.md#signals-and-orphans), plus the parent-death signal.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool, tempDir } from "./_harness.ts";
import {
  collect,
  exists,
  Procs,
  readLine,
  SCALE,
  sleep,
  waitFor,
  writeConfig,
} from "./lock/fixtures.ts";
import { parseMeta } from "../lib/lock/lock_meta.ts";
import { parseLockFile } from "../lib/lock/lock_record.ts";
import { readProcessStat } from "../lib/process/child_process.ts";

function flockFree(lock: string): boolean {
  return new Deno.Command("flock", { args: ["-n", lock, "true"] }).outputSync().code === 0;
}

/** Alive and not a zombie (nobody may reap orphans in a container). */
function running(pid: number): boolean {
  const stat = readProcessStat(pid);
  return stat !== null && stat.state !== "Z" && stat.state !== "X";
}

function metaChild(lock: string): number | null {
  try {
    return parseMeta(Deno.readTextFileSync(`${lock}.meta`)).children[0]?.pid ?? null;
  } catch {
    return null;
  }
}

Deno.test("with-scrape-lock: the command's exit status passes through; lock released after", async () => {
  await using tmp = await tempDir("dce-lock-run-");
  const config = writeConfig(tmp.path);
  const run = await runTool("with-scrape-lock", ["--config", config, "--", "sh", "-c", "exit 7"]);
  assert.equal(run.code, 7);
  const lock = join(tmp.path, ".dce-scrape.lock");
  assert.equal(Deno.readTextFileSync(lock), "", "record cleared, file kept");
  assert.ok(!exists(`${lock}.meta`));
  assert.ok(flockFree(lock));
  const missing = await runTool("with-scrape-lock", [
    "--config",
    config,
    "--",
    "no-such-command-xyz",
  ]);
  assert.equal(missing.code, 127);
  assert.equal(missing.stderr, "ERROR: Command not found: no-such-command-xyz\n", "one line");
  const own127 = await runTool("with-scrape-lock", [
    "--config",
    config,
    "--",
    "sh",
    "-c",
    "exit 127",
  ]);
  assert.equal(own127.code, 127, "a command's own 127 passes through");
  assert.equal(own127.stderr, "", "and is not reported as a missing command");
  const usage = await runTool("with-scrape-lock", ["--config", config]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /^ERROR: Missing command to run/);
});

Deno.test("with-scrape-lock: busy → held message and exit 1 or --conflict-exit-code; --wait gets it", async () => {
  await using tmp = await tempDir("dce-lock-busy-");
  await using procs = new Procs();
  const config = writeConfig(tmp.path);
  const lock = join(tmp.path, ".dce-scrape.lock");
  const holder = procs.contender(["hold", lock, join(tmp.path, "release")]);
  assert.match(await readLine(holder), /^acquired /);
  const busy = await runTool("with-scrape-lock", ["--config", config, "--", "true"]);
  assert.equal(busy.code, 1);
  assert.match(
    busy.stderr,
    /^ERROR: Another scrape is already running \(lock: .*\)\. Holder pid \d+ \(running, started \S+Z\): contender hold \[host: \S+; checkout: \/smoke\]$/m,
  );
  const mapped = await runTool("with-scrape-lock", [
    "--config",
    config,
    "--conflict-exit-code",
    "75",
    "--",
    "true",
  ]);
  assert.equal(mapped.code, 75);
  const skipped = await runTool("with-scrape-lock", ["--config", config, "--", "true"], {
    env: { DCE_SKIP_SCRAPE_LOCK: "1" },
  });
  assert.equal(skipped.code, 0);
  assert.match(
    skipped.stderr,
    /DCE_SKIP_SCRAPE_LOCK=1: running without the archive-root scrape lock/,
  );
  const notSkipped = await runTool("with-scrape-lock", ["--config", config, "--", "true"], {
    env: { DCE_SKIP_SCRAPE_LOCK: "yes" },
  });
  assert.equal(notSkipped.code, 1, "only exactly 1 skips");
  // --wait: the waiter must still be blocked, its command not run, after a twin started later
  // without --wait has already given up on the same lock; only then does the holder let go.
  const ran = join(tmp.path, "waiter-ran");
  const waiter = procs.tool("with-scrape-lock", [
    "--config",
    config,
    "--wait",
    "60",
    "--",
    "sh",
    "-c",
    `: > '${ran}'`,
  ]);
  let waiterExited = false;
  waiter.status.then(() => waiterExited = true);
  const twin = await runTool("with-scrape-lock", ["--config", config, "--", "true"]);
  assert.equal(twin.code, 1, "the twin without --wait finds the lock busy");
  await sleep(500 * SCALE);
  assert.ok(!waiterExited, "the waiter gave up or finished while the lock was held");
  assert.ok(!exists(ran), "the waiter ran its command while the lock was held");
  Deno.writeTextFileSync(join(tmp.path, "release"), "");
  const waited = await collect(waiter);
  assert.equal(waited.code, 0, waited.stderr);
  assert.ok(exists(ran), "the waiter ran its command once the holder let go");
});

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
  Deno.test(`signals: ${signal} to the runner reaches the child; exit ${code}; nothing of the lock left`, async () => {
    await using tmp = await tempDir("dce-lock-sig-");
    await using procs = new Procs();
    const config = writeConfig(tmp.path);
    const lock = join(tmp.path, ".dce-scrape.lock");
    const got = join(tmp.path, "got");
    const script =
      `trap 'echo got > "$1"; exit 0' INT TERM HUP; : > "$2"; while :; do sleep 0.05; done`;
    const runner = procs.tool("with-scrape-lock", [
      "--config",
      config,
      "--",
      "bash",
      "-c",
      script,
      "x",
      got,
      join(tmp.path, "ready"),
    ]);
    await waitFor(
      () => exists(join(tmp.path, "ready")) && metaChild(lock) !== null,
      "child running",
    );
    Deno.kill(runner.pid, signal);
    const result = await collect(runner);
    assert.equal(result.code, code, result.stderr);
    assert.equal(Deno.readTextFileSync(got).trim(), "got", "the child's trap ran");
    assert.equal(Deno.readTextFileSync(lock), "");
    assert.ok(!exists(`${lock}.meta`));
    assert.ok(flockFree(lock));
  });
}

Deno.test("release safety: A holds, the lock is broken, B acquires, A releases → B intact, A reports it", async () => {
  await using tmp = await tempDir("dce-lock-release-");
  await using procs = new Procs();
  const lock = join(tmp.path, "L");
  const a = procs.contender(["hold", lock, join(tmp.path, "release-a")]);
  assert.match(await readLine(a), /^acquired /);
  // An operator breaks the lock by hand: moves it away (a deleted one is still seen through the
  // kernel, docs/lock.md#a-deleted-lock-file-does-not-make-a-second-holder) and deletes .meta.
  Deno.renameSync(lock, `${lock}.moved`);
  Deno.removeSync(`${lock}.meta`);
  const b = procs.contender(["hold", lock, join(tmp.path, "release-b")]);
  const bLine = await readLine(b);
  assert.match(bLine, /^acquired /);
  const bToken = bLine.split(" ")[1];
  Deno.writeTextFileSync(join(tmp.path, "release-a"), "");
  assert.equal(await readLine(a), "release taken-over");
  const record = parseLockFile(Deno.readTextFileSync(lock));
  assert.ok(record.kind === "record" && record.record.token === bToken, "B's record intact");
  assert.equal(parseMeta(Deno.readTextFileSync(`${lock}.meta`)).token, bToken, "B's meta intact");
  assert.ok(!flockFree(lock), "B still holds the flock");
  const c = await collect(procs.contender(["try", lock]));
  assert.equal(c.code, 1, "and it still excludes others");
  Deno.writeTextFileSync(join(tmp.path, "release-b"), "");
  assert.equal(await readLine(b), "release released");
});

Deno.test("SIGKILLed runner: its direct child dies with it (setpriv --pdeathsig); next acquire reclaims", async () => {
  await using tmp = await tempDir("dce-lock-pdeath-");
  await using procs = new Procs();
  const config = writeConfig(tmp.path);
  const lock = join(tmp.path, ".dce-scrape.lock");
  const runner = procs.tool("with-scrape-lock", ["--config", config, "--", "sleep", "600"]);
  await waitFor(() => metaChild(lock) !== null, "child recorded in meta");
  const child = metaChild(lock) as number;
  assert.ok(running(child));
  Deno.kill(runner.pid, "SIGKILL");
  await runner.status;
  await waitFor(() => !running(child), "the child died with its parent", 10_000);
  const next = await runTool("with-scrape-lock", ["--config", config, "--", "true"]);
  assert.equal(next.code, 0, next.stderr);
  assert.match(
    next.stderr,
    /^WARN: reclaiming scrape lock; previous holder pid \d+ is not running\.$/m,
  );
});

Deno.test("a child that outlives its SIGKILLed runner blocks every new acquisition until it ends", async () => {
  await using tmp = await tempDir("dce-lock-orphan-");
  await using procs = new Procs();
  const config = writeConfig(tmp.path);
  const lock = join(tmp.path, ".dce-scrape.lock");
  // sh dies with the runner (pdeathsig), but its background sleep stays in the child's group:
  // an export that escaped the parent-death signal.
  const forked = join(tmp.path, "forked");
  const runner = procs.tool("with-scrape-lock", [
    "--config",
    config,
    "--",
    "sh",
    "-c",
    'sleep 600 & : > "$1"; wait',
    "x",
    forked,
  ]);
  await waitFor(() => metaChild(lock) !== null && exists(forked), "child recorded, sleep forked");
  const group = metaChild(lock) as number;
  Deno.kill(runner.pid, "SIGKILL");
  await runner.status;
  await waitFor(() => !running(group), "sh died with the runner", 10_000);
  for (let i = 0; i < 3; i++) {
    const blocked = await runTool("with-scrape-lock", ["--config", config, "--", "true"]);
    assert.equal(blocked.code, 1, blocked.stderr);
    assert.match(blocked.stderr, /process group \d+ of the dead child still has members/);
  }
  const status = await runTool("scrape-lock-status", ["--config", config]);
  assert.equal(status.code, 1);
  assert.match(status.stdout, /^state: held \(active scrape\)$/m);
  Deno.kill(-group, "SIGKILL"); // the export ends
  await waitFor(
    () => {
      try {
        Deno.kill(-group, 0 as unknown as Deno.Signal);
        return false;
      } catch {
        return true;
      }
    },
    "group gone",
    10_000,
  ).catch(() => {});
  const next = await runTool("with-scrape-lock", ["--config", config, "--", "true"]);
  assert.equal(next.code, 0, next.stderr);
});

Deno.test("spawnGuarded(): the child survives 12 s of an idle parent, then dies when the parent is SIGKILLed", async () => {
  // PR_SET_PDEATHSIG fires when the spawning THREAD exits; a pooled thread would exit after ~10 s
  // idle and kill the child early. Deno spawns from the main thread: prove it.
  await using procs = new Procs();
  const parent = procs.spawn(Deno.execPath(), [
    "run",
    "-A",
    join(import.meta.dirname ?? ".", "lock", "guarded_parent.ts"),
    "600",
  ]);
  const info = JSON.parse(await readLine(parent)) as { pid: number; diesWithParent: boolean };
  assert.equal(info.diesWithParent, true, "setpriv found");
  await sleep(12_000);
  assert.ok(running(info.pid), "child still alive after the parent idled");
  Deno.kill(parent.pid, "SIGKILL");
  await parent.status;
  await waitFor(() => !running(info.pid), "child died with its parent", 10_000);
});
