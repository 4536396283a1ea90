// The bash core's scenarios (docs/bash-suite.md#smokes-carried-over) through real processes: run-scrape + the fake DCE CLI (create, append, identity, paths, cursor).
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CoreSandbox,
  DEFAULT_NAME,
  exists,
  fixtureExport,
  fixtureWorld,
  messageIds,
  sha256,
} from "./fakes/core_sandbox.ts";

Deno.test("create, then append only the new message (cursor = last id; map points at the file)", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  const first = await box.run(["scrape"]);
  assert.equal(first.code, 0, first.stderr);
  const archive = join(box.out, DEFAULT_NAME);
  assert.deepEqual(await messageIds(archive), ["1", "2"]);
  assert.match(first.stderr, /=== Scrape run plan ===/);
  assert.match(first.stderr, /Exporting channel 111 for target 'fixture'\./);
  assert.match(
    first.stderr,
    /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\] {3}CREATED .*\(\+2 messages, new archive\)$/m,
  );

  await box.addMessages("111", {
    id: "3",
    timestamp: "2024-01-03T00:00:00+00:00",
    content: "third",
  });
  const second = await box.run(["scrape"]);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(await messageIds(archive), ["1", "2", "3"]);
  assert.match(
    second.stderr,
    /Exporting channel 111 for target 'fixture' after message 2 → .*\[111\]\.json\./,
  );
  assert.match(second.stderr, /MERGED .*\(\+1 messages, 2 → 3, fetched 1\)/);
  const map = JSON.parse(await Deno.readTextFile(join(box.out, ".dce-meta", "channel-map.json")));
  assert.equal(map["111"], archive);
  const calls = await box.invocations();
  const exportCall = calls.at(-1)?.argv ?? [];
  assert.deepEqual(exportCall.slice(-2), ["--after", "2"]);
  // The token reached the CLI through the environment only (never argv, which ps shows).
  assert.ok(calls.every((c) => c.tokenSource === "env" && !c.argv.includes("smoke-token")));
  // Temps are named export.<channel>.<random>: none is left after a clean run.
  assert.deepEqual([...Deno.readDirSync(join(box.out, ".dce-temp"))], []);
});

Deno.test("idempotent: a rerun without new messages leaves the archive byte-identical (UNCHANGED)", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  assert.equal((await box.run(["scrape"])).code, 0);
  const archive = join(box.out, DEFAULT_NAME);
  const before = await sha256(archive);
  const again = await box.run(["scrape"]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /UNCHANGED .*\(2 messages, no new export data\)/);
  assert.equal(await sha256(archive), before);
});

Deno.test("a CLI that answers with the wrong channel fails and leaves the archive byte-identical", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  assert.equal((await box.run(["scrape"])).code, 0);
  const archive = join(box.out, DEFAULT_NAME);
  const before = await sha256(archive);
  box.channel("111").exportAs = "999";
  await box.addMessages("111", { id: "4", timestamp: "2024-01-04T00:00:00+00:00" });
  const run = await box.run(["scrape"]);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /ERROR: Export '.*export\.json' belongs to channel '999', expected '111'\./,
  );
  assert.equal(await sha256(archive), before);
  // The rejected export is not left where salvage would merge it later (docs/bash-suite.md#h19-rejected-exports-left-behind).
  assert.deepEqual([...Deno.readDirSync(join(box.out, ".dce-temp"))], []);
});

Deno.test("a seeded archive (own name, sub-folder) is updated in place", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  const seeded = join(box.out, "old", "My Old Name [111].json");
  await Deno.mkdir(join(box.out, "old"), { recursive: true });
  await Deno.writeTextFile(
    seeded,
    fixtureExport("111", [{ id: "1", day: 1 }, { id: "2", day: 2 }]),
  );
  await box.addMessages("111", { id: "3", timestamp: "2024-01-03T00:00:00+00:00" });
  const run = await box.run(["scrape"]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(await messageIds(seeded), ["1", "2", "3"]);
  assert.ok(!(await exists(join(box.out, DEFAULT_NAME))));
});

