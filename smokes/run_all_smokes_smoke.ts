// run-all-smokes itself: lists, filters, reports a failing smoke and keeps going, rejects bad options.
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, runTool, tempDir } from "./_harness.ts";

Deno.test("run-all-smokes --list names every *_smoke.ts in order", async () => {
  const run = await runTool("run-all-smokes", ["--list", "--filter", "run_all_smokes"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim(), "run_all_smokes_smoke.ts");
});

Deno.test("run-all-smokes counts passes and failures and continues past a failure", async () => {
  await using repo = await tempDir();
  const smokes = join(repo.path, "smokes");
  await Deno.mkdir(smokes);
  await Deno.writeTextFile(
    join(smokes, "a_smoke.ts"),
    `Deno.test("fails", () => { throw new Error("boom"); });`,
  );
  await Deno.writeTextFile(join(smokes, "b_smoke.ts"), `Deno.test("passes", () => {});`);
  await Deno.writeTextFile(
    join(smokes, "c_smoke.ts"),
    `Deno.test("hangs", () => new Promise(() => setInterval(() => {}, 1000)));`,
  );
  // Long enough for b_smoke's type check on a loaded 2-core machine (1.5 s measured with four CPU
  // hogs), short enough that the hanging c_smoke costs little.
  const run = await runTool("run-all-smokes", ["--timeout", "10"], {
    env: { DCE_REPO_ROOT: repo.path },
  });
  assert.equal(run.code, 1);
  assert.match(run.stdout, /^==> a_smoke\.ts$/m);
  assert.match(run.stdout, /^FAIL a_smoke\.ts \(exit 1/m);
  assert.match(run.stdout, /^PASS b_smoke\.ts \(1 tests/m);
  assert.match(run.stdout, /^FAIL c_smoke\.ts \(timed out after 10s/m);
  assert.match(run.stdout, /^ERROR: 2 smoke script\(s\) failed\.$/m);
  assert.match(run.stdout, /\n1 passed, 2 failed\n$/);
});

Deno.test("run-all-smokes rejects an unknown option and a bad timeout with exit 2", async () => {
  const unknown = await runTool("run-all-smokes", ["--bogus"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^ERROR: Unknown option '--bogus'\.$/m);
  const timeout = await runTool("run-all-smokes", ["--timeout", "soon"]);
  assert.equal(timeout.code, 2);
  assert.match(timeout.stderr, /--timeout must be a positive number/);
});

Deno.test("run-all-smokes reports an empty filter result", async () => {
  const run = await runTool("run-all-smokes", ["--filter", "no-such-smoke"]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^ERROR: No smoke under .* matches --filter no-such-smoke\.$/m);
  assert.ok(ROOT);
});
