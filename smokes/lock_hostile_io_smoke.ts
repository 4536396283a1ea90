// The lock under attack from outside: its file deleted under a live holder, a full or read-only
// disk, a guard someone else keeps, the archive root vanishing during release. One line each,
// the right exit code, never a second holder.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool, tempDir } from "./_harness.ts";
import {
  exists,
  legacyHolder,
  Procs,
  readLine,
  scrapeHolder,
  waitFor,
  writeConfig,
} from "./lock/fixtures.ts";

/** Mounts a tmpfs of `size` at a fresh folder; null (after a skipped step) where mount is refused. */
async function tmpfs(t: Deno.TestContext, size: string) {
  const mnt = await Deno.makeTempDir({ prefix: "dce-lock-tmpfs-" });
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", mnt],
    stderr: "null",
  }).output();
  if (!mount.success) {
    await Deno.remove(mnt);
    await t.step({ name: "tmpfs mount not allowed here: skipped", ignore: true, fn: () => {} });
    return null;
  }
  return {
    path: mnt,
    async [Symbol.asyncDispose]() {
      await new Deno.Command("umount", { args: ["-l", mnt] }).output();
      await Deno.remove(mnt, { recursive: true }).catch(() => {});
    },
  };
}

function oneErrorLine(stderr: string): void {
  const lines = stderr.trimEnd().split("\n").filter((l) => !l.startsWith("WARN:"));
  assert.equal(lines.length, 1, `one line, no stack:\n${stderr}`);
  assert.match(lines[0]!, /^ERROR: /);
}

Deno.test("lock file deleted under a live holder: the next acquirer reports busy, never runs beside it", async () => {
  await using tmp = await tempDir("dce-lock-deleted-");
  await using procs = new Procs();
  const config = writeConfig(tmp.path);
  const lock = join(tmp.path, ".dce-scrape.lock");
  await scrapeHolder(procs, config, tmp.path);
  Deno.removeSync(lock);
  const marker = join(tmp.path, "second-ran");
  const second = await runTool("with-scrape-lock", ["--config", config, "--", "touch", marker]);
  assert.equal(second.code, 1, second.stderr);
  assert.ok(!exists(marker), "the second command never ran beside the holder");
  assert.match(second.stderr, /Another scrape is already running .*lock file had been deleted/);
  oneErrorLine(second.stderr);
  // And it stays busy for the next one too (the recreated empty file plus the live .meta).
  const third = await runTool("with-scrape-lock", ["--config", config, "--", "touch", marker]);
  assert.equal(third.code, 1, third.stderr);
  assert.ok(!exists(marker));
});

