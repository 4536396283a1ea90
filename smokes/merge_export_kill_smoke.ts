// merge-export SIGKILLed at random moments (50 times; DCE_SMOKE_SCALE multiplies): the archive is always
// byte-identical to exactly the old or exactly the new file, and the next run leaves no temp behind.
import assert from "node:assert/strict";
import { join } from "node:path";
import { SCALE, spawnTool, tempDir, waitFor } from "./_harness.ts";
import { benchMessageId, generateArchive } from "../bench/archive/generate_archive.ts";
import { dceExportText, realisticMessage } from "../tests/fixtures/archive_fixture.ts";

const KILLS = Math.max(1, Math.round(50 * SCALE));
const ARCHIVE_MESSAGES = 8000; // ~10 MB: the write phase is long enough to be hit often

async function sha256(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

const spawnMerge = (archive: string, exp: string) =>
  spawnTool("merge-export", [archive, exp], { stdout: "null" });

function tempsIn(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
    n.includes(".dce-replace.") || n.includes(".dce-sort.")
  );
}

interface KillStats {
  midWrite: number;
  /** Kills that left the external sort's work folder behind: they landed mid-sort. */
  midSort: number;
  old: number;
  new: number;
}

const isSortTemp = (name: string) => name.includes(".dce-sort.");

/** Resolves once the merge has a sort work folder beside the archive, or has ended. */
async function sortStarted(work: string, child: Deno.ChildProcess): Promise<void> {
  let ended = false;
  child.status.then(() => ended = true, () => ended = true);
  await waitFor(() => ended || tempsIn(work).some(isSortTemp), "the external sort", 60_000, 1);
}

/**
 * Kills merge-export `kills` times; checks old-or-new and the rerun each time. The kill lands at a
 * random moment of the whole run, or, with `inSort`, at a random moment after the external sort began.
 */
async function killLoop(
  original: string,
  exp: string,
  archive: string,
  kills: number,
  inSort = false,
) {
  const work = join(archive, "..");
  // The expected new bytes, and how long one full run takes on this machine right now.
  await Deno.copyFile(original, archive);
  const started = performance.now();
  const full = await spawnMerge(archive, exp).output();
  const fullMs = performance.now() - started;
  assert.equal(full.code, 0, new TextDecoder().decode(full.stderr));
  const newHash = await sha256(archive);
  const oldHash = await sha256(original);
  assert.notEqual(newHash, oldHash);

  const stats: KillStats = { midWrite: 0, midSort: 0, old: 0, new: 0 };
  for (let i = 0; i < kills; i++) {
    await Deno.copyFile(original, archive);
    const child = spawnMerge(archive, exp);
    if (inSort) await sortStarted(work, child);
    // Uniform over the whole run (start-up included), a little past its usual end; once the sort
    // began, over the first half of a run's length.
    const delay = Math.random() * fullMs * (inSort ? 0.5 : 1.05);
    await new Promise((r) => setTimeout(r, delay));
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    await child.output();
    if (tempsIn(work).length > 0) stats.midWrite++;
    if (tempsIn(work).some(isSortTemp)) stats.midSort++;
    const hash = await sha256(archive);
    assert.ok(
      hash === oldHash || hash === newHash,
      `kill ${i} after ${delay.toFixed(0)} ms: torn archive`,
    );
    if (hash === oldHash) stats.old++;
    else stats.new++;

    // The next run completes and sweeps whatever the killed one left.
    const again = await spawnMerge(archive, exp).output();
    assert.equal(again.code, 0, new TextDecoder().decode(again.stderr));
    assert.equal(await sha256(archive), newHash, `kill ${i}: rerun result differs`);
    assert.deepEqual(tempsIn(work), [], `kill ${i}: temp left behind after the next run`);
  }
  console.log(
    `kills: ${kills}, mid-write (temp present): ${stats.midWrite}, mid-sort: ${stats.midSort}, archive old: ${stats.old}, new: ${stats.new}`,
  );
  return stats;
}

Deno.test(`merge-export killed ${KILLS} times: archive is exactly old or new, next run cleans up`, async () => {
  await using dir = await tempDir("dce-archive-kill-");
  const original = join(dir.path, "original.json");
  const exp = join(dir.path, "export.json");
  await Deno.mkdir(join(dir.path, "work"));
  const archive = join(
    dir.path,
    "work",
    "Acme Devs - Engineering - deployments [712345678901234567].json",
  );
  await generateArchive(original, ARCHIVE_MESSAGES, 0);
  await generateArchive(exp, 500, ARCHIVE_MESSAGES - 50); // 50 overlapping, 450 new
  const stats = await killLoop(original, exp, archive, KILLS);
  // The property is only meaningful if some kills really landed while the temp was being written.
  assert.ok(stats.midWrite > 0, "no kill landed during the write phase; the run was too short");
});

Deno.test("merge-export killed during the out-of-order fallback: still exactly old or new", async () => {
  await using dir = await tempDir("dce-archive-kill-");
  const original = join(dir.path, "original.json");
  const exp = join(dir.path, "export.json");
  await Deno.mkdir(join(dir.path, "work"));
  const archive = join(dir.path, "work", "Acme [712345678901234567].json");
  await generateArchive(original, ARCHIVE_MESSAGES, 0);
  // A descending export: the 2-way pass is abandoned and redone through the external sort.
  const messages = [];
  for (let n = ARCHIVE_MESSAGES + 300; n > ARCHIVE_MESSAGES - 20; n--) {
    messages.push(realisticMessage(benchMessageId(n), n) as { id: string });
  }
  await Deno.writeTextFile(
    exp,
    dceExportText({ channel: { id: "712345678901234567" }, messages, messageCount: "auto" }),
  );
  const stats = await killLoop(original, exp, archive, Math.max(1, Math.round(10 * SCALE)), true);
  // Without a kill inside the sort the fallback's crash safety was not exercised at all.
  assert.ok(stats.midSort > 0, "no kill landed while the external sort was running");
});
