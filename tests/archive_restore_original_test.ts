// salvage-truncated-export's restore (the salvaged file failed its check: the original goes back)
// never writes through a name someone planted beside the archive: nothing outside the root changes.
import assert from "node:assert/strict";
import { join } from "node:path";
import { restoreOriginal } from "../lib/archive/restore_original.ts";
import { ArchiveError } from "../lib/archive/archive_error.ts";

const ORIGINAL = '{"messages": [{"id": "1"}], "cut here';
const SALVAGED = '{"messages": [], broken}';
const VICTIM = "the victim's own bytes\n";

async function withRoot(
  fn: (p: { archive: string; backup: string; victim: string; root: string }) => Promise<void>,
): Promise<void> {
  const base = await Deno.makeTempDir({ prefix: "restore-original-test-" });
  try {
    const root = join(base, "root");
    await Deno.mkdir(root);
    const archive = join(root, "room.json");
    const backup = `${archive}.bak.20240101T000000Z`;
    const victim = join(base, "outside.txt");
    await Deno.writeTextFile(archive, SALVAGED);
    await Deno.writeTextFile(backup, ORIGINAL);
    await Deno.writeTextFile(victim, VICTIM);
    await fn({ archive, backup, victim, root });
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

Deno.test("restoreOriginal(): the original replaces the salvaged file; the backup stays", async () => {
  await withRoot(async ({ archive, backup, root }) => {
    await restoreOriginal(archive, backup, ".restore.fixed");
    assert.equal(await Deno.readTextFile(archive), ORIGINAL);
    assert.equal(await Deno.readTextFile(backup), ORIGINAL);
    assert.ok(
      !(await Array.fromAsync(Deno.readDir(root))).some((e) => e.name.startsWith(".restore")),
    );
  });
});

for (const planted of ["a link to a file outside the root", "a dangling link outside the root"]) {
  Deno.test(`restoreOriginal(): ${planted} at the temp name is refused, never written through`, async () => {
    await withRoot(async ({ archive, backup, victim, root }) => {
      const target = planted.startsWith("a dangling") ? `${victim}.new` : victim;
      await Deno.symlink(target, join(root, ".restore.fixed"));
      await assert.rejects(
        () => restoreOriginal(archive, backup, ".restore.fixed"),
        (err: unknown) =>
          err instanceof ArchiveError && !err.message.includes("\n") &&
          /already there \(never overwritten nor followed\); the original is kept at '.*\.bak\./
            .test(err.message),
      );
      assert.equal(await Deno.readTextFile(victim), VICTIM, "the file outside the root changed");
      await assert.rejects(Deno.lstat(`${victim}.new`), Deno.errors.NotFound);
      assert.equal(await Deno.readTextFile(archive), SALVAGED);
      assert.ok((await Deno.lstat(archive)).isFile, "the archive became a link");
      assert.equal(await Deno.readTextFile(backup), ORIGINAL);
    });
  });
}
