// Skips, partial temps and salvage through real processes: 403/134/143, active vs stale temps, a
// SIGKILLed export preserved then salvaged, salvage mode, a full disk, empty ranges on old and new CLIs.
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
import type { FakeWorld } from "./fakes/fake_dce_world.ts";

function ts(day: number): string {
  return `2024-01-0${day}T00:00:00+00:00`;
}

async function writeTemp(box: CoreSandbox, suffix: string, body: string, ageSeconds: number) {
  const dir = join(box.out, ".dce-temp", `export.111.${suffix}`);
  await Deno.mkdir(dir, { recursive: true });
  const file = join(dir, "export.json");
  await Deno.writeTextFile(file, body);
  const when = new Date(Date.now() - ageSeconds * 1000);
  await Deno.utime(file, when, when);
  return dir;
}

Deno.test("403, 134 and 143 channels keep the markers; killed exports are retried, then make the run partial (3)", async () => {
  const world = fixtureWorld();
  world.channels?.push(
    { id: "403", guildId: "222", name: "locked", count: 3, forbidden: true },
    { id: "134", guildId: "222", name: "big", count: 5, crashAfter: { messages: 2, code: 134 } },
    {
      id: "143",
      guildId: "222",
      name: "stopped",
      count: 5,
      crashAfter: { messages: 1, code: 143, text: "" },
    },
  );
  await using box = await CoreSandbox.create(world);
  await box.writeConfig({
    archive_root: box.archiveRoot,
    targets: [{ name: "fixture", output_dir: box.out, channel_ids: ["111", "403", "134", "143"] }],
  });
  const run = await box.run(["scrape"], { DCE_RUN_SUMMARY_JSON: "1" });
  // The older suite exited 0 here and called the crashes "inaccessible" (issue 9).
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /FAILED: channel 134 of target 'fixture': .*exit 134 after 3 attempt/);
  assert.match(run.stderr, /FAILED: channel 143 of target 'fixture': .*exit 143 after 3 attempt/);
  assert.match(run.stderr, /Target 'fixture': scrape completed; 2 channel\(s\) failed\./);
  assert.match(run.stderr, /PARTIAL: channel 403 of target 'fixture' is named in the config but/);
  assert.match(run.stderr, /SKIPPED \(OOM\/aborted\).*134/);
  assert.match(run.stderr, /Skipping channel 143 \(export process aborted, exit 143\)\./);
  assert.match(run.stderr, /Hint: for OOM\/aborted channels/);
  assert.match(
    run.stderr,
    /Preserving partial export temp for salvage on next run: .*export\.134\./,
  );
  assert.match(run.stderr, /SKIPPED {2}channel 403 .*\(inaccessible or non-fatal export error\)/);
  assert.match(run.stderr, /Target 'fixture': skipped 1 inaccessible channel\(s\)\./);
  assert.match(
    run.stderr,
    /Totals: 1 created, 0 merged, 0 unchanged, 3 skipped; \+2 messages appended/,
  );
  // The skip line paraphrases DCE's 403 text so the host runner's auth detector is not tripped.
  assert.doesNotMatch(run.stderr, /Request to 'channels\/403[^']*' failed: forbidden/);
  const temps = [...Deno.readDirSync(join(box.out, ".dce-temp"))].map((e) => e.name).sort();
  assert.equal(temps.filter((n) => n.startsWith("export.134.")).length, 1);
  assert.equal(temps.filter((n) => n.startsWith("export.403.")).length, 0);
  const summary = JSON.parse(run.stderr.split("DCE_JSON_SUMMARY: ")[1]?.split("\n")[0] ?? "{}");
  assert.equal(summary.totals.skipped, 3);
  assert.equal(summary.totals.skipped_oom, 2);
  assert.equal(summary.outcome, "partial");
  assert.equal(summary.exit_code, 3);
});

Deno.test("an active temp is kept; a stale one is merged (SALVAGED) and removed", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  assert.equal((await box.run(["scrape"])).code, 0);
  const archive = join(box.out, DEFAULT_NAME);
  const active = await writeTemp(box, "active", fixtureExport("111", [{ id: "5", day: 5 }]), 0);
  const first = await box.run(["scrape"]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(
    first.stderr,
    /Stale temp still active \(recently modified\), skipping salvage: .*export\.111\.active/,
  );
  assert.ok(await exists(active));
  assert.deepEqual(await messageIds(archive), ["1", "2"]);

  await Deno.remove(active, { recursive: true });
  const stale = await writeTemp(
    box,
    "stale1",
    fixtureExport("111", [{ id: "2", day: 2 }, { id: "3", day: 3 }]),
    3600,
  );
  const second = await box.run(["scrape"]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /SALVAGED .*\[111\]\.json \(\+1 messages from stale temp, 2 → 3\)/);
  assert.deepEqual(await messageIds(archive), ["1", "2", "3"]);
  assert.ok(!(await exists(stale)));
  // Salvage ran before the export, so the cursor already included the salvaged message.
  assert.deepEqual((await box.invocations()).at(-1)?.argv.slice(-2), ["--after", "3"]);
});

