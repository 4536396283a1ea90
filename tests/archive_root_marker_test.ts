// An archive root proves it is one: an unplugged disk's empty mount point stops the run with one
// line instead of re-downloading every channel onto the system disk.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import {
  ARCHIVE_ROOT_MARKER,
  ArchiveRootLooksEmptyError,
  proveArchiveRoot,
} from "../lib/archive/archive_root_marker.ts";
import { NotFollowedError } from "../lib/fs/no_follow.ts";
import { runCore } from "../lib/scrape/run_core.ts";
import { writeWorld } from "../smokes/fakes/fake_dce_world.ts";
import { withTempDir as withDir } from "./fixtures/helpers.ts";

const FAKE = resolve(import.meta.dirname ?? ".", "../smokes/fakes/dce-cli");
const NOW = new Date("2026-05-06T07:08:09Z");

function prove(dir: string, root: string, lines: string[] = []) {
  return proveArchiveRoot({
    archiveRoot: root,
    knownRootsFile: join(dir, "state", "archive-roots"),
    now: NOW,
    log: (l) => lines.push(l),
  });
}

Deno.test("marker: a first run marks the root; once marked and remembered it is quiet", async () => {
  await withDir(async (dir) => {
    const root = join(dir, "root");
    await Deno.mkdir(root);
    const lines: string[] = [];
    await prove(dir, root, lines);
    assert.ok((await Deno.lstat(join(root, ARCHIVE_ROOT_MARKER))).isFile);
    assert.deepEqual(lines, [`Archive root ${root}: new, marked with ${ARCHIVE_ROOT_MARKER}.`]);
    await prove(dir, root, lines);
    assert.equal(lines.length, 1);
  });
});

Deno.test("marker: a root with archives but no marker (from before) is marked", async () => {
  await withDir(async (dir) => {
    const root = join(dir, "root");
    await Deno.mkdir(join(root, "t"), { recursive: true });
    await Deno.writeTextFile(join(root, "t", "G - room [111].json"), "{}");
    const lines: string[] = [];
    await prove(dir, root, lines);
    assert.match(lines[0]!, /held files but no marker yet/);
    assert.ok((await Deno.lstat(join(root, ARCHIVE_ROOT_MARKER))).isFile);
  });
});

Deno.test("marker: a remembered root that is empty (only our lock) or gone stops with one line", async () => {
  await withDir(async (dir) => {
    const root = join(dir, "root");
    await Deno.mkdir(root);
    await prove(dir, root);
    // The disk is unplugged: its mount point is an empty folder again, our lock file aside.
    await Deno.remove(root, { recursive: true });
    await Deno.mkdir(root);
    await Deno.writeTextFile(join(root, ".dce-scrape.lock"), "");
    await assert.rejects(() => prove(dir, root), (err) => {
      assert.ok(err instanceof ArchiveRootLooksEmptyError);
      assert.match(err.message, /^Archive root \S+ looks empty — is the disk mounted\?/);
      assert.ok(!err.message.includes("\n"));
      return true;
    });
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), [".dce-scrape.lock"]);
    await Deno.remove(root, { recursive: true });
    await assert.rejects(() => prove(dir, root), ArchiveRootLooksEmptyError);
  });
});

Deno.test("marker: a marker that is a symlink is refused, never followed", async () => {
  await withDir(async (dir) => {
    const root = join(dir, "root");
    await Deno.mkdir(root);
    await Deno.symlink(join(dir, "elsewhere"), join(root, ARCHIVE_ROOT_MARKER));
    await assert.rejects(() => prove(dir, root), NotFollowedError);
  });
});

Deno.test("marker: the memory forgets roots whose parent folder is gone (removed sandboxes)", async () => {
  await withDir(async (dir) => {
    const gone = join(dir, "sandbox", "root");
    await Deno.mkdir(gone, { recursive: true });
    await prove(dir, gone);
    await Deno.remove(join(dir, "sandbox"), { recursive: true });
    const root = join(dir, "root");
    await Deno.mkdir(root);
    await prove(dir, root);
    assert.equal(await Deno.readTextFile(join(dir, "state", "archive-roots")), `${root}\n`);
  });
});

