// The in-place tail rewrite gives the same bytes as the full rewrite; the record is trusted only
// while it matches the file; the journal undoes an interrupted change.
import assert from "node:assert/strict";
import { join } from "node:path";
import { mergeExportIntoArchive } from "../lib/archive/merge_export.ts";
import { recordPath, validRecord } from "../lib/archive/archive_record.ts";
import {
  journalPath,
  rollBackInterruptedAppend,
  writeJournal,
} from "../lib/archive/archive_journal.ts";
import { archiveStats } from "../lib/scrape/archive_stats.ts";
import { auditArchive } from "../lib/archive/audit_archive.ts";
import { main as salvageMain } from "../scripts/salvage-truncated-export.ts";
import { dceExportText, type FixtureMessage } from "./fixtures/archive_fixture.ts";
import { withTempDir as withDir } from "./fixtures/helpers.ts";

/** Small deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ["a", "rocket \u{1F680}", 'quote "q"', "back\\slash", "é", "x".repeat(300), ""];

function message(id: bigint, rand: () => number, edit = ""): FixtureMessage {
  const m: FixtureMessage = {
    id: String(id),
    timestamp: "2024-01-01T00:00:00+00:00",
    content: WORDS[Math.floor(rand() * WORDS.length)]! + edit,
  };
  if (rand() < 0.3) m.attachments = [{ id: String(id + 7n), url: "https://x/y.png" }];
  if (rand() < 0.2) m.embeds = [];
  return m;
}

function exportText(messages: FixtureMessage[], rand: () => number, run: number): string {
  const frac = ["", ".1", ".123456"][Math.floor(rand() * 3)];
  return dceExportText({
    messages,
    messageCount: "auto",
    exportedAt: `2024-02-${String(run + 1).padStart(2, "0")}T00:00:00${frac}+00:00`,
    dateRange: { after: rand() < 0.5 ? null : "2024-01-01T00:00:00+00:00", before: null },
    ...(rand() < 0.1 ? { channel: { id: "111", name: "renamed-" + "y".repeat(600) } } : {}),
  });
}

Deno.test("tail rewrite: random archives and exports give the full rewrite's bytes", async () => {
  let inPlace = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const rand = prng(seed);
    await withDir(async (dir) => {
      const fast = join(dir, "fast.json");
      const full = join(dir, "full.json");
      const base = 1_000_000_000_000_000n;
      let ids: bigint[] = [];
      let next = base;
      const grow = (n: number) =>
        Array.from({ length: n }, () => (next += 1n + BigInt(Math.floor(rand() * 5))));
      ids = grow(1 + Math.floor(rand() * 40));
      const first = join(dir, "e0.json");
      await Deno.writeTextFile(first, exportText(ids.map((id) => message(id, rand)), rand, 0));
      for (const a of [fast, full]) {
        await mergeExportIntoArchive({ archivePath: a, exportPath: first });
      }
      for (let run = 1; run <= 3; run++) {
        // Re-fetch a random trailing window (edits win) and add new messages above the cursor.
        const back = Math.floor(rand() * Math.min(ids.length + 1, 12));
        const window = ids.slice(ids.length - back);
        const added = grow(Math.floor(rand() * 10));
        ids = [...ids, ...added];
        const exp = join(dir, `e${run}.json`);
        const msgs = [...window, ...added].map((id) =>
          message(id, rand, rand() < 0.5 ? " (edited)" : "")
        );
        await Deno.writeTextFile(exp, exportText(msgs, rand, run));
        const r = await mergeExportIntoArchive({ archivePath: fast, exportPath: exp });
        if (r.inPlace) inPlace++;
        await Deno.remove(recordPath(full)); // no record: the full rewrite runs
        const f = await mergeExportIntoArchive({ archivePath: full, exportPath: exp });
        assert.ok(!f.inPlace);
        assert.deepEqual([r.before, r.after, r.fetched], [f.before, f.after, f.fetched]);
        assert.deepEqual(
          await Deno.readFile(fast),
          await Deno.readFile(full),
          `seed ${seed} run ${run}`,
        );
        const record = await validRecord(fast);
        assert.equal(record?.count, f.after, `seed ${seed}: the record follows the archive`);
      }
    });
  }
  assert.ok(inPlace > 60, `the in-place path ran (${inPlace} times)`);
});

/** An archive of `n` messages made by our writer, with its record. */
async function ourArchive(dir: string, n: number): Promise<string> {
  const rand = prng(n);
  const exp = join(dir, "seed.json");
  const msgs = Array.from({ length: n }, (_, i) => message(1000n + BigInt(i), rand));
  await Deno.writeTextFile(exp, exportText(msgs, rand, 0));
  const archive = join(dir, "a.json");
  await mergeExportIntoArchive({ archivePath: archive, exportPath: exp });
  await Deno.remove(exp);
  return archive;
}

