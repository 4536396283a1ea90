// Bad input to the archive tools through real processes: one clear ERROR line, non-zero exit, the archive
// byte-identical and no temp left. Also a full disk (a real 1 MiB tmpfs; root only, skipped otherwise).
import assert from "node:assert/strict";
import { join } from "node:path";
import { childEnv, runTool, tempDir, toolArgs, type ToolRun } from "./_harness.ts";
import {
  dceExportText,
  fixtureChannel,
  simpleMessage as msg,
} from "../tests/fixtures/archive_fixture.ts";
import { generateArchive } from "../bench/archive/generate_archive.ts";

const ARCHIVE_TEXT = dceExportText({ messages: [msg("1"), msg("2")], messageCount: "auto" });
const EXPORT_TEXT = dceExportText({ messages: [msg("2"), msg("3")], messageCount: "auto" });

function oneErrorLine(run: ToolRun, pattern: RegExp): void {
  const lines = run.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${run.stderr}`);
  assert.match(lines[0]!, /^ERROR: /);
  assert.match(lines[0]!, pattern);
}

/** The lock file and its guard stay by design (emptied, never deleted); anything else would be a leftover. */
const LOCK_FILES = new Set([".dce-scrape.lock", ".dce-scrape.lock.reclaim"]);

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => !LOCK_FILES.has(n)).sort();
}

interface Case {
  name: string;
  /** Makes the bad export (or archive) in `dir`; returns [archivePath, exportPath]. */
  setup(dir: string, archive: string): Promise<[string, string]>;
  error: RegExp;
}

const cases: Case[] = [
  {
    name: "export is not JSON",
    async setup(dir, archive) {
      await Deno.writeTextFile(join(dir, "e.json"), "this is not json\n");
      return [archive, join(dir, "e.json")];
    },
    error: /is not a DCE JSON export|not valid JSON/,
  },
  {
    name: "export is JSON but not a DCE export",
    async setup(dir, archive) {
      await Deno.writeTextFile(join(dir, "e.json"), '{"hello": "world", "list": [1, 2]}');
      return [archive, join(dir, "e.json")];
    },
    error: /not a DCE JSON export/,
  },
  {
    name: "export belongs to another channel",
    async setup(dir, archive) {
      const foreign = dceExportText({ channel: fixtureChannel("999"), messages: [msg("4")] });
      await Deno.writeTextFile(join(dir, "e.json"), foreign);
      return [archive, join(dir, "e.json")];
    },
    error: /belongs to channel '999', expected '111'/,
  },
  {
    name: "export is an empty file",
    async setup(dir, archive) {
      await Deno.writeTextFile(join(dir, "e.json"), "");
      return [archive, join(dir, "e.json")];
    },
    error: /the file is empty/,
  },
  {
    name: "export is a directory",
    async setup(dir, archive) {
      await Deno.mkdir(join(dir, "e.json"));
      return [archive, join(dir, "e.json")];
    },
    error: /is a directory/,
  },
  {
    name: "export is truncated",
    async setup(dir, archive) {
      await Deno.writeTextFile(join(dir, "e.json"), EXPORT_TEXT.slice(0, -40));
      return [archive, join(dir, "e.json")];
    },
    error: /is truncated at byte \d+.*salvage-truncated-export/,
  },
  // Strict JSON: what JSON.parse refuses is refused, at the first offending byte.
  ...([
    ["a raw control character", (t: string) => t.replace('"message 3"', '"message\u00013"')],
    ["a \\x escape", (t: string) => t.replace('"message 3"', '"message \\x33"')],
    ["a short \\u escape", (t: string) => t.replace('"message 3"', '"message \\u12"')],
  ] as const).map(([what, edit]): Case => ({
    name: `export string holds ${what}`,
    async setup(dir, archive) {
      await Deno.writeTextFile(join(dir, "e.json"), edit(EXPORT_TEXT));
      return [archive, join(dir, "e.json")];
    },
    error: /e\.json' is not valid JSON: a string holds .* at byte \d+\.$/,
  })),
  {
    name: "export holds invalid UTF-8 (a surrogate encoded in UTF-8)",
    async setup(dir, archive) {
      const [head, tail] = EXPORT_TEXT.split("message 3");
      const bytes = new TextEncoder().encode(`${head}message XYZ${tail}`);
      const at = new TextEncoder().encode(`${head}message `).length;
      bytes.set([0xed, 0xa0, 0x80], at); // XYZ becomes the UTF-8 form of U+D800
      await Deno.writeFile(join(dir, "e.json"), bytes);
      return [archive, join(dir, "e.json")];
    },
    error: /is not valid JSON: the text is not valid UTF-8 \(byte 0xED\) at byte \d+\.$/,
  },
  {
    name: "archive is a symlink escaping the folder",
    async setup(dir) {
      const outside = join(dir, "elsewhere"); // stands for any folder outside the archive's
      await Deno.mkdir(outside);
      await Deno.writeTextFile(join(outside, "real.json"), ARCHIVE_TEXT);
      const link = join(dir, "link [111].json");
      await Deno.symlink(join(outside, "real.json"), link);
      await Deno.writeTextFile(join(dir, "e.json"), EXPORT_TEXT);
      return [link, join(dir, "e.json")];
    },
    error: /is a symbolic link; refusing to replace it/,
  },
  {
    name: "archive is not JSON (existing file garbage)",
    async setup(dir, archive) {
      await Deno.writeTextFile(archive, "garbage{");
      await Deno.writeTextFile(join(dir, "e.json"), EXPORT_TEXT);
      return [archive, join(dir, "e.json")];
    },
    error: /not (a DCE JSON export|valid JSON)/,
  },
];

for (const c of cases) {
  Deno.test(`merge-export refuses: ${c.name}`, async () => {
    await using dir = await tempDir("dce-archive-bad-");
    const archive = join(dir.path, "a [111].json");
    await Deno.writeTextFile(archive, ARCHIVE_TEXT);
    const [archivePath, exportPath] = await c.setup(dir.path, archive);
    const before = await Deno.readFile(archivePath);
    const listing = names(dir.path);
    const run = await runTool("merge-export", [archivePath, exportPath]);
    assert.equal(run.code, 1, run.stderr);
    oneErrorLine(run, c.error);
    assert.equal(run.stdout, "");
    assert.deepEqual(await Deno.readFile(archivePath), before);
    assert.deepEqual(names(dir.path), listing, "no temp or other file left behind");
  });
}

Deno.test("merge-export refuses an export it cannot read (run as nobody; root reads anything)", async () => {
  await using dir = await tempDir("dce-archive-bad-");
  await Deno.chmod(dir.path, 0o777);
  const archive = join(dir.path, "a [111].json");
  const exp = join(dir.path, "e.json");
  await Deno.writeTextFile(archive, ARCHIVE_TEXT);
  await Deno.chmod(archive, 0o666);
  await Deno.writeTextFile(exp, EXPORT_TEXT);
  await Deno.chmod(exp, 0o000);
  const denoDir = join(dir.path, "deno-dir");
  await Deno.mkdir(denoDir, { mode: 0o777 });
  await Deno.chmod(denoDir, 0o777);
  const before = await Deno.readFile(archive);
  const out = await new Deno.Command("setpriv", {
    args: [
      "--reuid=nobody",
      "--regid=nogroup",
      "--clear-groups",
      Deno.execPath(),
      ...toolArgs("merge-export", [archive, exp]),
    ],
    env: childEnv({ DENO_DIR: denoDir, HOME: denoDir }),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 1, stderr);
  oneErrorLine(
    { code: out.code, signal: null, stdout: "", stderr },
    /Cannot read export '.*e\.json': .*(Permission denied|permission).*Check its permissions/i,
  );
  assert.deepEqual(await Deno.readFile(archive), before);
});

Deno.test("salvage-truncated-export: bad input and --help anywhere (docs/bash-suite.md#h38-help-taken-as-a-path)", async () => {
  await using dir = await tempDir("dce-archive-bad-");
  const help = await runTool("salvage-truncated-export", [join(dir.path, "x.json"), "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: salvage-truncated-export PATH/);
  const missing = await runTool("salvage-truncated-export", [join(dir.path, "nope.json")]);
  assert.equal(missing.code, 1);
  oneErrorLine(missing, /File not found: .*nope\.json/);
  const folder = await runTool("salvage-truncated-export", [dir.path]);
  assert.equal(folder.code, 1);
  oneErrorLine(folder, /is not a regular file/);
  const garbage = join(dir.path, "g.json");
  await Deno.writeTextFile(garbage, "definitely not json");
  const bad = await runTool("salvage-truncated-export", [garbage]);
  assert.equal(bad.code, 1);
  oneErrorLine(bad, /could not find a safe message boundary to truncate/);
  assert.equal(await Deno.readTextFile(garbage), "definitely not json");
  assert.deepEqual(names(dir.path), ["g.json"]);
});

Deno.test("salvage-truncated-export repairs a cut CRLF export and keeps a byte-exact backup", async () => {
  await using dir = await tempDir("dce-archive-bad-");
  const text = dceExportText({ messages: [msg("1"), msg("2"), msg("3")] }, "\r\n");
  const cut = text.slice(0, text.indexOf('"3"') + 6);
  const path = join(dir.path, "a [111].json");
  await Deno.writeTextFile(path, cut);
  const dry = await runTool("salvage-truncated-export", [path, "--dry-run"]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^Would salvage .* \(\d+ -> \d+ bytes\)$/m);
  assert.equal(await Deno.readTextFile(path), cut);
  const run = await runTool("salvage-truncated-export", [path]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Backup: .*\.bak\.\d{8}T\d{6}Z$/m);
  assert.match(run.stdout, /^Salvaged: /m);
  assert.match(run.stdout, /^Valid JSON with 2 messages\.$/m);
  const backup = /^Backup: (.*)$/m.exec(run.stdout)![1]!;
  assert.equal(await Deno.readTextFile(backup), cut);
  assert.equal(JSON.parse(await Deno.readTextFile(path)).messageCount, 2);
  const again = await runTool("salvage-truncated-export", [path]);
  assert.match(again.stdout, /^Already valid JSON: /);
});

Deno.test("merge-export on a full disk (1 MiB tmpfs): one ERROR line, archive exactly old, no temp", async (t) => {
  await using dir = await tempDir("dce-archive-full-");
  const mnt = join(dir.path, "mnt");
  await Deno.mkdir(mnt);
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt],
    stderr: "piped",
  }).output();
  if (!mount.success) {
    await t.step({ name: "tmpfs mount not allowed here: skipped", ignore: true, fn: () => {} });
    return;
  }
  try {
    const archive = join(mnt, "Acme [712345678901234567].json");
    const exp = join(dir.path, "export.json"); // the export lives on the big disk
    await generateArchive(archive, 500, 0); // ~650 KB of 1 MiB: the merged copy cannot fit
    await generateArchive(exp, 100, 490);
    const before = await Deno.readFile(archive);
    const run = await runTool("merge-export", [archive, exp]);
    assert.equal(run.code, 1, run.stderr);
    oneErrorLine(run, /No space left on device.*The archive was not modified/);
    assert.deepEqual(await Deno.readFile(archive), before);
    assert.deepEqual(names(mnt), ["Acme [712345678901234567].json"]);
  } finally {
    await new Deno.Command("umount", { args: [mnt] }).output();
  }
});
