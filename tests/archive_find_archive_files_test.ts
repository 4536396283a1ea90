// findArchiveFiles / findSeededArchives: one walk, skipped folders, symlinks only when asked for.
import assert from "node:assert/strict";
import { join } from "node:path";
import { findArchiveFiles } from "../lib/archive/find_archive_files.ts";
import { findSeededArchives } from "../lib/archive/find_seeded_archives.ts";

Deno.test("findArchiveFiles() and findSeededArchives() share the walk", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const id = "1234567890123456";
    await Deno.mkdir(join(dir, "sub"));
    await Deno.mkdir(join(dir, ".dce-meta"));
    await Deno.mkdir(join(dir, ".dce-temp"));
    await Deno.writeTextFile(join(dir, `a [${id}].json`), "{}");
    await Deno.writeTextFile(join(dir, "sub", "plain.json"), "{}");
    await Deno.writeTextFile(join(dir, "notes.txt"), "");
    await Deno.writeTextFile(join(dir, ".dce-meta", `m [${id}].json`), "{}");
    await Deno.writeTextFile(join(dir, ".dce-temp", `t [${id}].json`), "{}");
    await Deno.symlink(join(dir, `a [${id}].json`), join(dir, `link [${id}].json`));
    await Deno.symlink(join(dir, "sub"), join(dir, "linked-folder"));

    assert.deepEqual(await findArchiveFiles(dir), [
      join(dir, `a [${id}].json`),
      join(dir, `link [${id}].json`),
      join(dir, "sub", "plain.json"),
    ]);
    assert.deepEqual(await findArchiveFiles(dir, { includeSymlinks: false }), [
      join(dir, `a [${id}].json`),
      join(dir, "sub", "plain.json"),
    ]);
    assert.deepEqual(await findSeededArchives(dir), [
      { channelId: id, path: join(dir, `a [${id}].json`) },
    ]);
    assert.deepEqual(await findArchiveFiles(join(dir, "missing")), []);
    assert.deepEqual(await findSeededArchives(join(dir, "missing")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
