// runCore in-process (as the host runner's direct backend calls it) against the fake CLI.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { type CoreRequest, runCore } from "../lib/scrape/run_core.ts";
import { type FakeChannel, writeWorld } from "../smokes/fakes/fake_dce_world.ts";

const FAKE = resolve(import.meta.dirname ?? ".", "../smokes/fakes/dce-cli");

async function sandbox(count: number, delayMs = 0) {
  const dir = await Deno.makeTempDir({ prefix: "dce-runcore-" });
  await writeWorld(join(dir, "world.json"), {
    guilds: [{ id: "222", name: "G" }],
    channels: [{ id: "111", guildId: "222", name: "room", count, delayMs }],
  });
  await Deno.writeTextFile(
    join(dir, "c.json"),
    JSON.stringify({
      archive_root: join(dir, "a"),
      targets: [{ name: "t", output_dir: join(dir, "a", "t"), channel_ids: ["111"] }],
    }),
  );
  const env = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    FAKE_DCE_WORLD: join(dir, "world.json"),
    DISCORD_TOKEN: "tok",
    TMPDIR: dir,
  };
  return { dir, env, config: join(dir, "c.json") };
}

/** A scrape of every target with the fake CLI; the log lines are collected. */
async function scrape(
  env: Record<string, string>,
  configPath: string,
  more: Partial<CoreRequest> = {},
) {
  const lines: string[] = [];
  const result = await runCore({
    mode: "scrape",
    configPath,
    targets: [],
    guilds: [],
    channels: [],
    env,
    cliBin: FAKE,
    log: (l) => lines.push(l),
    ...more,
  });
  return { ...result, lines, text: lines.join("\n") };
}

