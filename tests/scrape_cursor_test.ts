// The scrape's cursor ignores ids that are not valid snowflakes, says so in one line, and the
// channel keeps growing (a hostile id used to report UNCHANGED for ever or fail every run).
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { runCore } from "../lib/scrape/run_core.ts";
import { writeWorld } from "../smokes/fakes/fake_dce_world.ts";
import { findArchiveFiles } from "../lib/archive/find_archive_files.ts";

const FAKE = resolve(import.meta.dirname ?? ".", "../smokes/fakes/dce-cli");

async function world(dir: string, count: number) {
  await writeWorld(join(dir, "world.json"), {
    guilds: [{ id: "222", name: "G" }],
    channels: [{ id: "111", guildId: "222", name: "room", count }],
  });
}

async function scrape(dir: string) {
  const lines: string[] = [];
  const result = await runCore({
    mode: "scrape",
    configPath: join(dir, "c.json"),
    targets: [],
    guilds: [],
    channels: [],
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      FAKE_DCE_WORLD: join(dir, "world.json"),
      DISCORD_TOKEN: "tok",
      TMPDIR: dir,
    },
    cliBin: FAKE,
    log: (l) => lines.push(l),
  });
  return { ...result, text: lines.join("\n") };
}

for (
  const [label, hostile] of [
    ["2^64-1 (a timestamp far in the future)", "18446744073709551615"],
    ["full-width digits", "１２３４５６７８９０１２３４５６７８"],
    ["25 digits", "1234567890123456789012345"],
    ["a leading zero", "0999999999999999999"],
    ["a line break", "12\nAll archives valid"],
  ] as const
) {
  Deno.test(`scrape: an archive holding an id with ${label} still grows, with one WARN line`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "dce-cursor-" });
    try {
      await Deno.writeTextFile(
        join(dir, "c.json"),
        JSON.stringify({
          archive_root: join(dir, "a"),
          targets: [{ name: "t", output_dir: join(dir, "a", "t"), channel_ids: ["111"] }],
        }),
      );
      await world(dir, 3);
      assert.equal((await scrape(dir)).exitCode, 0);
      const [archive] = await findArchiveFiles(join(dir, "a", "t"), { includeSymlinks: false });
      const doc = JSON.parse(await Deno.readTextFile(archive!));
      doc.messages.push({ ...doc.messages[0], id: hostile });
      await Deno.writeTextFile(archive!, JSON.stringify(doc, null, 2));

      await world(dir, 5);
      const second = await scrape(dir);
      assert.equal(second.exitCode, 0, second.text);
      assert.equal(second.summary?.totals.messages_appended, 2, second.text);
      const warn = second.text.split("\n").filter((l) => l.includes("WARN: archive"));
      assert.equal(warn.length, 1, second.text);
      assert.ok(warn[0]!.includes(archive!), warn[0]);
      assert.ok(warn[0]!.includes("not a valid Discord snowflake"), warn[0]);
      assert.ok(warn[0]!.includes(JSON.stringify(hostile).slice(0, 4)), warn[0]);
      const after = JSON.parse(await Deno.readTextFile(archive!));
      assert.equal(after.messages.length, 6); // nothing lost, the hostile message included
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
