// run-operator-validation, run-operator-proof and prove-incremental-append (issue 9): the same --quiet,
// --wait and --conflict-exit-code as run-documents-scrape, run against the fake DCE CLI with a real
// lock holder.
// Quiet success writes 0 bytes; a partial scrape is a digest and exit 3; a busy lock with
// --conflict-exit-code 75 exits 75 silently; --wait waits for a holder that lets go meanwhile.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool, SCALE, sleep, spawnTool, waitFor } from "./_harness.ts";
import { DEMO, messageIds, ourHolder, sandbox } from "./ops/sandbox.ts";

const WORKFLOWS = [
  // The line each writes before it asks for the lock, and the first line of its work under it.
  { tool: "run-operator-validation", beforeLock: /Operator validation started/, work: /BEGIN: / },
  { tool: "run-operator-proof", beforeLock: /started: /, work: /Operator handoff/ },
];

const OTHER = "555555555555555555";
const both = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

for (const { tool, beforeLock, work } of WORKFLOWS) {
  Deno.test(`${tool} --quiet: success writes 0 bytes; a partial scrape writes a digest, exit 3`, async () => {
    await using box = await sandbox();
    // A second channel in the target: a preflight stops the run only when no channel answers.
    let world = JSON.parse(await Deno.readTextFile(box.world));
    world.channels.push({ ...world.channels[0], id: OTHER, name: "other", count: 2 });
    await Deno.writeTextFile(box.world, JSON.stringify(world));
    const config = JSON.parse(await Deno.readTextFile(box.config));
    config.targets[0].channel_ids.push(OTHER);
    await Deno.writeTextFile(box.config, JSON.stringify(config));
    // Its archive exists before the proof's snapshot (a new archive would fail the grow-only check).
    const seed = await runTool("run-documents-scrape", ["--config", box.config], { env: box.env });
    assert.equal(seed.code, 0, both(seed));
    await box.grow(DEMO.channel, DEMO.count + 2);
    const log = join(box.dir, "quiet.log");
    const args = ["--config", box.config, "--target", "demo", "--quiet", "--log-file", log];
    const ok = await runTool(tool, args, { env: box.env });
    assert.equal(ok.code, 0, await Deno.readTextFile(log).catch(() => both(ok)));
    assert.equal(both(ok), "", "0 bytes for cron to mail");
    const grown = (await messageIds(box.archivePath(DEMO))).length;
    assert.equal(grown, DEMO.count + 2, "it did scrape");
    assert.match(await Deno.readTextFile(log), /Documents scrape finished successfully/);

    // The channel's export is killed mid-file on every try: the scrape is partial.
    world = JSON.parse(await Deno.readTextFile(box.world));
    world.channels[0].count = grown + 4;
    world.channels[0].flaky = { times: 99, mode: "killed" };
    await Deno.writeTextFile(box.world, JSON.stringify(world));
    const partial = await runTool(tool, args, { env: box.env });
    assert.equal(partial.code, 3, both(partial));
    assert.equal(partial.stdout, "");
    assert.match(partial.stderr, new RegExp(`^${tool}: partial \\(exit 3\\)$`, "m"));
    assert.match(partial.stderr, /FAILED: channel 111111111111111111 .*exit 137/);
    assert.match(partial.stderr, new RegExp(`^Log: ${log}$`, "m"));
    assert.ok(partial.stderr.trim().split("\n").length <= 12, partial.stderr);
  });

  Deno.test(`${tool}: busy with --conflict-exit-code 75 exits 75 and, with --quiet, prints nothing`, async () => {
    await using box = await sandbox();
    await using _holder = await ourHolder(box);
    const log = join(box.dir, "busy.log");
    const base = ["--config", box.config, "--target", "demo", "--log-file", log];
    const quiet = await runTool(tool, [...base, "--quiet", "--conflict-exit-code", "75"], {
      env: box.env,
    });
    assert.equal(quiet.code, 75, both(quiet));
    assert.equal(both(quiet), "");
    const loud = await runTool(tool, [...base, "--conflict-exit-code", "75"], { env: box.env });
    assert.equal(loud.code, 75, both(loud));
    assert.match(loud.stderr, /^ERROR: Scrape lock is held; another scrape may be running/m);
    const text = await Deno.readTextFile(log);
    assert.match(text, /ERROR: Scrape lock is held/, "the log still says why");
    assert.doesNotMatch(text, work, "nothing ran while another scrape held the lock");
    // By hand, without the option, busy stays the older suite's exit 1.
    const plain = await runTool(tool, base, { env: box.env });
    assert.equal(plain.code, 1, both(plain));
    assert.equal((await messageIds(box.archivePath(DEMO))).length, DEMO.seeded);
  });

  Deno.test(`${tool} --wait: waits for a holder that lets go meanwhile, then runs`, async () => {
    await using box = await sandbox();
    const log = join(box.dir, "wait.log");
    const holder = await ourHolder(box);
    let finished = false;
    const waiting = spawnTool(tool, [
      ...["--config", box.config, "--target", "demo", "--quiet", "--log-file", log],
      ...["--wait", String(600 * SCALE), "--conflict-exit-code", "75"],
    ], { env: box.env }).output().then((out) => {
      finished = true;
      return out;
    });
    try {
      await waitFor(
        async () => beforeLock.test(await Deno.readTextFile(log).catch(() => "")),
        `${tool} to start`,
      );
      // Still waiting a while later: it neither gave up nor started its work.
      await sleep(1500);
      assert.equal(finished, false, "gave up on the lock instead of waiting");
      assert.doesNotMatch(await Deno.readTextFile(log), work);
    } finally {
      await holder[Symbol.asyncDispose]();
    }
    const out = await waiting;
    const d = new TextDecoder();
    assert.equal(out.code, 0, d.decode(out.stderr) + (await Deno.readTextFile(log)));
    assert.equal(d.decode(out.stdout) + d.decode(out.stderr), "");
    assert.equal((await messageIds(box.archivePath(DEMO))).length, DEMO.count);
  });
}