Deno.test("record: trusted while it matches; every kind of stale record is caught", async (t) => {
  const cases: [string, (archive: string, dir: string) => Promise<void>][] = [
    ["edited in the middle, same size, mtime put back (a second later)", async (a) => {
      // Deno reports the change time in whole seconds: only an edit in a later second than the
      // record's is seen by it (docs/archive.md says so).
      await new Promise((r) => setTimeout(r, 1100));
      const info = await Deno.stat(a);
      const bytes = await Deno.readFile(a);
      const at = bytes.indexOf(0x61, bytes.length >> 1); // an "a" inside a message
      bytes[at] = 0x62;
      await Deno.writeFile(a, bytes);
      await Deno.utime(a, info.atime!, info.mtime!);
    }],
    ["the last message edited", async (a) => {
      const text = await Deno.readTextFile(a);
      const at = text.lastIndexOf('"content": "') + 12;
      await Deno.writeTextFile(a, text.slice(0, at) + "Z" + text.slice(at + 1));
    }],
    ["truncated by hand and closed again", async (a) => {
      const text = await Deno.readTextFile(a);
      const cut = text.lastIndexOf(",\n    {");
      const n = text.slice(0, cut).split('\n    {\n      "id"').length - 1;
      await Deno.writeTextFile(a, text.slice(0, cut) + `\n  ],\n  "messageCount": ${n}\n}`);
    }],
    ["replaced by an identical copy (new inode)", async (a, dir) => {
      await Deno.copyFile(a, join(dir, "copy"));
      await Deno.rename(join(dir, "copy"), a);
    }],
    ["restored older with the recorded mtime", async (a, dir) => {
      const older = await Deno.readFile(a);
      const exp = join(dir, "more.json");
      await Deno.writeTextFile(exp, exportText([message(9000n, prng(9))], prng(9), 1));
      await mergeExportIntoArchive({ archivePath: a, exportPath: exp }); // record now says 201
      const info = await Deno.stat(a);
      await Deno.writeFile(a, older);
      await Deno.utime(a, info.atime!, info.mtime!);
    }],
    ["record torn", async (a) => {
      const text = await Deno.readTextFile(recordPath(a));
      await Deno.writeTextFile(recordPath(a), text.slice(0, 40));
    }],
    ["record of another archive", async (a, dir) => {
      const other = join(dir, "other");
      await Deno.mkdir(other);
      const b = await ourArchive(other, 7);
      await Deno.copyFile(recordPath(b), recordPath(a));
    }],
  ];
  for (const [name, spoil] of cases) {
    await t.step(name, async () => {
      await withDir(async (dir) => {
        const archive = await ourArchive(dir, 200); // larger than the two hashed 4 KiB edges
        assert.ok(await validRecord(archive), "a fresh record is valid");
        await spoil(archive, dir);
        assert.equal(await validRecord(archive), null);
        // The full read gives the truth and rewrites the record.
        const text = await Deno.readTextFile(archive);
        const doc = JSON.parse(text) as { messages: { id: string }[] };
        const stats = await archiveStats(archive, "111", new Date());
        assert.equal(stats.count, doc.messages.length);
        assert.equal(stats.maxId, doc.messages.at(-1)!.id);
        const record = await validRecord(archive);
        assert.equal(record?.count, doc.messages.length);
        assert.equal(
          record?.ours,
          false,
          "a record from a full read never allows the tail rewrite",
        );
      });
    });
  }
});

