// The fake DCE CLI against docs/dce-cli.md: CliFx parsing, exit codes, texts, byte layout.
import assert from "node:assert/strict";
import { join } from "node:path";
import { decodedRun, tempDir, type ToolRun, waitFor } from "./_harness.ts";
import { FAKE_CLI } from "./fakes/core_sandbox.ts";
import { type FakeWorld, writeWorld } from "./fakes/fake_dce_world.ts";

const WORLD: FakeWorld = {
  guilds: [{ id: "612345678901234567", name: "Acme Devs" }, { id: "222", name: "Fixture Guild" }],
  channels: [
    {
      id: "712345678901234567",
      guildId: "612345678901234567",
      name: "deployments",
      category: "Engineering",
      categoryId: "702345678901234567",
      messages: [
        {
          id: "1214567890123456789",
          timestamp: "2024-03-05T14:07:31.512+00:00",
          content: 'go \u{1F680} "now"',
        },
        {
          id: "1214567890123456790",
          timestamp: "2024-03-05T14:08:00+00:00",
          content: "line\nbreak",
        },
      ],
    },
    {
      id: "1214000000000000001",
      guildId: "612345678901234567",
      name: "rollout 42",
      parentId: "712345678901234567",
      messages: [],
    },
    {
      id: "1213000000000000002",
      guildId: "612345678901234567",
      name: "hotfix",
      parentId: "712345678901234567",
      archived: true,
      messages: [],
    },
    { id: "111", guildId: "222", name: "fixture-room", count: 5 },
    { id: "116", guildId: "222", name: "locked", count: 5, forbidden: true },
    { id: "117", guildId: "222", name: "slow", count: 400, delayMs: 10 },
    { id: "118", guildId: "222", name: "cut", count: 10, killAfter: 4 },
  ],
};

