// Archive roots inside each other (A: root R, B: root R/g) take turns: while one holds its lock the
// other is busy, in both orders, and when both start together at most one runs (real processes).
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool, tempDir } from "./_harness.ts";
import { collect, exists, Procs, SCALE, scrapeHolder, writeConfig } from "./lock/fixtures.ts";

function nestedConfigs(dir: string) {
  const outer = join(dir, "R");
  const inner = join(outer, "g");
  Deno.mkdirSync(inner, { recursive: true });
  const outerConfig = writeConfig(outer, { archive_root: outer, targets: [] });
  const innerConfig = writeConfig(inner, { archive_root: inner, targets: [] });
  return { outer, inner, outerConfig, innerConfig };
}

for (const holderSide of ["outer", "inner"] as const) {
  Deno.test(`nested archive roots: while the ${holderSide} root is held, the other is busy`, async () => {
    await using tmp = await tempDir("dce-lock-nested-");
    await using procs = new Procs();
    const c = nestedConfigs(tmp.path);
    const [held, other] = holderSide === "outer"
      ? [c.outerConfig, c.innerConfig]
      : [c.innerConfig, c.outerConfig];
    const heldRoot = holderSide === "outer" ? c.outer : c.inner;
    const holder = await scrapeHolder(procs, held, heldRoot);
    const marker = join(tmp.path, "other-ran");
    const run = await runTool("with-scrape-lock", ["--config", other, "--", "touch", marker]);
    assert.equal(run.code, 1, run.stderr);
    assert.ok(!exists(marker), "the nested root's command never ran");
    assert.match(
      run.stderr,
      new RegExp(
        `^ERROR: Another scrape is already running \\(lock: ${heldRoot}/\\.dce-scrape\\.lock\\)\\..*nested`,
      ),
    );
    // Once the holder is gone, the other root runs.
    Deno.kill(-holder.pid, "SIGTERM");
    await holder.status;
    const after = await runTool("with-scrape-lock", ["--config", other, "--", "touch", marker]);
    assert.equal(after.code, 0, after.stderr);
    assert.ok(exists(marker));
  });
}

Deno.test("nested archive roots started together: never both inside (an exclusive marker), many rounds", async () => {
  await using tmp = await tempDir("dce-lock-nested-race-");
  await using procs = new Procs();
  const rounds = 12 * SCALE;
  let ran = 0;
  for (let round = 0; round < rounds; round++) {
    // Fresh roots each round: the first acquire creates both lock files, the racy case.
    const c = nestedConfigs(join(tmp.path, `round${round}`));
    const occupied = join(tmp.path, `occupied.${round}`);
    // mkdir is atomic and fails when the folder exists: a second holder inside would exit 99.
    const body = `mkdir ${occupied} || exit 99; sleep 0.3; rmdir ${occupied}`;
    const runs = [c.outerConfig, c.innerConfig].map((config) =>
      collect(procs.tool("with-scrape-lock", ["--config", config, "--", "sh", "-c", body]))
    );
    for (const r of await Promise.all(runs)) {
      assert.notEqual(r.code, 99, `two holders inside at once in round ${round}: ${r.stderr}`);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      if (r.code === 0) ran++;
      else assert.match(r.stderr, /Another scrape is already running/);
    }
  }
  assert.ok(ran >= 1, "the guard must not refuse everything");
});
