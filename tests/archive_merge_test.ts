import assert from "node:assert/strict";
import { join } from "node:path";
import { mergeExportIntoArchive } from "../lib/archive/merge_export.ts";
import { ArchiveError } from "../lib/archive/archive_error.ts";
import { maxMessageId } from "../lib/archive/export_queries.ts";
import {
  dceExportText,
  fixtureChannel,
  type FixtureExport,
  simpleMessage as msg,
  withoutHeaderReserve,
} from "./fixtures/archive_fixture.ts";
import { withTempDir as withDir } from "./fixtures/helpers.ts";

async function write(path: string, doc: FixtureExport): Promise<string> {
  await Deno.writeTextFile(path, dceExportText(doc));
  return path;
}

async function readDoc(path: string) {
  return JSON.parse(await Deno.readTextFile(path)) as {
    messages: { id: string; content: string }[];
    messageCount: number;
    dateRange: { after: string | null; before: string | null };
    exportedAt: string;
    channel: { id: string; name: string };
  };
}

async function ids(path: string): Promise<string[]> {
  return (await readDoc(path)).messages.map((m) => m.id);
}

// Fixtures as in the bash suite (docs/bash-suite.md#smokes-carried-over).
const existing: FixtureExport = {
  messages: [msg("1", 1), msg("2", 2)],
  dateRange: { after: "2024-01-01T00:00:00Z", before: null },
  exportedAt: "2024-01-02T10:00:00Z",
};
const incremental: FixtureExport = {
  messages: [msg("2", 2), msg("3", 3)],
  dateRange: { after: "2024-01-02T00:00:00Z", before: "2024-01-04T00:00:00Z" },
  exportedAt: "2024-01-03T10:00:00Z",
};

Deno.test("merge: overlap + new ids gives the union once each, counts and dateRange as docs/archive.md#merge says", async () => {
  await withDir(async (dir) => {
    const archive = await write(join(dir, "a [111].json"), existing);
    const exp = await write(join(dir, "export.json"), incremental);
    const r = await mergeExportIntoArchive({ archivePath: archive, exportPath: exp });
    assert.deepEqual(
      { action: r.action, before: r.before, fetched: r.fetched, after: r.after, delta: r.delta },
      { action: "MERGED", before: 2, fetched: 2, after: 3, delta: 1 },
    );
    assert.equal(r.guildLabel, "Fixture Guild [222]");
    const doc = await readDoc(archive);
    assert.deepEqual(doc.messages.map((m) => m.id), ["1", "2", "3"]);
    assert.equal(doc.messageCount, 3);
    assert.deepEqual(doc.dateRange, {
      after: "2024-01-01T00:00:00Z",
      before: "2024-01-04T00:00:00Z",
    });
    assert.equal(doc.exportedAt, "2024-01-03T10:00:00Z");
  });
});

Deno.test("merge: on duplicate ids the incremental copy wins (concurrent-conflict fixture)", async () => {
  await withDir(async (dir) => {
    const archive = await write(join(dir, "a.json"), {
      messages: [msg("1", 1), msg("2", 2), msg("3", 3)],
    });
    const exp = await write(join(dir, "e.json"), {
      messages: [msg("2", 2, "second (slightly modified)"), msg("3", 3), msg("4", 4)],
    });
    const r = await mergeExportIntoArchive({ archivePath: archive, exportPath: exp });
    assert.equal(r.after, 4);
    const doc = await readDoc(archive);
    assert.deepEqual(doc.messages.map((m) => m.id), ["1", "2", "3", "4"]);
    assert.equal(doc.messages[1]!.content, "second (slightly modified)");
  });
});

Deno.test("merge: output is ordered by numeric id, mixed-length ids included", async () => {
  await withDir(async (dir) => {
    const archive = await write(join(dir, "a.json"), {
      messages: [msg("999999999999999999", 1), msg("1000000000000000000", 2)],
    });
    const exp = await write(join(dir, "e.json"), {
      messages: [msg("1000000000000000001", 3)],
    });
    assert.equal(await maxMessageId(archive), "1000000000000000000");
    await mergeExportIntoArchive({ archivePath: archive, exportPath: exp });
    assert.deepEqual(await ids(archive), [
      "999999999999999999",
      "1000000000000000000",
      "1000000000000000001",
    ]);
    assert.equal(await maxMessageId(archive), "1000000000000000001");
  });
});

