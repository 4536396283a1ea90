// run-scrape-host doing real work through BOTH exporters: compose (fake docker running our core) and
// cli (our core in-process), both against the fake DCE CLI. Create, append, salvage a cut-off export,
// skip a forbidden channel, retry auth once, and survive SIGTERM mid-export with the archive intact.
import assert from "node:assert/strict";
import { join } from "node:path";
import { FAKES, tempDir, waitFor } from "./_harness.ts";
import { type FakeWorld, writeWorld } from "./fakes/fake_dce_world.ts";
import {
  FAKE_DCE_CLI,
  host,
  type HostRepo,
  listTree,
  makeRepo,
  spawnHost,
} from "./host_fixture.ts";

const GUILD = "222222222222222222";
const GENERAL = "111111111111111111";
const SECRET = "111111111111111112";

function world(
  count: number,
  extra: Partial<FakeWorld> = {},
  general: Record<string, unknown> = {},
): FakeWorld {
  return {
    guilds: [{ id: GUILD, name: "Fixture Guild" }],
    channels: [
      { id: GENERAL, guildId: GUILD, name: "general", category: "Testing", count, ...general },
      { id: SECRET, guildId: GUILD, name: "secret", forbidden: true, count: 3 },
    ],
    ...extra,
  };
}

interface Setup {
  repo: HostRepo;
  worldFile: string;
  env(extra?: Record<string, string>): Record<string, string>;
  archiveFile: string;
}

async function setup(dir: string, exporter: "cli" | "compose"): Promise<Setup> {
  const repo = await makeRepo(dir, {
    targets: [{
      name: "demo",
      output_dir: join(dir, "archive", "demo"),
      // Listed through the guild: the forbidden channel is an ordinary skip (named, it would make
      // the run partial).
      guild_ids: [GUILD],
    }],
  });
  const worldFile = join(dir, "world.json");
  await writeWorld(worldFile, world(5));
  return {
    repo,
    worldFile,
    archiveFile: join(repo.archive, "demo", `Fixture Guild - Testing - general [${GENERAL}].json`),
    env: (extra = {}) =>
      repo.env({
        DCE_EXPORTER: exporter,
        DCE_CLI_BIN: FAKE_DCE_CLI,
        FAKE_DOCKER_MODE: "core",
        FAKE_DOCKER_CLI_BIN: FAKE_DCE_CLI,
        FAKE_DCE_WORLD: worldFile,
        FAKE_DOCKER_ENV_COPY: "",
        ...extra,
      }),
  };
}

async function messageIds(file: string): Promise<string[]> {
  const doc = JSON.parse(await Deno.readTextFile(file));
  assert.equal(doc.channel.id, GENERAL);
  return doc.messages.map((m: { id: string }) => m.id);
}

