import assert from "node:assert/strict";
import { join } from "node:path";
import {
  salvageStaleTemps,
  type SalvageStaleTempsOptions,
} from "../lib/archive/salvage_stale_temps.ts";
import {
  dceExportText,
  fixtureChannel,
  type FixtureExport,
  simpleMessage as msg,
} from "./fixtures/archive_fixture.ts";
import { exists } from "../lib/fs/file_predicates.ts";

const NOW = new Date("2024-02-01T12:00:00Z");
const HOUR_AGO = new Date(NOW.getTime() - 3600_000);

async function withOut(fn: (out: string, archive: string) => Promise<void>): Promise<void> {
  const out = await Deno.makeTempDir({ prefix: "archive-salvage-test-" });
  try {
    await fn(out, join(out, "Fixture Guild - Testing Grounds - fixture-room [111].json"));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

async function temp(out: string, name: string, body: string | null, mtime = HOUR_AGO) {
  const dir = join(out, ".dce-temp", name);
  await Deno.mkdir(dir, { recursive: true });
  if (body !== null) {
    await Deno.writeTextFile(join(dir, "export.json"), body);
    await Deno.utime(join(dir, "export.json"), mtime, mtime);
  }
  await Deno.utime(dir, mtime, mtime);
  return dir;
}

function cut(doc: FixtureExport, marker: string): string {
  const text = dceExportText(doc);
  return text.slice(0, text.indexOf(marker) + marker.length);
}

function options(
  out: string,
  destination: string | null,
  lines: string[],
): SalvageStaleTempsOptions {
  return {
    outputDir: out,
    channelId: "111",
    destination,
    minAgeSeconds: 120,
    includeActive: false,
    now: NOW,
    log: (l) => lines.push(l),
  };
}

async function ids(path: string): Promise<string[]> {
  return JSON.parse(await Deno.readTextFile(path)).messages.map((m: { id: string }) => m.id);
}

Deno.test("salvage: a stale cut-off temp is repaired and merged; its folder is consumed", async () => {
  await withOut(async (out, archive) => {
    await Deno.writeTextFile(archive, dceExportText({ messages: [msg("1"), msg("2")] }));
    const dir = await temp(
      out,
      "export.111.AbCdEf",
      cut({ messages: [msg("2"), msg("3"), msg("4")] }, '"id": "4"'),
    );
    const lines: string[] = [];
    const r = await salvageStaleTemps(options(out, archive, lines));
    assert.deepEqual(await ids(archive), ["1", "2", "3"]);
    assert.deepEqual([r.appended, r.before, r.after, r.merged], [1, 2, 3, true]);
    assert.deepEqual(r.consumed, [dir]);
    assert.equal(await exists(dir), false);
    assert.ok(
      lines.some((l) => l === `  SALVAGED ${archive} (+1 messages from stale temp, 2 → 3)`),
      lines.join("\n"),
    );
  });
});

Deno.test("salvage: active temps (by mtime) are kept unless DCE_SALVAGE_ACTIVE_TEMPS", async () => {
  await withOut(async (out, archive) => {
    await Deno.writeTextFile(archive, dceExportText({ messages: [msg("1")] }));
    const active = await temp(
      out,
      "export.111.active",
      cut({ messages: [msg("5"), msg("6")] }, '"id": "6"'),
      NOW,
    );
    const startedEmpty = await temp(out, "export.111.nofile", null, NOW); // DCE creates the file lazily
    const lines: string[] = [];
    const r = await salvageStaleTemps(options(out, archive, lines));
    assert.deepEqual(r.kept.sort(), [active, startedEmpty].sort());
    assert.ok(
      lines.some((l) =>
        l.includes(`still active (recently modified), skipping salvage: ${active}`)
      ),
    );
    assert.deepEqual(await ids(archive), ["1"]);
    assert.equal(await exists(startedEmpty), true);

    const r2 = await salvageStaleTemps({ ...options(out, archive, []), includeActive: true });
    assert.deepEqual(await ids(archive), ["1", "5"]);
    assert.ok(r2.consumed.includes(active));
  });
});

Deno.test("salvage: unrepairable and wrong-channel temps are quarantined with a reason, never deleted", async () => {
  await withOut(async (out, archive) => {
    await Deno.writeTextFile(archive, dceExportText({ messages: [msg("1")] }));
    const garbage = "definitely not an export";
    const bad = await temp(out, "export.111.garbag", garbage);
    const foreignBody = dceExportText({ channel: fixtureChannel("999"), messages: [msg("7")] });
    const foreign = await temp(out, "export.111.foreig", foreignBody);
    // Complete JSON with messages, but no channel header: not a DCE export, so not mergeable.
    const headless = await temp(out, "export.111.headls", '{"messages": [{"id": "5"}]}');
    const lines: string[] = [];
    const r = await salvageStaleTemps(options(out, archive, lines));
    assert.equal(r.quarantined.length, 3);
    assert.equal(await exists(headless), false);
    assert.match(
      await Deno.readTextFile(
        join(out, ".dce-temp", "quarantine", "export.111.headls", "reason.txt"),
      ),
      /unrepairable: .*no "channel" object/,
    );
    assert.equal(await exists(bad), false);
    assert.equal(await exists(foreign), false);
    const q = join(out, ".dce-temp", "quarantine");
    assert.equal(await Deno.readTextFile(join(q, "export.111.garbag", "export.json")), garbage);
    assert.equal(await Deno.readTextFile(join(q, "export.111.foreig", "export.json")), foreignBody);
    assert.match(
      await Deno.readTextFile(join(q, "export.111.garbag", "reason.txt")),
      /^2024-02-01T12:00:00Z unrepairable: /,
    );
    assert.match(
      await Deno.readTextFile(join(q, "export.111.foreig", "reason.txt")),
      /wrong channel: 999 != 111\n$/,
    );
    assert.ok(
      lines.some((l) =>
        l.startsWith("  Stale temp export wrong channel (999 != 111), quarantined")
      ),
    );
    assert.deepEqual(await ids(archive), ["1"]);
    // The quarantine is not picked up again.
    const again = await salvageStaleTemps(options(out, archive, []));
    assert.deepEqual([again.consumed, again.quarantined, again.kept], [[], [], []]);
  });
});

Deno.test("salvage: a missing archive is created atomically from the temp; unknown destination keeps it", async () => {
  await withOut(async (out, archive) => {
    const body = cut({ messages: [msg("1"), msg("2"), msg("3")] }, '"id": "3"');
    const dir = await temp(out, "export.111.create", body);
    const kept = await salvageStaleTemps(options(out, null, []));
    assert.deepEqual(kept.kept, [dir]);
    assert.equal(await exists(dir), true);

    const lines: string[] = [];
    const r = await salvageStaleTemps(options(out, archive, lines));
    assert.deepEqual(await ids(archive), ["1", "2"]);
    assert.deepEqual([r.appended, r.merged], [2, true]);
    assert.ok(lines.includes(`  SALVAGED ${archive} (2 messages from stale temp, new archive)`));
    const names = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.deepEqual(names, [
      ".Fixture Guild - Testing Grounds - fixture-room [111].json.dce-record",
      ".dce-temp",
      "Fixture Guild - Testing Grounds - fixture-room [111].json",
    ]);
  });
});

Deno.test("salvage: only temps present at the start are touched; newer copies win", async () => {
  await withOut(async (out, archive) => {
    await Deno.writeTextFile(archive, dceExportText({ messages: [msg("1")] }));
    const older = new Date(HOUR_AGO.getTime() - 60_000);
    await temp(
      out,
      "export.111.older1",
      cut({ messages: [msg("2", 2, "old"), msg("9")] }, '"id": "9"'),
      older,
    );
    await temp(
      out,
      "export.111.newer1",
      cut({ messages: [msg("2", 2, "new"), msg("9")] }, '"id": "9"'),
    );
    let late = "";
    const lines: string[] = [];
    const opts = options(out, archive, lines);
    opts.log = (l) => {
      lines.push(l);
      if (!late) {
        late = join(out, ".dce-temp", "export.111.appear");
        Deno.mkdirSync(late);
        Deno.writeTextFileSync(join(late, "export.json"), "{");
      }
    };
    await salvageStaleTemps({ ...opts, includeActive: true });
    const doc = JSON.parse(await Deno.readTextFile(archive));
    assert.deepEqual(doc.messages.map((m: { id: string }) => m.id), ["1", "2"]);
    assert.equal(doc.messages[1].content, "new");
    assert.equal(await Deno.readTextFile(join(late, "export.json")), "{");
  });
});

Deno.test("salvage: a merge the engine refuses (broken archive) quarantines the temp, archive untouched", async () => {
  await withOut(async (out, archive) => {
    await Deno.writeTextFile(archive, "this archive is broken");
    const dir = await temp(out, "export.111.refuse", dceExportText({ messages: [msg("3")] }));
    const r = await salvageStaleTemps(options(out, archive, []));
    assert.equal(r.quarantined.length, 1);
    assert.equal(await exists(dir), false);
    assert.match(await Deno.readTextFile(join(r.quarantined[0]!, "reason.txt")), /merge refused/);
    assert.equal(await Deno.readTextFile(archive), "this archive is broken");
  });
});
