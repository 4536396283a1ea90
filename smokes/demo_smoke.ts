// ./dce demo end to end through the launcher: the real workflow on a sandbox, ending with a proof that passed.
import assert from "node:assert/strict";
import { join } from "node:path";
import { childEnv, decodedRun, ROOT, tempDir } from "./_harness.ts";

async function dce(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(join(ROOT, "dce"), {
    args,
    env: childEnv(env),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return decodedRun(out);
}

Deno.test("./dce demo PATH runs handoff, scrapes, a cut-off export, salvage and a passing proof", async () => {
  await using tmp = await tempDir();
  const box = join(tmp.path, "sandbox");
  // Settings from the caller's shell must not leak into the sandbox. (The core logs on stderr.)
  const run = await dce(["demo", box], { DCE_SCRAPE_LOCK_FILE: join(tmp.path, "elsewhere.lock") });
  const all = run.stdout + run.stderr;
  assert.equal(run.code, 0, all);
  assert.match(run.stdout, /Discord is SIMULATED/);
  assert.match(run.stdout, /^Handoff complete\. Safe to run:$/m);
  assert.match(
    all,
    /CREATED .*general \[111111111111111111\]\.json \(\+6 messages, new archive\)/,
  );
  assert.match(
    all,
    /MERGED .*general \[111111111111111111\]\.json \(\+3 messages, 6 → 9, fetched 3\)/,
  );
  assert.match(all, /Preserving partial export temp for salvage/);
  assert.match(all, /SALVAGED .*random \[333333333333333333\]\.json/);
  assert.match(run.stdout, /^Operator proof passed for demo$/m);
  assert.match(all, /All checked archive JSON files are valid\./);
  assert.match(run.stdout, /Demo complete: the operator proof passed/);
  const archives = join(box, "archive", "demo-guild");
  const count = async (name: string) =>
    JSON.parse(await Deno.readTextFile(join(archives, name))).messages.length;
  assert.equal(await count("Demo Guild - Text - general [111111111111111111].json"), 11);
  assert.equal(await count("Demo Guild - Text - random [333333333333333333].json"), 9);
  await assert.rejects(() => Deno.stat(join(tmp.path, "elsewhere.lock")), Deno.errors.NotFound);
});

Deno.test("./dce demo refuses a non-empty folder and extra arguments", async () => {
  await using tmp = await tempDir();
  await Deno.writeTextFile(join(tmp.path, "keep.txt"), "mine");
  const full = await dce(["demo", tmp.path]);
  assert.equal(full.code, 1);
  assert.match(full.stderr, /^ERROR: Demo folder ".*" is not empty/m);
  assert.equal(await Deno.readTextFile(join(tmp.path, "keep.txt")), "mine");
  const two = await dce(["demo", "a", "b"]);
  assert.equal(two.code, 2);
  assert.match(two.stderr, /^ERROR: demo takes at most one PATH\.$/m);
});