Deno.test("a SIGKILLed export is preserved, salvaged by `salvage` (no export, no token), then completed", async () => {
  const world: FakeWorld = fixtureWorld();
  const room = world.channels?.[0];
  assert.ok(room);
  room.messages = [1, 2, 3, 4, 5].map((d) => ({
    id: String(d),
    timestamp: ts(d),
    content: `m${d}`,
  }));
  room.killAfter = 3;
  await using box = await CoreSandbox.create(world);
  const first = await box.run(["scrape"]);
  assert.equal(first.code, 3, first.stderr);
  assert.match(first.stderr, /Skipping channel 111 \(export process aborted, exit 137\)\./);
  assert.match(first.stderr, /Preserving partial export temp/);
  assert.ok(!(await exists(join(box.out, DEFAULT_NAME))));

  await box.clearInvocations();
  const salvage = await box.run(["salvage"], { DISCORD_TOKEN: "", DCE_SALVAGE_ACTIVE_TEMPS: "1" });
  assert.equal(salvage.code, 0, salvage.stderr);
  assert.doesNotMatch(salvage.stderr, /Exporting channel/);
  assert.match(
    salvage.stderr,
    /SALVAGED .*\[111\]\.json \(3 messages from stale temp, new archive\)/,
  );
  assert.match(salvage.stderr, /Target 'fixture': salvage completed\./);
  assert.equal((await box.invocations()).length, 0, "salvage never runs the DCE CLI");
  assert.deepEqual(await messageIds(join(box.out, DEFAULT_NAME)), ["1", "2", "3"]);

  delete room.killAfter;
  await box.saveWorld();
  const last = await box.run(["scrape"]);
  assert.equal(last.code, 0, last.stderr);
  assert.deepEqual(await messageIds(join(box.out, DEFAULT_NAME)), ["1", "2", "3", "4", "5"]);
  assert.deepEqual((await box.invocations()).at(-1)?.argv.slice(-2), ["--after", "3"]);
});

Deno.test("salvage mode with nothing to do still reports per channel and completes", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  const run = await box.run(["salvage"], { DISCORD_TOKEN: "" });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /salvaging stale temp exports for 1 channel\(s\)/);
  assert.match(run.stderr, /Nothing to salvage for channel 111\./);
  assert.match(run.stderr, /salvage completed/);
});

Deno.test("a full disk stops the whole run; the archive stays byte-identical; later channels are not exported", async () => {
  const world = fixtureWorld();
  world.channels?.push({ id: "112", guildId: "222", name: "next", count: 2 });
  await using box = await CoreSandbox.create(world);
  await box.writeConfig({
    archive_root: box.archiveRoot,
    targets: [{ name: "fixture", output_dir: box.out, channel_ids: ["111", "112"] }],
  });
  await box.run(["scrape"], { DCE_RUN_SUMMARY_JSON: "1" });
  const archive = join(box.out, DEFAULT_NAME);
  const before = await sha256(archive);
  await box.addMessages("111", { id: "3", timestamp: ts(3) }, { id: "4", timestamp: ts(4) });
  box.channel("111").enospcAfter = 1;
  await box.saveWorld();
  await box.clearInvocations();
  const run = await box.run(["scrape"], { DCE_RUN_SUMMARY_JSON: "1" });
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /ERROR: Disk full while exporting channel 111 for target 'fixture' \(.*No space left on device.*\)\. The run stopped; no archive was modified\./,
  );
  assert.equal(await sha256(archive), before);
  assert.ok(
    !(await box.invocations()).some((c) => c.argv.includes("112")),
    "run stopped at the full disk",
  );
  assert.doesNotMatch(run.stderr, /DCE_JSON_SUMMARY/);
  assert.doesNotMatch(run.stderr, /scrape completed successfully/);
});

Deno.test("empty range: UNCHANGED on 2.47 (empty file) and on 2.44 (error, no file) alike", async (t) => {
  for (const version of ["2.47", "2.44", "2.39"]) {
    await t.step(version, async () => {
      await using box = await CoreSandbox.create(fixtureWorld());
      assert.equal((await box.run(["scrape"])).code, 0);
      const archive = join(box.out, DEFAULT_NAME);
      const before = await sha256(archive);
      const run = await box.run(["scrape"], {
        FAKE_DCE_VERSION: version,
        DCE_RUN_SUMMARY_JSON: "1",
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /UNCHANGED .*\[111\]\.json \(2 messages, no new export data\)/);
      assert.match(
        run.stderr,
        /Totals: 0 created, 0 merged, 1 unchanged, 0 skipped; \+0 messages appended/,
      );
      assert.equal(await sha256(archive), before);
      assert.equal(Deno.readDirSync(join(box.out, ".dce-temp")).next().done, true);
    });
  }
});

Deno.test("a rejected token stops the run with the stable auth marker", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  const run = await box.run(["scrape"], { FAKE_DCE_REJECT_TOKEN: "1" });
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /ERROR: Authentication token is invalid \(Discord rejected DISCORD_TOKEN while exporting channel 111\)/,
  );
  assert.ok(!(await exists(join(box.out, DEFAULT_NAME))));
});

Deno.test("salvage: a temp of a channel no longer configured becomes its archive; unusable temps are kept aside", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  const orphan = join(box.out, ".dce-temp", "export.555.orphan1");
  await Deno.mkdir(orphan, { recursive: true });
  await Deno.writeTextFile(
    join(orphan, "export.json"),
    fixtureExport("555", [{ id: "7", day: 7 }], { name: "gone" }),
  );
  const wrong = await writeTemp(box, "wrong1", fixtureExport("999", [{ id: "8", day: 8 }]), 3600);
  const run = await box.run(["salvage"], { DISCORD_TOKEN: "", DCE_SALVAGE_ACTIVE_TEMPS: "1" });
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stderr,
    /SALVAGED .*Fixture Guild - Testing Grounds - gone \[555\]\.json \(1 messages from stale temp, new archive\)/,
  );
  assert.deepEqual(
    await messageIds(join(box.out, "Fixture Guild - Testing Grounds - gone [555].json")),
    ["7"],
  );
  assert.match(
    run.stderr,
    /Stale temp export wrong channel \(999 != 111\), quarantined: .*export\.111\.wrong1/,
  );
  assert.ok(!(await exists(wrong)));
  assert.ok(
    await exists(join(box.out, ".dce-temp", "quarantine", "export.111.wrong1", "export.json")),
  );
});