Deno.test("refusals: two candidates, invalid archive, wrong-channel seeded archive, mapped path with ..", async (t) => {
  await t.step("two candidate files", async () => {
    await using box = await CoreSandbox.create(fixtureWorld());
    await Deno.mkdir(box.out, { recursive: true });
    await Deno.writeTextFile(join(box.out, "a [111].json"), fixtureExport("111", [{ id: "1" }]));
    await Deno.writeTextFile(join(box.out, "b [111].json"), fixtureExport("111", [{ id: "1" }]));
    const run = await box.run(["scrape"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /ERROR: Found multiple existing JSON exports for channel 111 under /);
    assert.equal((await box.invocations()).length, 0, "nothing exported");
  });
  await t.step("invalid archive", async () => {
    await using box = await CoreSandbox.create(fixtureWorld());
    await Deno.mkdir(box.out, { recursive: true });
    const bad = join(box.out, "bad [111].json");
    await Deno.writeTextFile(
      bad,
      '{"guild": {"id": "222"}, "channel": {"id": "111"}, "messages": [ {"id": "1"',
    );
    const sum = await sha256(bad);
    const run = await box.run(["scrape"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /ERROR: Existing archive .*bad \[111\]\.json is cut off: .*truncated/);
    assert.equal(await sha256(bad), sum);
  });
  await t.step("seeded archive of another channel", async () => {
    await using box = await CoreSandbox.create(fixtureWorld());
    await Deno.mkdir(box.out, { recursive: true });
    await Deno.writeTextFile(join(box.out, "x [111].json"), fixtureExport("999", [{ id: "1" }]));
    const run = await box.run(["scrape"]);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /ERROR: Export '.*x \[111\]\.json' belongs to channel '999', expected '111'\./,
    );
  });
  await t.step("mapped destination with ..", async () => {
    await using box = await CoreSandbox.create(fixtureWorld());
    await Deno.mkdir(join(box.out, ".dce-meta"), { recursive: true });
    const escape = `${box.out}/../escape/x [111].json`; // not join(): it would resolve the ".."
    await Deno.writeTextFile(
      join(box.out, ".dce-meta", "channel-map.json"),
      JSON.stringify({ "111": escape }),
    );
    const run = await box.run(["scrape"]);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /ERROR: Mapped destination '.*\/\.\.\/escape\/x \[111\]\.json' for channel 111 is outside target root/,
    );
    assert.ok(!(await exists(join(box.archiveRoot, "escape"))));
  });
});

Deno.test("cursor is the numerically largest id, not the last element nor the longest string", async (t) => {
  for (
    const [name, ids, expected] of [
      ["unordered", ["1", "999", "2"], "999"],
      ["mixed length", ["999999999999999999", "1000000000000000000"], "1000000000000000000"],
    ] as const
  ) {
    await t.step(name, async () => {
      await using box = await CoreSandbox.create(fixtureWorld());
      await Deno.mkdir(box.out, { recursive: true });
      await Deno.writeTextFile(
        join(box.out, DEFAULT_NAME),
        fixtureExport("111", ids.map((id) => ({ id }))),
      );
      box.channel("111").messages = [];
      await box.saveWorld();
      const run = await box.run(["scrape"]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual((await box.invocations()).at(-1)?.argv.slice(-2), ["--after", expected]);
    });
  }
});

Deno.test("summary: DCE_RUN_SUMMARY_FILE (version 1 document) and DCE_RUN_SUMMARY_JSON=1 marker line", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  const file = join(box.root, "logs", "run.summary.json");
  const run = await box.run(["scrape"], { DCE_RUN_SUMMARY_FILE: file, DCE_RUN_SUMMARY_JSON: "1" });
  assert.equal(run.code, 0, run.stderr);
  const doc = JSON.parse(await Deno.readTextFile(file));
  assert.equal(doc.version, 1);
  assert.match(doc.finished_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(doc.totals, {
    created: 1,
    merged: 0,
    unchanged: 0,
    skipped: 0,
    skipped_oom: 0,
    failed: 0,
    messages_appended: 2,
  });
  assert.equal(doc.outcome, "ok");
  assert.equal(doc.exit_code, 0);
  assert.equal(doc.channels[0].action, "CREATED");
  assert.equal(doc.channels[0].guild_label, "Fixture Guild [222]");
  assert.match(run.stderr, new RegExp(`JSON summary written: ${file.replaceAll("/", "\\/")}`));
  const line = run.stderr.split("\n").find((l) => l.includes("DCE_JSON_SUMMARY: "));
  assert.ok(line);
  assert.deepEqual(JSON.parse(line.slice(line.indexOf("DCE_JSON_SUMMARY: ") + 18)), doc);
  assert.match(run.stderr, /=== Scrape run summary ===/);
  assert.match(
    run.stderr,
    /Totals: 1 created, 0 merged, 0 unchanged, 0 skipped; \+2 messages appended/,
  );
});

Deno.test("list-targets prints name, kind and output_dir for every target", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  const run = await box.run(["list-targets"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, `fixture\tguild\t${box.out}\n`);
});