async function fake(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ToolRun> {
  const out = await new Deno.Command(FAKE_CLI, {
    args,
    cwd: dir,
    env: { FAKE_DCE_WORLD: join(dir, "world.json"), DISCORD_TOKEN: "tok", ...env },
    stdin: "null",
  }).output();
  return decodedRun(out);
}

async function withWorld(fn: (dir: string) => Promise<void>): Promise<void> {
  await using dir = await tempDir("dce-fake-cli-");
  await writeWorld(join(dir.path, "world.json"), WORLD);
  await fn(dir.path);
}

Deno.test("CliFx parsing (docs/dce-cli.md#how-arguments-are-parsed): no --x=v form, multi-values, case rules, required options, bad values", async () => {
  await withWorld(async (dir) => {
    let r = await fake(dir, ["export", "-c", "111", "--after=5"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Unrecognized option\(s\):\n--after=5\n/);
    r = await fake(dir, ["export", "-c", "111"], { DISCORD_TOKEN: "" });
    assert.ok(r.code !== 0);
    r = await fake(dir, ["export", "-c", "111"], {
      FAKE_DCE_WORLD: join(dir, "world.json"),
      DISCORD_TOKEN: "x",
    });
    assert.equal(r.code, 0);
    const noToken = await new Deno.Command(FAKE_CLI, {
      args: ["export", "-c", "111"],
      cwd: dir,
      env: { FAKE_DCE_WORLD: join(dir, "world.json") },
      clearEnv: true,
    }).output();
    assert.equal(noToken.code, 1);
    assert.match(
      new TextDecoder().decode(noToken.stderr),
      /^Missing required option\(s\):\n-t\|--token\n/,
    );
    r = await fake(dir, ["export", "-c", "111", "--after", "junk", "-f", "Json"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /Option --after cannot be set from the provided argument\(s\):\njunk\nError: Invalid snowflake 'junk'\./,
    );
    r = await fake(dir, [
      "EXPORT",
      "--CHANNEL",
      "111",
      "-f",
      "json",
      "-o",
      "a.json",
      "--fuck-russia",
    ]);
    assert.equal(r.code, 0, r.stderr);
    r = await fake(dir, [
      "export",
      "-c",
      "111",
      "116",
      "-f",
      "JSON",
      "-o",
      "multi/",
      "--fuck-russia",
    ]);
    assert.equal(r.code, 0, r.stderr); // 116 failed, 111 did not: exit 0
    assert.match(
      r.stderr,
      /Failed to export the following channel\(s\):\nlocked: Request to 'channels\/116\/messages\?limit=1' failed: forbidden\.\n/,
    );
    r = await fake(dir, ["export", "-c", "111", "-c", "116", "-f", "json", "-o", "single.json"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^Attempted to export multiple channels, but the output path is neither a directory nor a template\./,
    );
    r = await fake(dir, ["--version"]);
    assert.equal(r.stdout, "v2.47.0\n");
    r = await fake(dir, []);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /USAGE/);
  });
});

Deno.test("byte layout (docs/dce-cli.md#json-export-layout): key order, indentation, escaped emoji, +00:00, no trailing newline", async () => {
  await withWorld(async (dir) => {
    const r = await fake(dir, [
      "export",
      "-c",
      "712345678901234567",
      "-f",
      "Json",
      "-o",
      "out/",
      "--fuck-russia",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const file = join(
      dir,
      "out",
      "Acme Devs - Engineering - deployments [712345678901234567].json",
    );
    const text = await Deno.readTextFile(file);
    assert.ok(!text.endsWith("\n"));
    assert.ok(
      text.startsWith(
        '{\n  "guild": {\n    "id": "612345678901234567",\n    "name": "Acme Devs",\n',
      ),
    );
    assert.match(
      text,
      /\n {2}"channel": \{\n {4}"id": "712345678901234567",\n {4}"type": "GuildTextChat",\n {4}"categoryId": "702345678901234567",\n {4}"category": "Engineering",\n {4}"name": "deployments",\n {4}"topic": null\n {2}\},\n/,
    );
    assert.match(
      text,
      /\n {2}"dateRange": \{\n {4}"after": null,\n {4}"before": null\n {2}\},\n {2}"exportedAt": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?\+00:00",\n {2}"messages": \[\n {4}\{\n {6}"id": "1214567890123456789",\n {6}"type": "Default",\n {6}"timestamp": "2024-03-05T14:07:31\.512\+00:00",/,
    );
    assert.ok(text.includes('"content": "go \\uD83D\\uDE80 \\"now\\"",'));
    assert.ok(text.includes('"content": "line\\nbreak",'));
    assert.ok(text.includes('"attachments": [],\n      "embeds": [],'));
    assert.ok(text.endsWith('\n    }\n  ],\n  "messageCount": 2\n}'));
    const doc = JSON.parse(text);
    assert.deepEqual(Object.keys(doc), [
      "guild",
      "channel",
      "dateRange",
      "exportedAt",
      "messages",
      "messageCount",
    ]);
    assert.deepEqual(Object.keys(doc.messages[0]).slice(0, 8), [
      "id",
      "type",
      "timestamp",
      "timestampEdited",
      "callEndedTimestamp",
      "isPinned",
      "content",
      "author",
    ]);
  });
});

Deno.test("docs/dce-cli.md#after-and-before, docs/dce-cli.md#order-and-range --after/--before are exclusive; messages ascend; partitions are named [part k]", async () => {
  await withWorld(async (dir) => {
    await fake(dir, ["export", "-c", "111", "-f", "Json", "-o", "all.json"]);
    const all = JSON.parse(await Deno.readTextFile(join(dir, "all.json"))).messages.map((
      m: { id: string },
    ) => m.id);
    assert.equal(all.length, 5);
    assert.deepEqual(
      [...all].sort((a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : 1)),
      all,
    );
    await fake(dir, [
      "export",
      "-c",
      "111",
      "-f",
      "Json",
      "-o",
      "mid.json",
      "--after",
      all[1],
      "--before",
      all[4],
    ]);
    const mid = JSON.parse(await Deno.readTextFile(join(dir, "mid.json")));
    assert.deepEqual(mid.messages.map((m: { id: string }) => m.id), [all[2], all[3]]);
    assert.notEqual(mid.dateRange.after, null);
    const r = await fake(dir, ["export", "-c", "111", "-f", "Json", "-o", "p.json", "-p", "2"]);
    assert.equal(r.code, 0, r.stderr);
    for (
      const [name, n] of [["p.json", 2], ["p [part 2].json", 2], ["p [part 3].json", 1]] as const
    ) {
      assert.equal(JSON.parse(await Deno.readTextFile(join(dir, name))).messageCount, n, name);
    }
  });
});

Deno.test("texts (docs/dce-cli.md#what-our-code-matches): empty range (2.47 warning + empty file, 2.44 failure + no file), 403, 404, bad token", async () => {
  await withWorld(async (dir) => {
    const max = "18446744073709551615";
    let r = await fake(dir, ["export", "-c", "111", "-f", "Json", "-o", "e.json", "--after", max]);
    assert.equal(r.code, 0);
    assert.match(
      r.stderr,
      /Warnings reported for the following channel\(s\):\nfixture-room: Channel 'fixture-room' of guild 'Fixture Guild' does not contain any messages within the specified period; an empty file will be created\.\n/,
    );
    assert.ok(
      (await Deno.readTextFile(join(dir, "e.json"))).endsWith(
        '  "messages": [],\n  "messageCount": 0\n}',
      ),
    );
    r = await fake(dir, ["export", "-c", "111", "-f", "Json", "-o", "old.json", "--after", max], {
      FAKE_DCE_VERSION: "2.44",
    });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /does not contain any messages within the specified period\.\n\nExport failed\.\n$/,
    );
    await assert.rejects(Deno.stat(join(dir, "old.json")), Deno.errors.NotFound);
    r = await fake(dir, ["export", "-c", "116", "-f", "Json", "-o", "f.json"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /failed: forbidden\.\n\nExport failed\.\n$/);
    assert.doesNotMatch(r.stderr, /Missing Access/);
    r = await fake(dir, ["export", "-c", "999", "-f", "Json", "-o", "n.json"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^ERROR\nDiscordChatExporter\.Core\.Exceptions\.DiscordChatExporterException: Request to 'channels\/999' failed: not found\.\n {3}at /,
    );
    r = await fake(dir, ["guilds"], { FAKE_DCE_REJECT_TOKEN: "1" });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /DiscordChatExporterException: Authentication token is invalid\./);
  });
});

Deno.test("listings (docs/dce-cli.md#listings): padding, DM pseudo-guild first, threads with status, no banner", async () => {
  await withWorld(async (dir) => {
    let r = await fake(dir, ["guilds"]);
    assert.equal(
      r.stdout,
      "0                  | Direct Messages\n612345678901234567 | Acme Devs\n222                | Fixture Guild\n",
    );
    r = await fake(dir, ["channels", "-g", "612345678901234567", "--include-threads", "all"]);
    assert.equal(
      r.stdout,
      "712345678901234567 | Engineering / deployments\n" +
        " * 1214000000000000001 | Thread / rollout 42 | Active\n" +
        " * 1213000000000000002 | Thread / hotfix | Archived\n",
    );
    r = await fake(dir, ["channels", "-g", "612345678901234567", "--include-threads"]);
    assert.doesNotMatch(r.stdout, /hotfix/); // bare flag = active
  });
});

Deno.test("streaming (docs/dce-cli.md#interrupted-exports): the file grows while exporting; a SIGKILL leaves a prefix without messageCount", async () => {
  await withWorld(async (dir) => {
    const child = new Deno.Command(FAKE_CLI, {
      args: ["export", "-c", "117", "-f", "Json", "-o", "s.json"],
      cwd: dir,
      env: { FAKE_DCE_WORLD: join(dir, "world.json"), DISCORD_TOKEN: "tok" },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const file = join(dir, "s.json");
    let midway = "";
    await waitFor(
      async () => {
        midway = await Deno.readTextFile(file).catch(() => "");
        return midway.includes('"id"') && !midway.includes("messageCount");
      },
      "a partly written export",
      30_000,
      20,
    );
    child.kill("SIGKILL");
    await child.status;
    assert.ok(midway.includes('"messages": ['), "saw a partly written file");
    const cut = await fake(dir, ["export", "-c", "118", "-f", "Json", "-o", "cut.json"]);
    assert.equal(cut.signal, "SIGKILL");
    const text = await Deno.readTextFile(join(dir, "cut.json"));
    assert.ok(!text.includes("messageCount"));
    assert.equal(
      (text.match(/\n {4}\}/g) ?? []).length,
      4,
      "four complete messages, then a torn one",
    );
    assert.throws(() => JSON.parse(text));
  });
});
