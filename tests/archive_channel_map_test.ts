// The channel map: atomic rewrite, no temp left behind, write failures as one operator line.
import assert from "node:assert/strict";
import { join } from "node:path";
import { UserError } from "../lib/cli/errors.ts";
import { readChannelMap, recordMapping, writeChannelMap } from "../lib/archive/channel_map.ts";

Deno.test("channel map: written, re-read, only channel-map.json left in .dce-meta", async () => {
  const out = await Deno.makeTempDir({ prefix: "archive-map-test-" });
  try {
    await recordMapping(out, "222", join(out, "b [222].json"));
    await recordMapping(out, "111", join(out, "a [111].json"));
    assert.deepEqual(await readChannelMap(out), {
      "111": join(out, "a [111].json"),
      "222": join(out, "b [222].json"),
    });
    assert.deepEqual([...Deno.readDirSync(join(out, ".dce-meta"))].map((e) => e.name), [
      "channel-map.json",
    ]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("channel map: a write that fails (here .dce-meta is a file) is one UserError line", async () => {
  const out = await Deno.makeTempDir({ prefix: "archive-map-test-" });
  try {
    await Deno.writeTextFile(join(out, ".dce-meta"), "not a folder");
    await assert.rejects(writeChannelMap(out, { "111": join(out, "a [111].json") }), (err) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /^Cannot write channel map .*channel-map\.json: .*Free space/);
      assert.ok(!err.message.includes("\n"));
      return true;
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
