// Links planted where we write (.dce-temp is filled by a container, a backup name can be pre-created)
// are never followed: the files they point at stay byte-identical.
import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureTempRoot, salvageStaleTemps } from "../lib/archive/salvage_stale_temps.ts";
import { repairTruncatedExport } from "../lib/archive/repair_truncated_export.ts";
import { ArchiveError } from "../lib/archive/archive_error.ts";
import { NotFollowedError, openNoFollow } from "../lib/fs/no_follow.ts";
import { writeChannelMap } from "../lib/archive/channel_map.ts";
import { dceExportText, simpleMessage as msg } from "./fixtures/archive_fixture.ts";

const NOW = new Date("2024-02-01T12:00:00Z");
const HOUR_AGO = new Date(NOW.getTime() - 3600_000);
const CUT = (() => {
  const text = dceExportText({ messages: [msg("2"), msg("3"), msg("4")] });
  return text.slice(0, text.indexOf('"id": "4"') + 9);
})();

async function withDirs(fn: (out: string, elsewhere: string) => Promise<void>): Promise<void> {
  const base = await Deno.makeTempDir({ prefix: "no-follow-test-" });
  try {
    await Deno.mkdir(join(base, "out"));
    await Deno.mkdir(join(base, "elsewhere"));
    await fn(join(base, "out"), join(base, "elsewhere"));
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

async function staleTemp(out: string, name: string): Promise<string> {
  const dir = join(out, ".dce-temp", name);
  await Deno.mkdir(dir, { recursive: true });
  return dir;
}

async function salvage(out: string, lines: string[] = []) {
  const archive = join(out, "Fixture Guild - Testing Grounds - fixture-room [111].json");
  return await salvageStaleTemps({
    outputDir: out,
    channelId: "111",
    destination: archive,
    minAgeSeconds: 120,
    includeActive: false,
    now: NOW,
    log: (l) => lines.push(l),
  });
}

Deno.test("salvage: an export.json that links to a cut-off file elsewhere is quarantined, not repaired", async () => {
  await withDirs(async (out, elsewhere) => {
    const victim = join(elsewhere, "victim.json");
    await Deno.writeTextFile(victim, CUT);
    await Deno.utime(victim, HOUR_AGO, HOUR_AGO);
    const dir = await staleTemp(out, "export.111.AbCdEf");
    await Deno.symlink(victim, join(dir, "export.json"));
    const lines: string[] = [];
    const r = await salvage(out, lines);
    assert.equal(await Deno.readTextFile(victim), CUT);
    assert.equal(r.quarantined.length, 1);
    assert.ok(
      lines.some((l) => /refused, quarantined.*export\.json is a symlink/.test(l)),
      lines.join("\n"),
    );
    assert.ok((await Deno.lstat(join(r.quarantined[0]!, "export.json"))).isSymlink);
  });
});

Deno.test("salvage: a reason.txt link planted in an unusable temp is replaced, its target untouched", async () => {
  await withDirs(async (out, elsewhere) => {
    const victim = join(elsewhere, "precious.txt");
    await Deno.writeTextFile(victim, "keep me\n");
    const dir = await staleTemp(out, "export.111.AbCdEf");
    await Deno.writeTextFile(join(dir, "export.json"), "not json at all");
    await Deno.utime(join(dir, "export.json"), HOUR_AGO, HOUR_AGO);
    await Deno.symlink(victim, join(dir, "reason.txt"));
    const r = await salvage(out);
    assert.equal(await Deno.readTextFile(victim), "keep me\n");
    const reason = join(r.quarantined[0]!, "reason.txt");
    assert.ok((await Deno.lstat(reason)).isFile);
    assert.match(await Deno.readTextFile(reason), /unrepairable/);
  });
});

Deno.test("salvage: a temp folder that is a link is moved as a link; what it points at stays", async () => {
  await withDirs(async (out, elsewhere) => {
    const victim = join(elsewhere, "export.json");
    await Deno.writeTextFile(victim, CUT);
    await Deno.utime(victim, HOUR_AGO, HOUR_AGO);
    await Deno.mkdir(join(out, ".dce-temp"));
    await Deno.symlink(elsewhere, join(out, ".dce-temp", "export.111.AbCdEf"));
    await Deno.writeTextFile(join(out, ".dce-temp", "export.111.a-file"), "x");
    const lines: string[] = [];
    const r = await salvage(out, lines);
    assert.equal(await Deno.readTextFile(victim), CUT);
    assert.deepEqual([...Deno.readDirSync(elsewhere)].map((e) => e.name), ["export.json"]);
    assert.equal(r.quarantined.length, 2);
    assert.ok(r.quarantined.some((q) => Deno.lstatSync(q).isSymlink));
    assert.ok(r.quarantined.some((q) => Deno.lstatSync(q).isFile));
    assert.ok(
      lines.some((l) => /temp folder is a symlink; not followed/.test(l)),
      lines.join("\n"),
    );
  });
});

Deno.test("salvage: a .dce-temp that is a link stops with one line, nothing written through it", async () => {
  await withDirs(async (out, elsewhere) => {
    await Deno.symlink(elsewhere, join(out, ".dce-temp"));
    await assert.rejects(() => ensureTempRoot(out), NotFollowedError);
    await assert.rejects(() => salvage(out), /Refusing .*\.dce-temp: it is a symlink/);
    assert.deepEqual([...Deno.readDirSync(elsewhere)], []);
  });
});

Deno.test("repair: a backup name pre-created as a link is refused; link target and file untouched", async () => {
  await withDirs(async (out, elsewhere) => {
    const path = join(out, "a.json");
    await Deno.writeTextFile(path, CUT);
    const victim = join(elsewhere, "victim.txt");
    await Deno.writeTextFile(victim, "keep me\n");
    const backupPath = `${path}.bak.20240101T000000Z`;
    await Deno.symlink(victim, backupPath);
    await assert.rejects(
      () => repairTruncatedExport(path, { backupPath }),
      (err) => err instanceof ArchiveError && /already there/.test(err.message),
    );
    assert.equal(await Deno.readTextFile(victim), "keep me\n");
    assert.equal(await Deno.readTextFile(path), CUT);
  });
});

Deno.test("openNoFollow: a link or a FIFO is refused before it is opened", async () => {
  await withDirs(async (out, elsewhere) => {
    await Deno.writeTextFile(join(elsewhere, "f"), "x");
    await Deno.symlink(join(elsewhere, "f"), join(out, "link"));
    await assert.rejects(() => openNoFollow(join(out, "link"), { write: true }), NotFollowedError);
    const fifo = new Deno.Command("mkfifo", { args: [join(out, "fifo")] }).outputSync();
    assert.equal(fifo.code, 0);
    await assert.rejects(() => openNoFollow(join(out, "fifo"), { read: true }), NotFollowedError);
  });
});

Deno.test("channel map: a .dce-meta that is a link is refused, nothing written through it", async () => {
  await withDirs(async (out, elsewhere) => {
    await Deno.symlink(elsewhere, join(out, ".dce-meta"));
    await assert.rejects(() => writeChannelMap(out, { "111": "a.json" }), NotFollowedError);
    assert.deepEqual([...Deno.readDirSync(elsewhere)], []);
  });
});
