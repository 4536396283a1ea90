// An id far longer than a snowflake is refused with one clear error before it reaches the external
// sort, whose run files store an id's length in 16 bits (a 65,536-byte id used to corrupt them).
import assert from "node:assert/strict";
import { join } from "node:path";
import { mergeExportIntoArchive } from "../lib/archive/merge_export.ts";
import { ArchiveError } from "../lib/archive/archive_error.ts";
import { MAX_ID_BYTES } from "../lib/archive/snowflake.ts";
import { dceExportText, simpleMessage as msg } from "./fixtures/archive_fixture.ts";

for (const length of [MAX_ID_BYTES + 1, 65_536, 70_000]) {
  Deno.test(`merge: a ${length}-byte id is refused, the archive unchanged, no run file left`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "archive-long-id-" });
    try {
      const archive = join(dir, "a [111].json");
      const exp = join(dir, "e.json");
      const archiveText = dceExportText({ messages: [msg("1"), msg("3")], messageCount: "auto" });
      await Deno.writeTextFile(archive, archiveText);
      // Out of order, so the merge needs the external sort.
      const long = "9".repeat(length);
      await Deno.writeTextFile(exp, dceExportText({ messages: [msg("4"), msg(long), msg("2")] }));
      await assert.rejects(
        () => mergeExportIntoArchive({ archivePath: archive, exportPath: exp, sortRunBytes: 1 }),
        (err: unknown) => {
          assert.ok(err instanceof ArchiveError, String(err));
          assert.match(
            err.message,
            new RegExp(
              `e\\.json' cannot be merged: message 2 has an id of ${length} bytes; a Discord id has at most 20 digits`,
            ),
          );
          assert.ok(!err.message.includes("\n"));
          return true;
        },
      );
      assert.equal(await Deno.readTextFile(archive), archiveText);
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
        "a [111].json",
        "e.json",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test(`merge: an odd id of ${MAX_ID_BYTES} bytes still sorts and merges`, async () => {
  const dir = await Deno.makeTempDir({ prefix: "archive-long-id-" });
  try {
    const archive = join(dir, "a [111].json");
    const exp = join(dir, "e.json");
    await Deno.writeTextFile(archive, dceExportText({ messages: [msg("1")] }));
    const odd = "7".repeat(MAX_ID_BYTES);
    await Deno.writeTextFile(exp, dceExportText({ messages: [msg(odd), msg("2")] }));
    const r = await mergeExportIntoArchive({
      archivePath: archive,
      exportPath: exp,
      sortRunBytes: 1,
    });
    assert.equal(r.after, 3);
    const ids = JSON.parse(await Deno.readTextFile(archive)).messages.map((m: { id: string }) =>
      m.id
    );
    assert.deepEqual(ids, ["1", "2", odd]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
