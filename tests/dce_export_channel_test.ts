// The CLI driver against the fake DCE CLI (real processes): argv, token path, outcomes, listings.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { exportChannel } from "../lib/dce/export_channel.ts";
import { listChannels, listDms, listGuilds } from "../lib/dce/dce_listings.ts";
import { dceEnv } from "../lib/dce/dce_cli_argv.ts";
import { DceAuthError, DiscoveryError } from "../lib/dce/export_errors.ts";
import { type FakeWorld, writeWorld } from "../smokes/fakes/fake_dce_world.ts";

const FAKE = resolve(import.meta.dirname ?? ".", "../smokes/fakes/dce-cli");

const world: FakeWorld = {
  guilds: [{ id: "222", name: "Fixture Guild" }, { id: "333", name: "Locked", forbidden: true }],
  channels: [
    {
      id: "111",
      guildId: "222",
      name: "fixture-room",
      category: "Testing Grounds",
      categoryId: "9",
      count: 5,
    },
    { id: "1214000000000000001", guildId: "222", name: "rollout", parentId: "111", count: 1 },
    {
      id: "1214000000000000002",
      guildId: "222",
      name: "old",
      parentId: "111",
      archived: true,
      count: 1,
    },
    { id: "112", guildId: "222", name: "voice", type: "GuildVoiceChat", count: 0 },
    { id: "113", guildId: "222", name: "killed", count: 10, killAfter: 3 },
    { id: "114", guildId: "222", name: "oom", count: 10, crashAfter: { messages: 2, code: 134 } },
    { id: "115", guildId: "222", name: "full", count: 10, enospcAfter: 2 },
    { id: "116", guildId: "222", name: "locked", count: 10, forbidden: true },
    { id: "117", guildId: "222", name: "slow", count: 1000, delayMs: 20 },
    { id: "900", guildId: "0", name: "Bob", count: 2 },
  ],
};

