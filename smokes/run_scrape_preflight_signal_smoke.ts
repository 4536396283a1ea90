// Preflight that downloads nothing, and interruption: SIGTERM stops the export's group and keeps its temp;
// a SIGKILLed core takes its export down too.
import assert from "node:assert/strict";
import { join } from "node:path";
import { childEnv, toolArgs, waitFor } from "./_harness.ts";
import { CoreSandbox, DEFAULT_NAME, exists, FAKE_CLI, fixtureWorld } from "./fakes/core_sandbox.ts";
import { findSetpriv } from "../lib/process/child_process.ts";

Deno.test("preflight probes channels with --before <id+1> until one answers, skips a 403, writes nothing", async () => {
  const world = fixtureWorld();
  world.channels?.push({ id: "100", guildId: "222", name: "locked", count: 3, forbidden: true });
  world.channels?.push({ id: "112", guildId: "222", name: "other", count: 3 });
  await using box = await CoreSandbox.create(world);
  await box.writeConfig({
    archive_root: box.archiveRoot,
    targets: [{ name: "fixture", output_dir: box.out, channel_ids: ["111", "112", "100"] }],
  });
  const run = await box.run(["preflight"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /Preflight probe skipped channel 100 \(forbidden or inaccessible\)\./);
  assert.match(
    run.stderr,
    /Preflight ok for target 'fixture': token verified \(3 channel\(s\) resolved, probe succeeded on 111\) for /,
  );
  // In id order: the 403 (100) first, then 111 answers; 112 is not probed (the scrape classifies
  // each channel's access when it exports it).
  const calls = await box.invocations();
  assert.deepEqual(calls.map((c) => c.argv.slice(-2)), [["--before", "101"], ["--before", "112"]]);
  assert.ok(calls.every((c) => !c.argv.includes("--after")));
  assert.ok(!(await exists(box.out)), "preflight creates no archive folder, no .dce-meta");
  const leftovers = [...Deno.readDirSync(box.root)].map((e) => e.name).filter((n) =>
    n.startsWith("dce-preflight")
  );
  assert.deepEqual(leftovers, []);
});

Deno.test("preflight fails when every channel is inaccessible and nothing is seeded; auth has its marker", async () => {
  const world = fixtureWorld();
  const room = world.channels?.[0];
  assert.ok(room);
  room.forbidden = true;
  await using box = await CoreSandbox.create(world);
  const run = await box.run(["preflight"]);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /ERROR: Target 'fixture' failed preflight: every resolved channel is inaccessible and no seeded archives exist under /,
  );
  const auth = await box.run(["preflight"], { FAKE_DCE_REJECT_TOKEN: "1" });
  assert.equal(auth.code, 1);
  assert.match(auth.stderr, /ERROR: Authentication token is invalid/);
});

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

async function startSlowScrape(box: CoreSandbox) {
  const room = box.channel("111");
  delete room.messages;
  room.count = 100_000;
  room.delayMs = 5;
  await box.saveWorld();
  const pidFile = join(box.root, "fake.pids");
  const child = new Deno.Command(Deno.execPath(), {
    args: toolArgs("run-scrape", ["scrape", "--config", box.configPath]),
    env: childEnv({
      DCE_CLI_BIN: FAKE_CLI,
      FAKE_DCE_WORLD: box.worldPath,
      FAKE_DCE_PIDFILE: pidFile,
      DISCORD_TOKEN: "smoke-token",
      TMPDIR: box.root,
    }),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const tempRoot = join(box.out, ".dce-temp");
  let exportFile = "";
  await waitFor(async () => {
    try {
      for (const e of Deno.readDirSync(tempRoot)) {
        const f = join(tempRoot, e.name, "export.json");
        if ((await Deno.stat(f).catch(() => null))?.size) exportFile = f;
      }
    } catch { /* not yet */ }
    return exportFile !== "";
  }, "the export to start writing");
  const fakePid = Number((await Deno.readTextFile(pidFile)).trim().split("\n")[0]);
  return { child, exportFile, fakePid };
}

Deno.test("SIGTERM during an export: exit 143, export group stopped, partial temp kept for salvage", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  const { child, exportFile, fakePid } = await startSlowScrape(box);
  child.kill("SIGTERM");
  const [status, stderr] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
    child.stdout.cancel(),
  ]);
  assert.equal(status.code, 143, stderr);
  assert.match(
    stderr,
    /ERROR: Scrape interrupted \(SIGTERM\); partial export temps are kept for salvage\./,
  );
  assert.match(stderr, /Preserving partial export temp for salvage on next run: /);
  assert.ok(await exists(exportFile));
  await waitFor(() => Promise.resolve(!alive(fakePid)), "the fake export to die", 10_000);
  assert.ok(!(await exists(join(box.out, DEFAULT_NAME))));
});

Deno.test({
  name: "SIGKILL of the core takes the running export with it (setpriv pdeathsig)",
  ignore: findSetpriv() === null,
  fn: async () => {
    await using box = await CoreSandbox.create(fixtureWorld());
    const { child, fakePid } = await startSlowScrape(box);
    child.kill("SIGKILL");
    await Promise.all([child.status, child.stdout.cancel(), child.stderr.cancel()]);
    await waitFor(() => Promise.resolve(!alive(fakePid)), "the orphaned export to die", 10_000);
  },
});