Deno.test("lock file AND .meta deleted under a live holder: busy from the kernel's flock on the deleted file", async () => {
  await using tmp = await tempDir("dce-lock-both-deleted-");
  await using procs = new Procs();
  const config = writeConfig(tmp.path);
  const lock = join(tmp.path, ".dce-scrape.lock");
  const holder = await scrapeHolder(procs, config, tmp.path);
  // The holder rewrites .meta once more to record its child: delete it after that.
  await waitFor(() => Deno.readTextFileSync(`${lock}.meta`).includes("child="), "child in .meta");
  Deno.removeSync(lock);
  Deno.removeSync(`${lock}.meta`);
  const status = async () => {
    const run = await runTool("scrape-lock-status", ["--config", config]);
    assert.equal(run.code, 1, `scrape-lock-status says held: ${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /held \(pid \d+ holds a lock file that was deleted under it\)/);
  };
  await status();
  const marker = join(tmp.path, "second-ran");
  // The second creates a fresh lock file; the third finds that one, empty and unheld.
  for (const which of ["second", "third"]) {
    const run = await runTool("with-scrape-lock", ["--config", config, "--", "touch", marker]);
    assert.equal(run.code, 1, `${which}: ${run.stderr}`);
    assert.ok(!exists(marker), `the ${which} command ran beside the holder`);
    assert.match(
      run.stderr,
      /^ERROR: Another scrape is already running \(lock: .*\)\. Holder pid \d+ still holds this lock through a lock file that was deleted under it/,
    );
    oneErrorLine(run.stderr);
  }
  await status(); // also beside the fresh, empty lock file the second left
  // Once that holder ends, the lock is free again.
  Deno.kill(-holder.pid, "SIGTERM");
  await holder.status;
  const after = await runTool("with-scrape-lock", ["--config", config, "--", "touch", marker]);
  assert.equal(after.code, 0, after.stderr);
  assert.ok(exists(marker));
});

Deno.test("busy without a holder record: the message never suggests deleting the lock file", async () => {
  await using tmp = await tempDir("dce-lock-norecord-");
  await using procs = new Procs();
  const config = writeConfig(tmp.path);
  await legacyHolder(procs, join(tmp.path, ".dce-scrape.lock"));
  const run = await runTool("with-scrape-lock", ["--config", config, "--", "true"]);
  assert.equal(run.code, 1, run.stderr);
  oneErrorLine(run.stderr);
  assert.match(run.stderr, /wait for it to finish/);
  assert.doesNotMatch(run.stderr, /remov|delet/i);
});

Deno.test("a full disk while writing the lock record: one line, exit 1 (an I/O failure, not usage)", async (t) => {
  await using mnt = await tmpfs(t, "64k");
  if (mnt === null) return;
  const config = writeConfig(mnt.path);
  // Fill every block; creating the small lock files still works (inodes are free), writing fails.
  await new Deno.Command("sh", {
    args: ["-c", `dd if=/dev/zero of=${join(mnt.path, "fill")} bs=4k 2>/dev/null; true`],
  }).output();
  const run = await runTool("with-scrape-lock", ["--config", config, "--", "true"]);
  assert.equal(run.code, 1, run.stderr);
  oneErrorLine(run.stderr);
  assert.match(run.stderr, /no space left on device/);
});

Deno.test("a read-only archive root: 'read-only file system', exit 1, not 'permission denied'", async (t) => {
  await using mnt = await tmpfs(t, "64k");
  if (mnt === null) return;
  const config = writeConfig(mnt.path);
  await new Deno.Command("mount", { args: ["-o", "remount,ro", mnt.path] }).output();
  const run = await runTool("with-scrape-lock", ["--config", config, "--", "true"]);
  assert.equal(run.code, 1, run.stderr);
  oneErrorLine(run.stderr);
  assert.match(run.stderr, /read-only file system/);
  assert.doesNotMatch(run.stderr, /permission denied/);
});

Deno.test("the guard held by someone else: one clear busy line, no stack", async () => {
  await using tmp = await tempDir("dce-lock-guard-");
  await using procs = new Procs();
  const config = writeConfig(tmp.path);
  const guard = join(tmp.path, ".dce-scrape.lock.reclaim");
  const stuck = procs.spawn("flock", ["-n", guard, "sh", "-c", "echo locked; exec sleep 600"]);
  assert.equal(await readLine(stuck), "locked");
  const run = await runTool("with-scrape-lock", ["--config", config, "--", "true"], {
    env: { DCE_OPS_TEST_GUARD_DEADLINE_MS: "1000" },
  });
  assert.equal(run.code, 1, run.stderr);
  oneErrorLine(run.stderr);
  assert.match(run.stderr, /Lock guard .* stayed busy .*fuser/);
});

Deno.test("the archive root vanishes while the command runs: the command's exit code wins, with a WARN", async () => {
  await using tmp = await tempDir("dce-lock-vanish-");
  const root = join(tmp.path, "archive");
  Deno.mkdirSync(root);
  const config = writeConfig(tmp.path, { archive_root: root, targets: [] });
  const run = await runTool("with-scrape-lock", [
    "--config",
    config,
    "--",
    "sh",
    "-c",
    // The wrapper may still be writing .meta when rm starts (rm then fails): retry until gone.
    'until rm -rf "$0" 2>/dev/null && [ ! -e "$0" ]; do sleep 0.1; done',
    root,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /^WARN: could not release the scrape lock cleanly \(.*gone.*\)/m);
  assert.doesNotMatch(run.stderr, /^\s+at /m, "no stack");
});
