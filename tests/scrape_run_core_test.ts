// runCore in-process (as the host runner's direct backend calls it) against the fake CLI.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { type CoreRequest, runCore } from "../lib/scrape/run_core.ts";
import { writeWorld } from "../smokes/fakes/fake_dce_world.ts";

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
