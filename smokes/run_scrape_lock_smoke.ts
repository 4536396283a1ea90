// run-scrape started by hand takes the archive-root lock like every writer: busy while another
// holder has it (no export, exit 1 or --conflict-exit-code), waits with --wait, and works under a
// parent's lock (with-scrape-lock) instead of reporting its own parent as busy.
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, runTool } from "./_harness.ts";
import { CoreSandbox, exists, fixtureWorld } from "./fakes/core_sandbox.ts";
import { collect, Procs, scrapeHolder } from "./lock/fixtures.ts";

const BUSY = /^\[[^\]]+\] ERROR: Another scrape is already running \(lock: .*\.dce-scrape\.lock\)/;

Deno.test("run-scrape by hand while another process holds the lock: busy, one line, no export", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  await using procs = new Procs();
  const holder = await scrapeHolder(procs, box.configPath, box.archiveRoot);
  const cases = [
    [["scrape"], 1],
    [["scrape", "--conflict-exit-code", "75"], 75],
    [["salvage", "--wait", "0.3", "--conflict-exit-code", "75"], 75],
  ] as const;
  for (const [args, code] of cases) {
    const run = await box.run([...args]);
    assert.equal(run.code, code, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, BUSY);
    assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
  }
  assert.deepEqual(
    await box.invocations(),
    [],
    "the DCE CLI ran while another holder had the lock",
  );
  assert.ok(!(await exists(box.out)), "run-scrape wrote into the archive root while it was locked");
  // --wait outlasts a holder that ends meanwhile, then scrapes.
  const waiting = procs.tool(
    "run-scrape",
    ["scrape", "--config", box.configPath, "--wait", "120"],
    box.env(),
  );
  await new Promise((r) => setTimeout(r, 500));
  Deno.kill(-holder.pid, "SIGTERM");
  const done = await collect(waiting);
  assert.equal(done.code, 0, done.stderr);
  assert.ok((await box.invocations()).length > 0, "the scrape after the wait ran no export");
});

Deno.test("run-scrape under with-scrape-lock uses its parent's lock", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  const run = await runTool("with-scrape-lock", [
    "--config",
    box.configPath,
    "--",
    Deno.execPath(),
    "run",
    "-A",
    join(ROOT, "scripts", "run-scrape.ts"),
    "scrape",
    "--config",
    box.configPath,
  ], { env: box.env() });
  assert.equal(run.code, 0, run.stderr);
  assert.ok((await box.invocations()).length > 0, run.stderr);
});

Deno.test("run-scrape with a lock token that is not the holder's refuses to run unlocked", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  const run = await box.run(["scrape"], {
    DCE_SCRAPE_LOCK_TOKEN: "0123456789abcdef0123456789abcdef",
  });
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    run.stderr,
    /^\[[^\]]+\] ERROR: DCE_SCRAPE_LOCK_TOKEN is set, but the scrape lock .* unset it/,
  );
  assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
  assert.deepEqual(await box.invocations(), []);
});
