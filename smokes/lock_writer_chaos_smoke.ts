// Chaos on one archive root: scrapes (run-scrape-host with the fake DCE CLI), merge-exports and
// salvages race for ~40 s (DCE_SMOKE_SCALE multiplies) while a killer SIGKILLs a random one of them
// again and again. Afterwards: never two holders (an exclusive-create marker every holder makes,
// via a test hook), and no message lost: every world message and every batch a merge-export
// reported as merged is in the archive.
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./_harness.ts";
import { type FakeWorld, messageIds, writeWorld } from "./fakes/fake_dce_world.ts";
import { FAKE_DCE_CLI, makeRepo } from "./host_fixture.ts";
import { collect, Procs, SCALE, sleep } from "./lock/fixtures.ts";
import { benchMessageId, generateArchive } from "../bench/archive/generate_archive.ts";
import { OCCUPIED_DIR_HOOK } from "../lib/lock/occupied_marker_hook.ts";

const GUILD = "222222222222222222";
const CHANNEL = "111111111111111111";
const SECONDS = 40 * SCALE;
const BATCH = 50;

function world(count: number): FakeWorld {
  return {
    guilds: [{ id: GUILD, name: "Fixture Guild" }],
    channels: [{ id: CHANNEL, guildId: GUILD, name: "general", category: "Testing", count }],
  };
}

async function archiveIds(path: string): Promise<Set<string>> {
  const doc = JSON.parse(await Deno.readTextFile(path)) as { messages: { id: string }[] };
  return new Set(doc.messages.map((m) => m.id));
}

Deno.test(`chaos: scrape, merge-export and salvage racing on one root with SIGKILLs for ${SECONDS} s`, async () => {
  await using dir = await tempDir("dce-chaos-");
  await using procs = new Procs();
  const repo = await makeRepo(dir.path, {
    targets: [{
      name: "demo",
      output_dir: join(dir.path, "archive", "demo"),
      channel_ids: [CHANNEL],
    }],
  });
  const worldFile = join(dir.path, "world.json");
  const markers = join(dir.path, "markers");
  const batches = join(dir.path, "batches");
  Deno.mkdirSync(markers);
  Deno.mkdirSync(batches);
  let count = 40;
  await writeWorld(worldFile, world(count));
  const env = repo.env({
    DCE_EXPORTER: "cli",
    DCE_CLI_BIN: FAKE_DCE_CLI,
    FAKE_DCE_WORLD: worldFile,
    DCE_SALVAGE_ACTIVE_TEMPS: "1",
    [OCCUPIED_DIR_HOOK]: markers,
  });
  const archive = join(repo.archive, "demo", `Fixture Guild - Testing - general [${CHANNEL}].json`);
  const first = await collect(procs.tool("run-scrape-host", ["scrape"], env));
  assert.equal(first.code, 0, first.stderr);

  const running = new Set<Deno.ChildProcess>();
  const merged: number[] = []; // batch numbers a merge-export reported as merged
  const stats = { scrapes: 0, merges: 0, salvages: 0, kills: 0, busy: 0 };
  const deadline = performance.now() + SECONDS * 1000;
  const run = async (tool: string, args: string[]) => {
    const child = procs.tool(tool, args, env);
    running.add(child);
    try {
      return await collect(child);
    } finally {
      running.delete(child);
    }
  };
  let nextBatch = 0;
  const mergeWorker = async () => {
    while (performance.now() < deadline) {
      const n = nextBatch++;
      // Batch ids lie below the world's (2021 vs 2024): backfilled history that never moves the
      // scrape cursor past world messages the archive does not hold yet.
      const exp = join(batches, `batch${n}.json`);
      await generateArchive(exp, BATCH, n * BATCH, CHANNEL);
      const r = await run("merge-export", [archive, exp, "--wait", "120"]);
      if (r.code === 0 && /^ {2}MERGED /m.test(r.stdout)) merged.push(n);
      if (r.code === 0) stats.merges++;
      else if (r.signal === null) {
        assert.fail(`merge-export failed without being killed: ${r.stderr}`);
      }
    }
  };
  const scrapeWorker = async () => {
    while (performance.now() < deadline) {
      count += 7;
      await writeWorld(worldFile, world(count));
      const r = await run("run-scrape-host", ["scrape"]);
      if (r.code === 0) stats.scrapes++;
      else if (/already running/.test(r.stderr)) stats.busy++;
      else if (r.signal === null) assert.fail(`scrape failed without being killed: ${r.stderr}`);
      await sleep(50);
    }
  };
  const salvageWorker = async () => {
    for (let i = 0; performance.now() < deadline; i++) {
      const r = i % 2 === 0
        ? await run("salvage-truncated-export", [archive, "--wait", "120"])
        : await run("run-scrape-host", ["salvage"]);
      if (r.code === 0) stats.salvages++;
      else if (/already running/.test(r.stderr)) stats.busy++;
      else if (r.signal === null) assert.fail(`salvage failed without being killed: ${r.stderr}`);
    }
  };
  const killer = async () => {
    while (performance.now() < deadline) {
      await sleep(200 + Math.random() * 800);
      const victims = [...running];
      const victim = victims[Math.floor(Math.random() * victims.length)];
      if (victim === undefined) continue;
      try {
        Deno.kill(-victim.pid, "SIGKILL");
        stats.kills++;
      } catch { /* just ended */ }
    }
  };
  await Promise.all([mergeWorker(), mergeWorker(), scrapeWorker(), salvageWorker(), killer()]);

  // Settle: one last scrape, nobody killing, merges any export a killed scrape left behind.
  const last = await collect(procs.tool("run-scrape-host", ["scrape"], env));
  assert.equal(last.code, 0, last.stderr);
  console.log(`chaos: ${JSON.stringify(stats)}, ${merged.length} batches reported merged`);

  const overlaps = [...Deno.readDirSync(markers)].filter((e) => e.name.startsWith("overlap."));
  const why = overlaps.map((e) => Deno.readTextFileSync(join(markers, e.name))).join("");
  assert.deepEqual(overlaps, [], `two holders at once: ${why}`);

  const ids = await archiveIds(archive);
  for (const id of messageIds(world(count).channels![0]!)) {
    assert.ok(ids.has(String(id)), `world message ${id} lost`);
  }
  for (const n of merged) {
    for (let i = n * BATCH; i < (n + 1) * BATCH; i++) {
      assert.ok(ids.has(String(benchMessageId(i))), `batch ${n} reported MERGED but lost`);
    }
  }
  assert.ok(stats.kills > 0 && stats.merges > 0 && stats.scrapes > 0, JSON.stringify(stats));
});