Deno.test("maxMessageId: the numeric maximum, not the last element (unordered-cursor fixture)", async () => {
  await withDir(async (dir) => {
    const p = await write(join(dir, "a.json"), { messages: [msg("1"), msg("999"), msg("2")] });
    assert.equal(await maxMessageId(p), "999");
    const empty = await write(join(dir, "b.json"), { messages: [] });
    assert.equal(await maxMessageId(empty), null);
  });
});

Deno.test("merge: an unordered archive goes through the external sort and comes out ascending", async () => {
  await withDir(async (dir) => {
    const archive = await write(join(dir, "a.json"), {
      messages: [msg("1"), msg("999"), msg("2")],
    });
    const exp = await write(join(dir, "e.json"), { messages: [msg("1000")] });
    const warned: string[] = [];
    const r = await mergeExportIntoArchive({
      archivePath: archive,
      exportPath: exp,
      warn: (l) => warned.push(l),
      sortRunBytes: 1, // spill every message into its own run: exercises the k-way merge
    });
    assert.equal(r.sorted, true);
    assert.deepEqual(await ids(archive), ["1", "2", "999", "1000"]);
    assert.equal(r.before, 3);
    assert.equal(r.after, 4);
    assert.ok(warned.some((l) => l.includes("external sort")), warned.join("\n"));
  });
});

Deno.test("merge: a dry run's external sort spills under the given tmpDir, never beside the archive", async () => {
  await withDir(async (dir) => {
    const archive = await write(join(dir, "a.json"), {
      messages: [msg("1"), msg("999"), msg("2")],
    });
    const exp = await write(join(dir, "e.json"), { messages: [msg("1000")] });
    const before = await Deno.readTextFile(archive);
    const scratch = join(dir, "scratch");
    await Deno.mkdir(scratch);
    const dry = (tmpDir: string) =>
      mergeExportIntoArchive({
        archivePath: archive,
        exportPath: exp,
        dryRun: true,
        tmpDir,
        sortRunBytes: 1,
      });
    const r = await dry(scratch);
    assert.equal(r.sorted, true);
    assert.equal(r.after, 4);
    assert.deepEqual([...Deno.readDirSync(scratch)], [], "spill runs cleaned up");
    // A tmpDir that is a file cannot hold the runs: proof that it, not the environment, is used.
    const blocker = join(dir, "blocker");
    await Deno.writeTextFile(blocker, "");
    await assert.rejects(dry(blocker));
    assert.equal(await Deno.readTextFile(archive), before);
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      ["a.json", "blocker", "e.json", "scratch"],
    );
  });
});

Deno.test("merge: duplicate ids inside the archive are folded with a warning, not fatal (docs/bash-suite.md#h13-duplicate-ids-fatal)", async () => {
  await withDir(async (dir) => {
    const archive = await write(join(dir, "a.json"), {
      messages: [msg("1"), msg("2", 2, "old copy"), msg("2", 2, "newer copy"), msg("3")],
    });
    const exp = await write(join(dir, "e.json"), { messages: [msg("4")] });
    const warned: string[] = [];
    const r = await mergeExportIntoArchive({
      archivePath: archive,
      exportPath: exp,
      warn: (l) => warned.push(l),
    });
    assert.equal(r.action, "MERGED");
    assert.equal(r.before, 4);
    assert.equal(r.after, 4);
    const doc = await readDoc(archive);
    assert.deepEqual(doc.messages.map((m) => m.id), ["1", "2", "3", "4"]);
    assert.equal(doc.messages[1]!.content, "newer copy");
    assert.ok(warned.some((l) => /folded 1 duplicate/.test(l)), warned.join("\n"));
  });
});