Deno.test("prove-incremental-append: quiet success writes 0 bytes; busy exits 75 silently without a DCE call", async () => {
  await using box = await sandbox();
  const args = ["--config", box.config, "--target", "demo", "--quiet"];
  const calls = join(box.dir, "calls.jsonl");
  {
    await using _holder = await ourHolder(box);
    const busy = await runTool(
      "prove-incremental-append",
      [...args, "--conflict-exit-code", "75"],
      {
        env: { ...box.env, FAKE_DCE_LOG: calls },
      },
    );
    assert.equal(busy.code, 75, both(busy));
    assert.equal(both(busy), "");
    assert.equal(await Deno.readTextFile(calls).catch(() => ""), "", "no DCE call while busy");
    const plain = await runTool("prove-incremental-append", args.slice(0, 4), { env: box.env });
    assert.equal(plain.code, 1, both(plain));
    assert.match(plain.stderr, /^ERROR: Scrape lock is held; another scrape may be running/m);
  }
  const ok = await runTool("prove-incremental-append", args, { env: box.env });
  assert.equal(ok.code, 0, both(ok));
  assert.equal(both(ok), "", "0 bytes for cron to mail");
  assert.equal((await messageIds(box.archivePath(DEMO))).length, DEMO.count, "it did scrape");
});

Deno.test("prove-incremental-append --wait: waits for a holder that lets go meanwhile, then proves", async () => {
  await using box = await sandbox();
  const holder = await ourHolder(box);
  let finished = false;
  const waiting = spawnTool("prove-incremental-append", [
    ...["--config", box.config, "--target", "demo", "--quiet"],
    ...["--wait", String(600 * SCALE), "--conflict-exit-code", "75"],
  ], { env: box.env }).output().then((out) => {
    finished = true;
    return out;
  });
  try {
    // It prints nothing before the lock: give it time to reach the lock (a broken --wait exits 75
    // below whatever this wait is).
    await sleep(3000 * SCALE);
    assert.equal(finished, false, "gave up on the lock instead of waiting");
  } finally {
    await holder[Symbol.asyncDispose]();
  }
  const out = await waiting;
  const d = new TextDecoder();
  assert.equal(out.code, 0, d.decode(out.stderr));
  assert.equal(d.decode(out.stdout) + d.decode(out.stderr), "");
  assert.equal((await messageIds(box.archivePath(DEMO))).length, DEMO.count);
});