Deno.test("journal: a rollback restores the old bytes; an incomplete journal is only removed", async () => {
  await withDir(async (dir) => {
    const archive = await ourArchive(dir, 5);
    const old = await Deno.readFile(archive);
    await writeJournal(archive, old.length, [
      { offset: 0, bytes: old.slice(0, 10) },
      { offset: old.length - 50, bytes: old.slice(old.length - 50) },
    ]);
    const changed = new Uint8Array(old.length + 100).fill(0x41);
    await Deno.writeFile(archive, changed);
    const lines: string[] = [];
    assert.equal(await rollBackInterruptedAppend(archive, (l) => lines.push(l)), true);
    // Only the journalled regions come back; the rest of `changed` shows the test is not vacuous.
    const back = await Deno.readFile(archive);
    assert.equal(back.length, old.length);
    assert.deepEqual(back.slice(0, 10), old.slice(0, 10));
    assert.deepEqual(back.slice(old.length - 50), old.slice(old.length - 50));
    assert.match(lines.join("\n"), /rolled back an interrupted append/);
    await assert.rejects(Deno.lstat(journalPath(archive)), Deno.errors.NotFound);

    await Deno.writeFile(archive, old);
    await Deno.writeTextFile(journalPath(archive), '{"v":1,"length":3,"regions":[[0,5]],"sha');
    lines.length = 0;
    await rollBackInterruptedAppend(archive, (l) => lines.push(l));
    assert.deepEqual(await Deno.readFile(archive), old);
    assert.match(lines.join("\n"), /incomplete journal/);
  });
});

Deno.test("journal: a merge rolls a leftover journal back first; a dry run refuses", async () => {
  await withDir(async (dir) => {
    const archive = await ourArchive(dir, 5);
    const old = await Deno.readFile(archive);
    await writeJournal(archive, old.length, [{ offset: 0, bytes: old }]);
    await Deno.writeFile(archive, new Uint8Array(3).fill(0x41));
    const exp = join(dir, "e.json");
    await Deno.writeTextFile(exp, exportText([message(5000n, prng(1))], prng(1), 1));
    await assert.rejects(
      mergeExportIntoArchive({ archivePath: archive, exportPath: exp, dryRun: true }),
      /journal of an interrupted append/,
    );
    const lines: string[] = [];
    const r = await mergeExportIntoArchive({
      archivePath: archive,
      exportPath: exp,
      warn: (l) => lines.push(l),
    });
    assert.match(lines.join("\n"), /rolled back an interrupted append/);
    assert.deepEqual([r.before, r.after], [5, 6]);
  });
});

Deno.test("audit: an archive with a journal is reported, not read (the audit takes no lock)", async () => {
  await withDir(async (dir) => {
    const archive = await ourArchive(dir, 5);
    assert.equal((await auditArchive(archive)).ok, true);
    await writeJournal(archive, 1, [{ offset: 0, bytes: new Uint8Array([0x7b]) }]);
    const finding = await auditArchive(archive);
    assert.equal(finding.ok, false);
    assert.match(finding.reason ?? "", /interrupted or is running .*rolls it back under the lock/);
  });
});

Deno.test("record: an archive holding an id that is not a plain snowflake gets none; every read warns", async () => {
  await withDir(async (dir) => {
    const rand = prng(3);
    const exp = join(dir, "e.json");
    const ids = [1000n, 1001n, 1002n].map((id) => message(id, rand));
    ids[1]!.id = "01001"; // a leading zero: never the cursor, but it must be reported on every run
    await Deno.writeTextFile(exp, exportText(ids, rand, 0));
    const archive = join(dir, "a.json");
    await mergeExportIntoArchive({ archivePath: archive, exportPath: exp });
    assert.equal(await validRecord(archive), null, "no record after the merge");
    for (let run = 0; run < 2; run++) {
      const stats = await archiveStats(archive, "111", new Date());
      assert.equal(stats.ignoredIds?.id, "01001", `run ${run}`);
      assert.equal(stats.maxId, "1002");
    }
    assert.equal(await validRecord(archive), null, "nor after a full read");
  });
});

Deno.test("salvage-truncated-export rolls an interrupted append back instead of cutting the archive", async () => {
  await withDir(async (dir) => {
    const archive = await ourArchive(dir, 5);
    const old = await Deno.readFile(archive);
    const cut = old.length - 40; // as if an append died after rewriting the end: cut off
    await writeJournal(archive, old.length, [{ offset: cut, bytes: old.slice(cut) }]);
    await Deno.truncate(archive, cut);
    const code = await salvageMain([archive]);
    assert.equal(code, 0);
    assert.deepEqual(await Deno.readFile(archive), old);
    assert.equal(
      (await Array.fromAsync(Deno.readDir(dir))).some((e) => e.name.includes(".bak.")),
      false,
    );
  });
});
