// merge-export and salvage-truncated-export hold the archive-root lock while they write: busy while
// a scrape holds it (one line, exit 1 or --conflict-exit-code), fine under with-scrape-lock, and
// merges racing into one archive take turns (--wait) and lose no batch.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool, tempDir } from "./_harness.ts";
import { benchMessageId, generateArchive } from "../bench/archive/generate_archive.ts";
import { collect, Procs, SCALE, scrapeHolder, writeConfig } from "./lock/fixtures.ts";

async function idsIn(path: string): Promise<Set<string>> {
  const doc = JSON.parse(await Deno.readTextFile(path)) as { messages: { id: string }[] };
  return new Set(doc.messages.map((m) => m.id));
}

/** An archive root R with a config, a held lock (a scrape), an archive and a cut-off file in R/g. */
async function heldRoot(procs: Procs, dir: string) {
  const root = join(dir, "R");
  Deno.mkdirSync(join(root, "g"), { recursive: true });
  const config = writeConfig(dir, { archive_root: root, targets: [] });
  const archive = join(root, "g", "room [712345678901234567].json");
  await generateArchive(archive, 50, 0);
  const exp = join(dir, "export.json");
  await generateArchive(exp, 10, 50);
  const cut = join(root, "g", "cut.json");
  const whole = await Deno.readTextFile(archive);
  Deno.writeTextFileSync(cut, whole.slice(0, Math.floor(whole.length / 2)));
  const holder = await scrapeHolder(procs, config, root);
  return { root, config, archive, exp, cut, holder };
}

Deno.test("merge-export and salvage while a scrape holds the root: busy, one line, nothing written", async () => {
  await using tmp = await tempDir("dce-writer-busy-");
  await using procs = new Procs();
  const h = await heldRoot(procs, tmp.path);
  const archiveBefore = await Deno.readFile(h.archive);
  const cutBefore = await Deno.readFile(h.cut);
  // The config names the root, but the root's lock file alone is enough: no --config given.
  const cases = [
    ["merge-export", [h.archive, h.exp], 1],
    ["merge-export", [h.archive, h.exp, "--conflict-exit-code", "75"], 75],
    ["salvage-truncated-export", [h.cut], 1],
    ["salvage-truncated-export", [h.cut, "--wait", "0.3", "--conflict-exit-code", "75"], 75],
  ] as const;
  for (const [tool, args, code] of cases) {
    const run = await runTool(tool, [...args]);
    assert.equal(run.code, code, `${tool} ${args.join(" ")}: ${run.stderr}`);
    assert.match(
      run.stderr,
      new RegExp(
        `^ERROR: Another scrape is already running \\(lock: ${h.root}/\\.dce-scrape\\.lock\\)`,
      ),
    );
    assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
    assert.equal(run.stdout, "");
  }
  assert.deepEqual(await Deno.readFile(h.archive), archiveBefore);
  assert.deepEqual(await Deno.readFile(h.cut), cutBefore);
  assert.ok(![...Deno.readDirSync(join(h.root, "g"))].some((e) => e.name.includes(".bak.")));
  // --wait outlasts a holder that ends meanwhile.
  const waiting = procs.tool("merge-export", [h.archive, h.exp, "--wait", "120"]);
  await new Promise((r) => setTimeout(r, 500));
  Deno.kill(-h.holder.pid, "SIGTERM");
  const done = await collect(waiting);
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stdout, /MERGED .*\+10 messages/);
});

Deno.test("under with-scrape-lock, merge-export and salvage use the lock their parent holds", async () => {
  await using tmp = await tempDir("dce-writer-inherit-");
  const root = join(tmp.path, "R");
  Deno.mkdirSync(join(root, "g"), { recursive: true });
  const config = writeConfig(tmp.path, { archive_root: root, targets: [] });
  const archive = join(root, "g", "room.json");
  const exp = join(tmp.path, "export.json");
  await generateArchive(exp, 10, 0);
  const merged = await runTool("with-scrape-lock", [
    "--config",
    config,
    "--",
    Deno.execPath(),
    "run",
    "-A",
    join(import.meta.dirname!, "..", "scripts", "merge-export.ts"),
    archive,
    exp,
  ]);
  assert.equal(merged.code, 0, merged.stderr);
  assert.match(merged.stdout, /CREATED/);
  assert.equal((await idsIn(archive)).size, 10);
});

Deno.test("merge-exports racing into one archive take turns: every batch reported MERGED is in it", async () => {
  await using tmp = await tempDir("dce-writer-race-");
  await using procs = new Procs();
  const rounds = Math.max(1, Math.round(4 * SCALE));
  const writers = 3;
  const base = 3000; // a few MB: the write phases overlap when nothing serialises them
  for (let round = 0; round < rounds; round++) {
    const dir = join(tmp.path, `r${round}`);
    Deno.mkdirSync(dir);
    const archive = join(dir, "room.json");
    await generateArchive(archive, base, 0);
    const exports = [];
    for (let w = 0; w < writers; w++) {
      const exp = join(dir, `export${w}.json`);
      await generateArchive(exp, 100, base + w * 100);
      exports.push(exp);
    }
    const runs = await Promise.all(
      exports.map((exp) => collect(procs.tool("merge-export", [archive, exp, "--wait", "300"]))),
    );
    const ids = await idsIn(archive);
    runs.forEach((run, w) => {
      assert.equal(run.code, 0, `round ${round} writer ${w}: ${run.stderr}`);
      assert.match(run.stdout, /MERGED/);
      for (let n = base + w * 100; n < base + (w + 1) * 100; n++) {
        assert.ok(ids.has(String(benchMessageId(n))), `round ${round}: writer ${w}'s batch lost`);
      }
    });
    assert.equal(ids.size, base + writers * 100);
  }
});