for (const exporter of ["compose", "cli"] as const) {
  Deno.test(`e2e (${exporter}): create, append only new messages, skip forbidden, salvage a cut-off export`, async () => {
    await using dir = await tempDir();
    const s = await setup(dir.path, exporter);
    const summary = join(s.repo.root, "logs", "runs", "e2e.summary.json");

    const first = await host(["scrape"], s.env({ DCE_RUN_SUMMARY_FILE: summary }));
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stderr,
      /CREATED .*general \[111111111111111111\]\.json \(\+5 messages, new archive\)/,
    );
    assert.match(first.stderr, /SKIPPED {2}channel 111111111111111112/);
    const ids5 = await messageIds(s.archiveFile);
    assert.equal(ids5.length, 5);
    // The core (in the container under logs/, or in-process) wrote it: never recovered over it.
    assert.doesNotMatch(first.stderr, /JSON summary recovered/);
    const doc = JSON.parse(await Deno.readTextFile(summary));
    assert.equal(doc.totals.created, 1);
    assert.equal(doc.totals.skipped, 1);
    assert.equal(doc.totals.messages_appended, 5);

    await writeWorld(s.worldFile, world(8));
    const second = await host(["scrape", "--target", "demo"], s.env());
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /MERGED .*\(\+3 messages, 5 → 8, fetched 3\)/);
    const ids8 = await messageIds(s.archiveFile);
    assert.deepEqual(ids8.slice(0, 5), ids5, "existing messages are kept as they were");
    assert.equal(new Set(ids8).size, 8);

    // The export of 4 new messages is killed after writing 2 (every try): the run is partial (3)
    // and the last try's partial temp is kept...
    await writeWorld(s.worldFile, world(12, {}, { killAfter: 2 }));
    const cut = await host(["scrape", "--target", "demo", "--channel", GENERAL], s.env());
    assert.equal(cut.code, 3, cut.stderr);
    assert.match(cut.stderr, /Exporting channel 111111111111111111 .*\(attempt 3 of 3\)/);
    assert.match(cut.stderr, /Preserving partial export temp for salvage on next run: /);
    assert.equal(
      (await messageIds(s.archiveFile)).length,
      8,
      "the archive is not touched by a cut-off export",
    );
    // ...and salvage merges it (no token needed; the temp is fresh, so allow active temps).
    const salvage = await host(
      ["salvage", "--target", "demo"],
      s.env({
        DCE_SALVAGE_ACTIVE_TEMPS: "1",
        DISCORD_TOKEN: "",
        DCE_ENV_FILE: join(dir.path, "none.env"),
      }),
    );
    assert.equal(salvage.code, 0, salvage.stderr);
    assert.match(salvage.stderr, /salvage completed/);
    assert.match(salvage.stdout, /=== Host salvage run plan ===/);
    const ids10 = await messageIds(s.archiveFile);
    assert.equal(ids10.length, 10);
    assert.deepEqual(await listTree(join(s.repo.archive, "demo", ".dce-temp")), []);

    await writeWorld(s.worldFile, world(12));
    const last = await host(["scrape"], s.env());
    assert.equal(last.code, 0, last.stderr);
    assert.equal(new Set(await messageIds(s.archiveFile)).size, 12);
  });

  Deno.test(`e2e (${exporter}): a rejected token is refreshed by DCE_REAUTH_COMMAND and retried exactly once`, async () => {
    await using dir = await tempDir();
    const s = await setup(dir.path, exporter);
    await writeWorld(s.worldFile, world(3, { token: "fresh-token" }));
    const tokenFile = join(dir.path, "token");
    await Deno.writeTextFile(tokenFile, "stale-token\n");
    await Deno.writeTextFile(s.repo.envFile, `DISCORD_TOKEN_FILE=${tokenFile}\n`);
    const reauth = join(s.repo.root, "reauth.sh");
    await Deno.writeTextFile(reauth, `#!/bin/sh\necho fresh-token > '${tokenFile}'\n`);
    await Deno.chmod(reauth, 0o755);
    const run = await host(["scrape"], s.env({ DCE_REAUTH_COMMAND: reauth }));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr.match(/Detected Discord auth failure/g)?.length, 1);
    assert.equal((await messageIds(s.archiveFile)).length, 3);
    if (exporter === "compose") assert.equal(await s.repo.dockerCalls(), 2);

    // A token that stays wrong: exactly one retry, then failure, archive unchanged.
    await Deno.writeTextFile(reauth, "#!/bin/sh\ntrue\n");
    await Deno.writeTextFile(tokenFile, "still-wrong\n");
    const before = await Deno.readTextFile(s.archiveFile);
    const fail = await host(["scrape"], s.env({ DCE_REAUTH_COMMAND: reauth }));
    assert.equal(fail.code, 1);
    assert.match(fail.stderr, /failed for 'scrape' after one auth refresh retry/);
    assert.equal(fail.stderr.match(/Detected Discord auth failure/g)?.length, 1);
    assert.equal(await Deno.readTextFile(s.archiveFile), before);
  });

  Deno.test(`e2e (${exporter}): SIGTERM mid-export leaves the archive intact, the lock free, no token file`, async () => {
    await using dir = await tempDir();
    const s = await setup(dir.path, exporter);
    const first = await host(["scrape"], s.env());
    assert.equal(first.code, 0, first.stderr);
    const before = await Deno.readTextFile(s.archiveFile);
    await writeWorld(s.worldFile, world(400, {}, { delayMs: 50 }));
    const live = spawnHost(["scrape"], s.env());
    await live.waitFor(new RegExp(`Exporting channel ${GENERAL}`));
    // Wait until the export has written something, so there is a partial temp to keep.
    const tempRoot = join(s.repo.archive, "demo", ".dce-temp");
    await waitFor(
      async () => {
        const files = (await listTree(tempRoot)).filter((f) => f.endsWith("export.json"));
        return files.length > 0 &&
          (await Deno.stat(join(tempRoot, files[0] as string))).size > 2000;
      },
      "a partial export of more than 2000 bytes",
      30_000,
      50,
    );
    // The exporter process (compose client, or the DCE CLI for the direct exporter) is in the lock
    // record, so a SIGKILLed runner's lock is not reclaimable while it still runs.
    const meta = await Deno.readTextFile(join(s.repo.archive, ".dce-scrape.lock.meta"));
    assert.match(meta, new RegExp(`^pid=${live.child.pid}$`, "m"));
    assert.match(meta, /^child=\d+/m);
    live.child.kill("SIGTERM");
    const done = await live.done;
    assert.equal(done.code, 143, done.output);
    assert.equal(await Deno.readTextFile(s.archiveFile), before, "archive byte-identical");
    await assert.rejects(
      Deno.stat(join(s.repo.archive, ".dce-scrape.lock.meta")),
      Deno.errors.NotFound,
    );
    assert.deepEqual((await listTree(s.repo.tmp)).filter((f) => f.includes("dce-compose-env")), []);
    assert.ok(
      (await listTree(tempRoot)).some((f) => f.endsWith("export.json")),
      "partial temp kept for salvage",
    );
    // The lock is free and the partial export is salvageable.
    const salvage = await host(["salvage"], s.env({ DCE_SALVAGE_ACTIVE_TEMPS: "1" }));
    assert.equal(salvage.code, 0, salvage.stderr);
    assert.ok((await messageIds(s.archiveFile)).length > 5);
  });
}

Deno.test("e2e (cli): DCE_CLI_BIN may name a program on PATH, as the core runs it", async () => {
  await using dir = await tempDir();
  const s = await setup(dir.path, "cli");
  const run = await host(
    ["preflight"],
    s.env({ DCE_CLI_BIN: "dce-cli", PATH: `${FAKES}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}` }),
  );
  assert.equal(run.code, 0, run.stderr);
});