/** root can mount a tmpfs where CI runs; elsewhere the test says so and passes without it. */
function canMount(): boolean {
  if (Deno.uid() !== 0) return false;
  const probe = Deno.makeTempDirSync({ prefix: "tmpfs-probe-" });
  try {
    const ok = new Deno.Command("mount", { args: ["-t", "tmpfs", "tmpfs", probe] }).outputSync()
      .success;
    if (ok) new Deno.Command("umount", { args: [probe] }).outputSync();
    return ok;
  } finally {
    Deno.removeSync(probe);
  }
}

/** A config with one target under `<dir>/disk` and a scrape of it through runCore and the fake CLI. */
async function diskSandbox(dir: string, count: number, delayMs = 0) {
  const root = join(dir, "disk");
  await Deno.mkdir(root);
  await writeWorld(join(dir, "world.json"), {
    guilds: [{ id: "222", name: "G" }],
    channels: [{ id: "111", guildId: "222", name: "room", count, delayMs }],
  });
  const config = join(dir, "c.json");
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      archive_root: root,
      targets: [{ name: "t", output_dir: join(root, "t"), channel_ids: ["111"] }],
    }),
  );
  const log = join(dir, "fake.log");
  const scrape = async (onExportChild?: () => void) => {
    const lines: string[] = [];
    const result = await runCore({
      mode: "scrape",
      configPath: config,
      repoRoot: dir,
      targets: [],
      guilds: [],
      channels: [],
      env: {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        FAKE_DCE_WORLD: join(dir, "world.json"),
        FAKE_DCE_LOG: log,
        DISCORD_TOKEN: "tok",
        TMPDIR: dir,
      },
      cliBin: FAKE,
      log: (l) => lines.push(l),
      ...(onExportChild ? { onExportChild } : {}),
    });
    return { ...result, text: lines.join("\n") };
  };
  const exports = async () =>
    (await Deno.readTextFile(log).catch(() => "")).split("\n").filter((l) => l.includes('"export"'))
      .length;
  const mount = () =>
    assert.ok(
      new Deno.Command("mount", { args: ["-t", "tmpfs", "tmpfs", root] }).outputSync().success,
    );
  // Lazy: the fake DCE still has its export file open on the tmpfs, as on a real yanked disk.
  const unmount = () =>
    assert.ok(new Deno.Command("umount", { args: ["-l", root] }).outputSync().success);
  return { root, scrape, exports, mount, unmount };
}

function oneError(text: string): string {
  const errors = text.split("\n").filter((l) => /ERROR/.test(l));
  assert.equal(errors.length, 1, text);
  assert.ok(!/\bat .*:\d+:\d+/.test(text), `no stack trace:\n${text}`);
  return errors[0]!;
}

Deno.test("scrape on an unplugged disk's mount point: one line, exit 1, nothing exported", async () => {
  if (!canMount()) {
    console.log("SKIP: cannot mount a tmpfs here (needs root and mount rights)");
    return;
  }
  await withDir(async (dir) => {
    const disk = await diskSandbox(dir, 3);
    disk.mount();
    try {
      const first = await disk.scrape();
      assert.equal(first.exitCode, 0, first.text);
    } finally {
      disk.unmount();
    }
    const exportsBefore = await disk.exports();
    const second = await disk.scrape();
    assert.equal(second.exitCode, 1, second.text);
    assert.match(oneError(second.text), /Archive root \S+ looks empty — is the disk mounted\?/);
    assert.equal(await disk.exports(), exportsBefore);
    assert.deepEqual([...Deno.readDirSync(disk.root)], []);
  });
});

Deno.test("the archive disk unmounted mid-export: one line naming it, exit 1", async () => {
  if (!canMount()) {
    console.log("SKIP: cannot mount a tmpfs here (needs root and mount rights)");
    return;
  }
  await withDir(async (dir) => {
    const disk = await diskSandbox(dir, 400, 10);
    disk.mount();
    let unmounted = false;
    try {
      const run = await disk.scrape(() => {
        // The export has started (its temp is on the tmpfs): yank the disk a moment later.
        setTimeout(() => {
          disk.unmount();
          unmounted = true;
        }, 300);
      });
      assert.ok(unmounted, run.text);
      assert.equal(run.exitCode, 1, run.text);
      assert.match(
        oneError(run.text),
        /Archive root \S+ vanished during the run \(its \.dce-archive-root is gone\) — was the disk unmounted\?/,
      );
      assert.doesNotMatch(run.text, /exited 0 but wrote no export file/);
    } finally {
      if (!unmounted) disk.unmount();
    }
  });
});