async function withFake(
  fn: (ctx: { dir: string; env: Record<string, string>; log: string }) => Promise<void>,
  patch: Partial<FakeWorld> = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dce-export-test-" });
  try {
    const worldPath = join(dir, "world.json");
    await writeWorld(worldPath, { ...world, ...patch });
    const log = join(dir, "fake.log");
    const base = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      FAKE_DCE_WORLD: worldPath,
      FAKE_DCE_LOG: log,
    };
    await fn({ dir, env: dceEnv(base, "secret-token"), log });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function invocations(log: string): Promise<Array<{ argv: string[]; tokenSource: string }>> {
  return (await Deno.readTextFile(log)).trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test("exportChannel() ok: explicit output file, token via env only, --after honoured", async () => {
  await withFake(async ({ dir, env, log }) => {
    const out = join(dir, "export.json");
    const first = await exportChannel({ bin: FAKE, env }, { channelId: "111", outputPath: out });
    assert.equal(first.outcome.kind, "ok");
    const all = JSON.parse(await Deno.readTextFile(out));
    assert.equal(all.messages.length, 5);
    const cursor = all.messages[2].id;
    const second = await exportChannel({ bin: FAKE, env }, {
      channelId: "111",
      outputPath: out,
      after: cursor,
    });
    assert.equal(second.outcome.kind, "ok");
    const rest = JSON.parse(await Deno.readTextFile(out));
    assert.deepEqual(rest.messages.map((m: { id: string }) => m.id), [
      all.messages[3].id,
      all.messages[4].id,
    ]);
    const calls = await invocations(log);
    assert.deepEqual(calls[1]?.argv, [
      "export",
      "--channel",
      "111",
      "--format",
      "Json",
      "--output",
      out,
      "--after",
      cursor,
    ]);
    assert.ok(calls.every((c) => c.tokenSource === "env" && !c.argv.includes("secret-token")));
  });
});

Deno.test("exportChannel() outcomes: SIGKILL mid-file, 134, ENOSPC, 403, bad token", async () => {
  await withFake(async ({ dir, env }) => {
    const run = (id: string, e = env) =>
      exportChannel({ bin: FAKE, env: e }, { channelId: id, outputPath: join(dir, `${id}.json`) });
    const killed = await run("113");
    assert.equal(killed.outcome.kind, "oom");
    assert.equal(killed.signal, "SIGKILL");
    const partial = await Deno.readTextFile(join(dir, "113.json"));
    assert.ok(partial.includes('"messages": [') && !partial.includes("messageCount"));
    assert.equal((await run("114")).outcome.kind, "oom");
    assert.equal((await run("115")).outcome.kind, "disk-full");
    assert.equal((await run("116")).outcome.kind, "access");
    assert.equal((await run("999999")).outcome.kind, "access"); // unknown channel: 404 at resolution
    assert.equal((await run("111", { ...env, FAKE_DCE_REJECT_TOKEN: "1" })).outcome.kind, "auth");
  });
});

Deno.test("exportChannel() empty range: 2.47 writes an empty file (ok), 2.44 fails without one (empty-range)", async () => {
  await withFake(async ({ dir, env }) => {
    const out = join(dir, "e.json");
    const after = "18446744073709551615";
    const modern = await exportChannel({ bin: FAKE, env }, {
      channelId: "111",
      outputPath: out,
      after,
    });
    assert.equal(modern.outcome.kind, "ok");
    assert.equal(JSON.parse(await Deno.readTextFile(out)).messages.length, 0);
    await Deno.remove(out);
    const old = await exportChannel(
      { bin: FAKE, env: { ...env, FAKE_DCE_VERSION: "2.44" } },
      { channelId: "111", outputPath: out, after },
    );
    assert.equal(old.outcome.kind, "empty-range");
    await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
  });
});

Deno.test("exportChannel() abort: the export's process group is stopped, partial file kept", async () => {
  await withFake(async ({ dir, env }) => {
    const out = join(dir, "slow.json");
    const controller = new AbortController();
    let pid = 0;
    const pending = exportChannel({ bin: FAKE, env, signal: controller.signal }, {
      channelId: "117",
      outputPath: out,
      onChild: (p) => {
        pid = p;
      },
      onLine: (line) => {
        if (line.startsWith("Exporting")) setTimeout(() => controller.abort(), 300);
      },
    });
    const result = await pending;
    assert.ok(pid > 0);
    assert.equal(result.outcome.kind, "aborted");
    assert.throws(() => Deno.kill(-pid, "SIGCONT"), Deno.errors.NotFound); // the group is gone
  });
});

Deno.test("exportChannel() onChild: the function it returns is called once, after the export exited", async () => {
  await withFake(async ({ dir, env }) => {
    const gone = (p: number) => {
      try {
        Deno.statSync(`/proc/${p}`);
        return false;
      } catch {
        return true;
      }
    };
    let pid = 0;
    const ended: boolean[] = [];
    const result = await exportChannel({ bin: FAKE, env }, {
      channelId: "111",
      outputPath: join(dir, "done.json"),
      onChild: (p) => {
        pid = p;
        return () => ended.push(gone(p));
      },
    });
    assert.equal(result.outcome.kind, "ok");
    assert.ok(pid > 0);
    assert.deepEqual(ended, [true], "called once, with the child reaped");
  });
});

Deno.test("listings: guilds (no DM pseudo-guild), channels with vc/thread switches, dm", async () => {
  await withFake(async ({ env, log }) => {
    const cli = { bin: FAKE, env };
    assert.deepEqual((await listGuilds(cli)).map((g) => g.id), ["222", "333"]);
    const all = await listChannels(cli, "222", true, "all");
    assert.ok(all.some((c) => c.id === "112"));
    assert.deepEqual(all.filter((c) => c.isThread).map((c) => c.id), [
      "1214000000000000001",
      "1214000000000000002",
    ]);
    const active = await listChannels(cli, "222", false, "active");
    assert.ok(!active.some((c) => c.id === "112"));
    assert.deepEqual(active.filter((c) => c.isThread).map((c) => c.threadStatus), ["Active"]);
    assert.deepEqual((await listDms(cli)).map((d) => d.id), ["900"]);
    const calls = await invocations(log);
    assert.deepEqual(calls[2]?.argv, [
      "channels",
      "--guild",
      "222",
      "--include-vc",
      "false",
      "--include-threads",
      "active",
    ]);
  });
});

Deno.test("listings: failures name the step; a rejected token is a DceAuthError with the marker", async () => {
  await withFake(async ({ env }) => {
    const cli = { bin: FAKE, env };
    await assert.rejects(
      listChannels(cli, "333", false, "all"),
      (e: unknown) =>
        e instanceof DiscoveryError &&
        /^Channel discovery failed for guild 333\. CLI output: .*forbidden/.test(e.message),
    );
    await assert.rejects(
      listDms({ bin: FAKE, env }),
      (e: unknown) => e instanceof DiscoveryError && /^DM discovery failed/.test(e.message),
    );
    await assert.rejects(
      listGuilds({ bin: FAKE, env: { ...env, FAKE_DCE_REJECT_TOKEN: "1" } }),
      (e: unknown) =>
        e instanceof DceAuthError && e.message.includes("Authentication token is invalid"),
    );
  }, { failDm: true });
});

Deno.test("runDce: a missing CLI binary is a clear user error", async () => {
  await assert.rejects(
    listGuilds({ bin: "/nonexistent/DiscordChatExporter.Cli", env: {} }),
    /Cannot run the DCE CLI '\/nonexistent\/DiscordChatExporter.Cli'.*DCE_CLI_BIN/,
  );
});

Deno.test("runDce: an abort that lands while the binary is being checked still stops the export", async () => {
  await withFake(async ({ dir, env }) => {
    const controller = new AbortController();
    // Not aborted when runDce is called; aborted while it awaits the executable check.
    const pending = exportChannel({ bin: FAKE, env, signal: controller.signal }, {
      channelId: "117",
      outputPath: join(dir, "slow.json"),
    });
    controller.abort();
    const result = await pending;
    assert.equal(result.outcome.kind, "aborted");
  });
});

Deno.test("exportChannel() a SIGINT sent to DCE itself (cancel, exit 1) is an abort with the partial file kept", async () => {
  await withFake(async ({ dir, env }) => {
    const out = join(dir, "slow.json");
    let pid = 0;
    const result = await exportChannel({ bin: FAKE, env }, {
      channelId: "117",
      outputPath: out,
      onChild: (p) => {
        pid = p;
      },
      onLine: (line) => {
        if (line.startsWith("Exporting")) setTimeout(() => Deno.kill(pid, "SIGINT"), 300);
      },
    });
    assert.equal(result.code, 1);
    assert.equal(result.outcome.kind, "aborted");
    assert.ok(Array.isArray(JSON.parse(await Deno.readTextFile(out)).messages)); // finalised
  });
});

Deno.test("exportChannel() writes to the literal path when it holds % (DCE expands %c, %%)", async () => {
  await withFake(async ({ dir, env, log }) => {
    const root = join(dir, "arch%c 100%% %");
    await Deno.mkdir(root);
    const out = join(root, "export.json");
    const run = await exportChannel({ bin: FAKE, env }, { channelId: "111", outputPath: out });
    assert.equal(run.outcome.kind, "ok");
    assert.equal(JSON.parse(await Deno.readTextFile(out)).messages.length, 5);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "arch%c 100%% %",
      "fake.log",
      "world.json",
    ]);
    const calls = await invocations(log);
    assert.equal(calls[0]?.argv.at(-1), join(dir, "arch%%c 100%%%% %%", "export.json"));
  });
});
