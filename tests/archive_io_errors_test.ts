// I/O failures outside the archive end with one line and exit 1, never a stack trace.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { dceExportText, simpleMessage as msg } from "./fixtures/archive_fixture.ts";

const MERGE = resolve(import.meta.dirname ?? ".", "../scripts/merge-export.ts");

Deno.test("merge-export --dry-run with a missing TMPDIR (out-of-order export): one line, exit 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "archive-io-errors-test-" });
  try {
    const archive = join(dir, "a.json");
    const exp = join(dir, "e.json");
    await Deno.writeTextFile(archive, dceExportText({ messages: [msg("1"), msg("3")] }));
    // Descending ids: the dry run must sort them, and sorts spill into TMPDIR.
    await Deno.writeTextFile(exp, dceExportText({ messages: [msg("5"), msg("2")] }));
    const before = await Deno.readFile(archive);
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MERGE, archive, exp, "--dry-run"],
      env: { TMPDIR: join(dir, "missing") },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 1, stderr);
    assert.match(
      stderr,
      /^ERROR: Cannot sort the export for the dry run in \S+missing: .*set TMPDIR to a writable folder and rerun\.$/m,
    );
    assert.equal(stderr.match(/^ERROR/gm)?.length, 1, stderr);
    assert.doesNotMatch(stderr, /^\s+at /m);
    assert.deepEqual(await Deno.readFile(archive), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
