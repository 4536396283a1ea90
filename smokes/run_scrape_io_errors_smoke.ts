// Bad file systems under run-scrape through real processes: a file where output_dir's parent should be,
// a read-only output_dir, a full disk. Each gives one `ERROR:` line naming the path, exit 1, no stack,
// and the archive byte-identical. The mount cases need root (bind/tmpfs mounts) and are skipped without.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CoreSandbox,
  DEFAULT_NAME,
  exists,
  fixtureExport,
  fixtureWorld,
  sha256,
} from "./fakes/core_sandbox.ts";

async function sh(cmd: string, ...args: string[]): Promise<boolean> {
  const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output();
  return out.success;
}

/** Whether this process may mount (root in a namespace that allows it): probed once. */
const CAN_MOUNT = await (async () => {
  if (Deno.build.os !== "linux") return false;
  const dir = await Deno.makeTempDir({ prefix: "dce-mount-probe-" });
  try {
    if (!(await sh("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir))) return false;
    await sh("umount", dir);
    return true;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
})();

/** Mounts over `dir` (`mount <args> dir`) for the scope; always unmounted. */
async function mountOver(dir: string, ...args: string[]): Promise<AsyncDisposable> {
  assert.ok(await sh("mount", ...args, dir), `mount ${args.join(" ")} ${dir}`);
  return {
    async [Symbol.asyncDispose]() {
      // lazy: a just-exited child may still hold the folder for a moment
      if (!(await sh("umount", dir))) await sh("umount", "-l", dir);
    },
  };
}

/** Fills the file system holding `dir` to the last block. */
async function fillDisk(dir: string): Promise<void> {
  using file = await Deno.open(join(dir, "filler"), { write: true, create: true });
  const block = new Uint8Array(4096);
  try {
    for (;;) await file.write(block);
  } catch (err) {
    assert.match(String(err), /No space left|os error 28/);
  }
}

function assertOneErrorLine(stderr: string, pattern: RegExp): void {
  const errors = stderr.split("\n").filter((l) => l.includes("ERROR: "));
  assert.equal(errors.length, 1, stderr);
  assert.match(errors[0]!, pattern);
  assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
}

/** Every file under `dir` (outside .dce-temp) with its hash. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile) files.set(e.name, await sha256(join(dir, e.name)));
  }
  return files;
}

async function writeStaleTemp(out: string, suffix: string, body: string): Promise<string> {
  const dir = join(out, ".dce-temp", `export.111.${suffix}`);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "export.json"), body);
  return dir;
}

Deno.test("output_dir under a regular file: one ERROR line naming the folder, exit 1, no stack", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  const blocker = join(box.archiveRoot, "blocker");
  await Deno.writeTextFile(blocker, "not a folder\n");
  const out = join(blocker, "fixture");
  await box.writeConfig({
    archive_root: box.archiveRoot,
    targets: [{ name: "fixture", output_dir: out, channel_ids: ["111"] }],
  });
  for (const mode of ["scrape", "salvage"]) {
    const run = await box.run([mode]);
    assert.equal(run.code, 1, run.stderr);
    assertOneErrorLine(
      run.stderr,
      new RegExp(`ERROR: Cannot .* ${out}.*: a file is where a folder should be`),
    );
  }
  assert.equal(await Deno.readTextFile(blocker), "not a folder\n");
});

Deno.test({
  name:
    "read-only output_dir: scrape and salvage end with one ERROR line; the archive is untouched",
  ignore: !CAN_MOUNT,
  async fn() {
    await using box = await CoreSandbox.create(fixtureWorld());
    assert.equal((await box.run(["scrape"])).code, 0);
    // An unrepairable stale temp: salvage would quarantine it (a rename on the read-only disk).
    await writeStaleTemp(box.out, "bad", "{ not json");
    await box.addMessages("111", { id: "3", timestamp: "2024-01-03T00:00:00+00:00" });
    const before = await snapshot(box.out);
    {
      await using _ro = await mountOver(box.out, "--bind", "-o", "ro", box.out);
      const scrape = await box.run(["scrape"], { DCE_SALVAGE_ACTIVE_TEMPS: "1" });
      assert.equal(scrape.code, 1, scrape.stderr);
      assertOneErrorLine(
        scrape.stderr,
        /ERROR: Cannot .*\.dce-temp.*: the file system is read-only/,
      );
      const salvage = await box.run(["salvage"], {
        DISCORD_TOKEN: "",
        DCE_SALVAGE_ACTIVE_TEMPS: "1",
      });
      assert.equal(salvage.code, 1, salvage.stderr);
      assertOneErrorLine(
        salvage.stderr,
        /ERROR: Cannot .*\.dce-temp.*: the file system is read-only/,
      );
      assert.doesNotMatch(salvage.stderr, /salvage completed/);
    }
    assert.deepEqual(await snapshot(box.out), before);
    assert.ok(await exists(join(box.out, ".dce-temp", "export.111.bad", "export.json")));
  },
});

Deno.test({
  name: "read-only output_dir with an empty stale temp: its removal fails as one ERROR line",
  ignore: !CAN_MOUNT,
  async fn() {
    await using box = await CoreSandbox.create(fixtureWorld());
    assert.equal((await box.run(["scrape"])).code, 0);
    const empty = join(box.out, ".dce-temp", "export.111.empty");
    await Deno.mkdir(empty, { recursive: true });
    const before = await snapshot(box.out);
    {
      await using _ro = await mountOver(box.out, "--bind", "-o", "ro", box.out);
      const salvage = await box.run(["salvage"], {
        DISCORD_TOKEN: "",
        DCE_SALVAGE_ACTIVE_TEMPS: "1",
      });
      assert.equal(salvage.code, 1, salvage.stderr);
      assertOneErrorLine(
        salvage.stderr,
        /ERROR: Cannot remove the used-up stale temp .*export\.111\.empty: the file system is read-only/,
      );
    }
    assert.deepEqual(await snapshot(box.out), before);
    assert.ok(await exists(empty));
  },
});

Deno.test({
  name: "full disk: salvage keeps a mergeable temp, exits 1 saying so; scrape stops at the export",
  ignore: !CAN_MOUNT,
  async fn() {
    await using box = await CoreSandbox.create(fixtureWorld());
    await Deno.mkdir(box.out);
    await using _tmpfs = await mountOver(box.out, "-t", "tmpfs", "-o", "size=256k", "tmpfs");
    assert.equal((await box.run(["scrape"])).code, 0);
    const temp = await writeStaleTemp(
      box.out,
      "stale",
      fixtureExport("111", [{ id: "2", day: 2 }, { id: "3", day: 3 }]),
    );
    await fillDisk(box.out);
    const archive = join(box.out, DEFAULT_NAME);
    const before = await sha256(archive);

    const salvage = await box.run(["salvage"], {
      DISCORD_TOKEN: "",
      DCE_SALVAGE_ACTIVE_TEMPS: "1",
    });
    assert.equal(salvage.code, 1, salvage.stderr);
    assert.match(
      salvage.stderr,
      /Stale temp merge failed, retaining for retry: .*export\.111\.stale/,
    );
    assertOneErrorLine(
      salvage.stderr,
      /ERROR: Disk full: .*stale temp.* kept for the next run/,
    );
    assert.doesNotMatch(salvage.stderr, /salvage completed/);
    assert.equal(await sha256(archive), before);
    assert.ok(await exists(join(temp, "export.json")));

    await box.addMessages("111", { id: "4", timestamp: "2024-01-04T00:00:00+00:00" });
    const scrape = await box.run(["scrape"], { DCE_SALVAGE_ACTIVE_TEMPS: "1" });
    assert.equal(scrape.code, 1, scrape.stderr);
    assert.match(scrape.stderr, /ERROR: .*(Disk full|no space left)/i);
    assert.doesNotMatch(scrape.stderr, /^\s+at /m, "no stack trace");
    assert.doesNotMatch(scrape.stderr, /scrape completed successfully/);
    assert.equal(await sha256(archive), before);
    assert.ok(await exists(join(temp, "export.json")));
  },
});

Deno.test({
  name: "full disk while quarantining an unusable temp: one ERROR line, the archive untouched",
  ignore: !CAN_MOUNT,
  async fn() {
    await using box = await CoreSandbox.create(fixtureWorld());
    await Deno.mkdir(box.out);
    await using _tmpfs = await mountOver(box.out, "-t", "tmpfs", "-o", "size=256k", "tmpfs");
    assert.equal((await box.run(["scrape"])).code, 0);
    await writeStaleTemp(box.out, "bad", "{ not json");
    await fillDisk(box.out);
    const archive = join(box.out, DEFAULT_NAME);
    const before = await sha256(archive);
    const salvage = await box.run(["salvage"], {
      DISCORD_TOKEN: "",
      DCE_SALVAGE_ACTIVE_TEMPS: "1",
    });
    assert.equal(salvage.code, 1, salvage.stderr);
    assertOneErrorLine(salvage.stderr, /ERROR: Cannot .*quarantine.*: no space left on device/);
    assert.equal(await sha256(archive), before);
  },
});