Deno.test("runCore(): timestamped log lines, summary object, export pid reported", async () => {
  const { dir, env, config } = await sandbox(3);
  try {
    const pids: number[] = [];
    const result = await scrape(env, config, {
      onExportChild: (pid) => {
        pids.push(pid);
      },
      now: () => new Date("2026-05-06T07:08:09.5Z"),
    });
    assert.equal(result.exitCode, 0, result.text);
    assert.ok(result.lines.every((l) => l.startsWith("[2026-05-06T07:08:09Z] ")));
    assert.equal(result.summary?.totals.created, 1);
    assert.equal(result.summary?.totals.messages_appended, 3);
    assert.equal(pids.length, 1);
    assert.ok(pids[0] !== undefined && pids[0] > 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runCore(): a missing config comes back as its ERROR line and exit 2 (no throw)", async () => {
  const { dir, env } = await sandbox(1);
  try {
    const result = await scrape(env, join(dir, "missing.json"));
    assert.equal(result.exitCode, 2);
    assert.match(result.text, /ERROR: Missing config: .*missing\.json\. Copy /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runCore(): an abort stops the export and returns 128+n for the signal named in the reason", async () => {
  const { dir, env, config } = await sandbox(100_000, 5);
  try {
    const controller = new AbortController();
    const result = await scrape(env, config, {
      signal: controller.signal,
      onExportChild: () => {
        setTimeout(() => controller.abort("SIGINT"), 300);
      },
    });
    assert.equal(result.exitCode, 130, result.text);
    assert.equal(result.summary?.channels[0]?.action, "SKIPPED_OOM");
    assert.match(result.text, /Scrape interrupted \(SIGINT\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runCore(): a channel that fails before or after its export leaves no temp folder behind", async () => {
  const { dir, env, config } = await sandbox(3);
  try {
    const temps = join(dir, "a", "t", ".dce-temp");
    const run = (cliBin: string) => scrape(env, config, { cliBin });
    // The CLI cannot be started at all.
    const missing = await run(join(dir, "no-such-cli"));
    assert.equal(missing.exitCode, 1, missing.text);
    assert.match(missing.text, /ERROR: Cannot run the DCE CLI/);
    assert.deepEqual([...Deno.readDirSync(temps)], []);
    // The export is fine but its derived archive name is a symlink leading out of the target.
    await Deno.writeTextFile(join(dir, "elsewhere.json"), "");
    await Deno.symlink(join(dir, "elsewhere.json"), join(dir, "a", "t", "G - room [111].json"));
    const outside = await run(FAKE);
    assert.equal(outside.exitCode, 1, outside.text);
    assert.match(outside.text, /ERROR: Derived destination .* is outside target root/);
    assert.deepEqual([...Deno.readDirSync(temps)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runCore(): a forum channel in the resolved set is SKIPPED; the run goes on and succeeds", async () => {
  const { dir, env, config } = await sandbox(2);
  try {
    await writeWorld(join(dir, "world.json"), {
      guilds: [{ id: "222", name: "G" }],
      channels: [
        { id: "111", guildId: "222", name: "room", count: 2 },
        { id: "110", guildId: "222", name: "ideas", type: "GuildForum" },
      ],
    });
    const c = JSON.parse(await Deno.readTextFile(config));
    c.targets[0].channel_ids = ["110", "111"];
    await Deno.writeTextFile(config, JSON.stringify(c));
    const result = await scrape(env, config);
    assert.equal(result.exitCode, 0, result.text);
    assert.deepEqual(result.summary?.channels.map((r) => [r.channel_id, r.action]), [
      ["110", "SKIPPED"],
      ["111", "CREATED"],
    ]);
    assert.match(result.text, /Skipping channel 110 \(a forum channel: its threads are exported/);
    assert.deepEqual([...Deno.readDirSync(join(dir, "a", "t", ".dce-temp"))], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A target over guild 222 (listed channels) plus explicitly named ones, and an instant retry policy. */
async function unattendedSandbox(channels: FakeChannel[], named: string[]) {
  const box = await sandbox(1);
  await writeWorld(join(box.dir, "world.json"), { guilds: [{ id: "222", name: "G" }], channels });
  const c = JSON.parse(await Deno.readTextFile(box.config));
  c.targets = [
    { name: "listed", output_dir: join(box.dir, "a", "listed"), guild_ids: ["222"] },
    { name: "named", output_dir: join(box.dir, "a", "named"), channel_ids: named },
  ];
  await Deno.writeTextFile(box.config, JSON.stringify(c));
  const waits: number[] = [];
  const retry = {
    delaysMs: [10, 20],
    sleep: (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    },
  };
  return { ...box, retry, waits };
}

Deno.test("runCore(): one bad channel does not stop the run; failures after retries make it partial (3)", async () => {
  const box = await unattendedSandbox([
    { id: "101", guildId: "222", name: "fine", count: 2 },
    { id: "102", guildId: "222", name: "blip", count: 2, flaky: { times: 1, mode: "network" } },
    {
      id: "103",
      guildId: "222",
      name: "down",
      count: 2,
      flaky: { times: 9, mode: "server-error" },
    },
    { id: "104", guildId: "222", name: "oom", count: 4, flaky: { times: 9, mode: "killed" } },
    { id: "105", guildId: "222", name: "later", count: 1 },
  ], ["101"]);
  try {
    const result = await scrape(box.env, box.config, { retry: box.retry, targets: ["listed"] });
    assert.equal(result.exitCode, 3, result.text);
    const actions = result.summary?.channels.map((r) => [r.channel_id, r.action, r.attempts]);
    assert.deepEqual(actions, [
      ["101", "CREATED", undefined],
      ["102", "CREATED", 2],
      ["103", "FAILED", 3],
      ["104", "SKIPPED_OOM", 3],
      ["105", "CREATED", undefined],
    ]);
    assert.deepEqual(box.waits, [10, 10, 20, 10, 20]);
    assert.equal(result.summary?.outcome, "partial");
    assert.equal(result.summary?.exit_code, 3);
    assert.equal(result.summary?.totals.failed, 1);
    assert.match(result.text, /FAILED: channel 103 of target 'listed': .*service unavailable/);
    assert.match(result.text, /FAILED: channel 104 of target 'listed': export process killed/);
    // A crash is never "inaccessible" (the older suite counted it there).
    assert.doesNotMatch(result.text, /skipped \d+ inaccessible/);
    assert.doesNotMatch(result.text, /scrape completed successfully/);
    // Only the last, failed try of the killed channel keeps its partial export for salvage.
    const temps = [...Deno.readDirSync(join(box.dir, "a", "listed", ".dce-temp"))];
    assert.equal(temps.length, 1);
    assert.match(temps[0]!.name, /^export\.104\./);
  } finally {
    await Deno.remove(box.dir, { recursive: true });
  }
});

Deno.test("runCore(): a listed channel the token cannot read is a skip; a named one, or --strict, is partial", async () => {
  const box = await unattendedSandbox([
    { id: "101", guildId: "222", name: "fine", count: 2 },
    { id: "102", guildId: "222", name: "secret", count: 2, forbidden: true },
  ], ["101", "102"]);
  try {
    const listed = await scrape(box.env, box.config, { retry: box.retry, targets: ["listed"] });
    assert.equal(listed.exitCode, 0, listed.text);
    assert.match(listed.text, /Target 'listed': skipped 1 inaccessible channel\(s\)\./);
    assert.match(listed.text, /scrape completed successfully/);
    assert.equal(listed.summary?.outcome, "ok");
    const strict = await scrape(box.env, box.config, {
      retry: box.retry,
      targets: ["listed"],
      strict: true,
    });
    assert.equal(strict.exitCode, 3, strict.text);
    assert.match(
      strict.text,
      /PARTIAL: channel 102 of target 'listed' \(--strict\) was not exported/,
    );
    const named = await scrape(box.env, box.config, { retry: box.retry, targets: ["named"] });
    assert.equal(named.exitCode, 3, named.text);
    assert.match(named.text, /PARTIAL: channel 102 of target 'named' is named in the config but/);
    assert.deepEqual(box.waits, [], "a 403 is not retried");
  } finally {
    await Deno.remove(box.dir, { recursive: true });
  }
});

Deno.test("runCore(): a failure that stops the run still writes the summary of what was done", async () => {
  const box = await unattendedSandbox([
    { id: "101", guildId: "222", name: "fine", count: 2 },
    { id: "102", guildId: "222", name: "full", count: 3, enospcAfter: 1 },
  ], []);
  try {
    const file = join(box.dir, "summary.json");
    const result = await scrape({ ...box.env, DCE_RUN_SUMMARY_FILE: file }, box.config, {
      retry: box.retry,
      targets: ["listed"],
    });
    assert.equal(result.exitCode, 1, result.text);
    assert.match(result.text, /ERROR: Disk full while exporting channel 102/);
    const written = JSON.parse(await Deno.readTextFile(file));
    assert.equal(written.outcome, "failed");
    assert.equal(written.exit_code, 1);
    assert.deepEqual(written.channels.map((c: { action: string }) => c.action), ["CREATED"]);
  } finally {
    await Deno.remove(box.dir, { recursive: true });
  }
});