Deno.test("merge: re-merging the same export is byte-identical (idempotent)", async () => {
  await withDir(async (dir) => {
    const archive = await write(join(dir, "a.json"), existing);
    const exp = await write(join(dir, "e.json"), incremental);
    await mergeExportIntoArchive({ archivePath: archive, exportPath: exp });
    const once = await Deno.readFile(archive);
    await mergeExportIntoArchive({ archivePath: archive, exportPath: exp });
    assert.deepEqual(await Deno.readFile(archive), once);
  });
});

Deno.test("merge: DCE's own layout passes through byte-for-byte (emoji escapes kept)", async () => {
  await withDir(async (dir) => {
    const m = { ...msg("5"), content: 'rocket \u{1F680} "quoted" back\\slash', attachments: [] };
    const doc: FixtureExport = { messages: [msg("1"), m], messageCount: "auto" };
    const exp = await write(join(dir, "e.json"), doc);
    const archive = join(dir, "new [111].json");
    const r = await mergeExportIntoArchive({ archivePath: archive, exportPath: exp });
    assert.equal(r.action, "CREATED");
    assert.equal(withoutHeaderReserve(await Deno.readTextFile(archive)), dceExportText(doc));
    assert.ok((await Deno.readTextFile(archive)).includes("\\uD83D\\uDE80"));
  });
});

Deno.test("merge: a wrong-channel export is refused and the archive stays byte-identical", async () => {
  await withDir(async (dir) => {
    const archive = await write(join(dir, "a.json"), existing);
    const exp = await write(join(dir, "e.json"), {
      channel: fixtureChannel("999"),
      messages: [msg("4")],
    });
    const before = await Deno.readFile(archive);
    await assert.rejects(
      mergeExportIntoArchive({ archivePath: archive, exportPath: exp }),
      (err: unknown) =>
        err instanceof ArchiveError && err.kind === "wrong-channel" &&
        err.message === `Export '${exp}' belongs to channel '999', expected '111'.`,
    );
    assert.deepEqual(await Deno.readFile(archive), before);
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      ["a.json", "e.json"],
    );
  });
});

Deno.test("merge: a truncated export or archive is refused, archive unchanged, no temp left", async () => {
  await withDir(async (dir) => {
    const archive = await write(join(dir, "a.json"), existing);
    const full = dceExportText(incremental);
    const exp = join(dir, "e.json");
    await Deno.writeTextFile(exp, full.slice(0, full.lastIndexOf("message 3") + 4));
    const before = await Deno.readFile(archive);
    await assert.rejects(
      mergeExportIntoArchive({ archivePath: archive, exportPath: exp }),
      (err: unknown) => err instanceof ArchiveError && err.kind === "truncated",
    );
    assert.deepEqual(await Deno.readFile(archive), before);

    // Truncated archive: detected at its end, after the temp was written; still refused.
    const text = dceExportText(existing);
    await Deno.writeTextFile(archive, text.slice(0, text.length - 20));
    const cut = await Deno.readFile(archive);
    await write(exp, incremental);
    await assert.rejects(
      mergeExportIntoArchive({ archivePath: archive, exportPath: exp }),
      (err: unknown) => err instanceof ArchiveError && err.kind === "truncated",
    );
    assert.deepEqual(await Deno.readFile(archive), cut);
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      ["a.json", "e.json"],
    );
  });
});

Deno.test("merge: an export with 0 messages leaves the archive untouched (UNCHANGED)", async () => {
  await withDir(async (dir) => {
    const archive = await write(join(dir, "a.json"), existing);
    const exp = await write(join(dir, "e.json"), { messages: [], messageCount: 0 });
    const stat = await Deno.stat(archive);
    const before = await Deno.readFile(archive);
    const r = await mergeExportIntoArchive({ archivePath: archive, exportPath: exp });
    assert.deepEqual([r.action, r.before, r.after, r.fetched], ["UNCHANGED", 2, 2, 0]);
    assert.deepEqual(await Deno.readFile(archive), before);
    assert.equal((await Deno.stat(archive)).mtime?.getTime(), stat.mtime?.getTime());
  });
});

Deno.test("merge: dry run reports the outcome and writes nothing", async () => {
  await withDir(async (dir) => {
    const archive = await write(join(dir, "a.json"), existing);
    const exp = await write(join(dir, "e.json"), incremental);
    const before = await Deno.readFile(archive);
    const r = await mergeExportIntoArchive({ archivePath: archive, exportPath: exp, dryRun: true });
    assert.deepEqual([r.action, r.before, r.after], ["MERGED", 2, 3]);
    assert.deepEqual(await Deno.readFile(archive), before);
    const created = join(dir, "new.json");
    const c = await mergeExportIntoArchive({ archivePath: created, exportPath: exp, dryRun: true });
    assert.equal(c.action, "CREATED");
    await assert.rejects(Deno.stat(created), Deno.errors.NotFound);
  });
});

Deno.test("merge: leftover replace-temps of a killed run are swept; foreign files are not", async () => {
  await withDir(async (dir) => {
    const archive = await write(join(dir, "a.json"), existing);
    const exp = await write(join(dir, "e.json"), incremental);
    await Deno.writeTextFile(join(dir, ".a.json.dce-replace.Ab12Cd"), "partial");
    await Deno.writeTextFile(join(dir, ".a.json.dce-replace.keep-me-please"), "not ours");
    await Deno.mkdir(join(dir, ".a.json.dce-sort.Zz9Yy8"));
    await Deno.writeTextFile(join(dir, ".a.json.dce-sort.Zz9Yy8", "run-0"), "spilled run");
    await mergeExportIntoArchive({ archivePath: archive, exportPath: exp });
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      [".a.json.dce-record", ".a.json.dce-replace.keep-me-please", "a.json", "e.json"],
    );
  });
});

Deno.test("merge: a symlink where the archive should be is refused", async () => {
  await withDir(async (dir) => {
    const real = await write(join(dir, "real.json"), existing);
    const link = join(dir, "link.json");
    await Deno.symlink(real, link);
    const exp = await write(join(dir, "e.json"), incremental);
    await assert.rejects(
      mergeExportIntoArchive({ archivePath: link, exportPath: exp }),
      (err: unknown) => err instanceof ArchiveError && err.kind === "unsafe-path",
    );
    assert.equal((await Deno.lstat(link)).isSymlink, true);
  });
});

Deno.test("merge: an unordered export with repeats creates a sorted archive, folded with a warning", async () => {
  await withDir(async (dir) => {
    const exp = await write(join(dir, "e.json"), {
      messages: [
        msg("30"),
        msg("4"),
        msg("30", 3, "later copy"),
        msg("1000000000000000000"),
        msg("5"),
      ],
    });
    const archive = join(dir, "new.json");
    const warned: string[] = [];
    const r = await mergeExportIntoArchive({
      archivePath: archive,
      exportPath: exp,
      warn: (l) => warned.push(l),
    });
    assert.deepEqual([r.action, r.fetched, r.after, r.sorted], ["CREATED", 5, 4, true]);
    const doc = await readDoc(archive);
    assert.deepEqual(doc.messages.map((m) => m.id), ["4", "5", "30", "1000000000000000000"]);
    assert.equal(doc.messages[2]!.content, "later copy");
    assert.equal(doc.messageCount, 4);
    assert.ok(warned.some((l) => /folded 1 duplicate/.test(l)), warned.join("\n"));
  });
});

Deno.test("merge: an unordered export into an ordered archive falls back to the sort; export still wins", async () => {
  await withDir(async (dir) => {
    const archive = await write(join(dir, "a.json"), { messages: [msg("1"), msg("2"), msg("3")] });
    const exp = await write(join(dir, "e.json"), {
      messages: [msg("5"), msg("2", 2, "edited"), msg("4")],
    });
    const r = await mergeExportIntoArchive({
      archivePath: archive,
      exportPath: exp,
      sortRunBytes: 64,
    });
    assert.equal(r.sorted, true);
    const doc = await readDoc(archive);
    assert.deepEqual(doc.messages.map((m) => m.id), ["1", "2", "3", "4", "5"]);
    assert.equal(doc.messages[1]!.content, "edited");
    assert.deepEqual([r.before, r.fetched, r.after, r.delta], [3, 3, 5, 2]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      ".a.json.dce-record",
      "a.json",
      "e.json",
    ]);
  });
});
