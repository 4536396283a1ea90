// run-scrape-host through the compose exporter with the fake docker: every scenario of the bash smoke (docs/bash-suite.md#smokes-carried-over), plus the fixes.
import assert from "node:assert/strict";
import { join } from "node:path";
import { childEnv, FAKES, tempDir, toolArgs } from "./_harness.ts";
import { host, type HostRepo, makeRepo, type RepoOptions, spawnHost } from "./host_fixture.ts";
import { assertRun, type ProcessSpec } from "./process_spec.ts";

Deno.test("compose: env-file payload stays inert, default args, token only in a 0600 env file that is removed", async () => {
  await using dir = await tempDir();
  const marker = join(dir.path, "pwned");
  const repo = await makeRepo(dir.path, {
    envFile: `DISCORD_TOKEN=dummy-token\nDCE_UID="$(touch ${marker})"\n`,
  });
  const run = await host(["scrape", "--target", "demo"], repo.env({ DCE_SKIP_SCRAPE_LOCK: "1" }));
  assert.equal(run.code, 0, run.stderr);
  await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
  const [call] = await repo.dockerLog();
  assert.ok(call);
  const argv = call.argv.join(" ");
  assert.match(
    argv,
    // The skip is handed to the core in the container, which would otherwise take the lock itself.
    / run --rm -e DCE_SKIP_SCRAPE_LOCK=1 discord-scraper scrape --config \/config\/scrape-targets\.json --target demo$/,
  );
  assert.ok(!call.argv.includes("-T"));
  assert.equal(call.envMode, 0o600);
  assert.equal(
    call.tokenInOwnEnv,
    false,
    "the compose client must not get DISCORD_TOKEN in its env",
  );
  assert.ok(!argv.includes("dummy-token"));
  assert.ok(call.envFile.startsWith(repo.tmp + "/"));
  await assert.rejects(Deno.stat(call.envFile), Deno.errors.NotFound);
  const [copy] = await repo.envCopies();
  assert.match(copy ?? "", /^DISCORD_TOKEN=dummy-token\n/);
  assert.match(copy ?? "", new RegExp(`^DCE_UID=\\$\\(touch ${marker}\\)$`, "m"));
  assert.match(run.stdout, /=== Host scrape run plan ===/);
  assert.match(run.stdout, /run succeeded/);
});

/** One run of the host runner through the fake docker, as a table row. */
interface ComposeCase extends ProcessSpec {
  name: string;
  args: string[];
  /** The throw-away repo; `dir` is the case's temp folder. */
  repo?: (dir: string) => RepoOptions;
  /** Files the case needs; returns extra environment for the run. */
  prepare?: (repo: HostRepo, dir: string) => Promise<Record<string, string>>;
  env?: Record<string, string>;
  /** How many times the compose client was called (1 = no retry, 0 = refused before any export). */
  calls: number;
  /** DISCORD_TOKEN in the env file of each call, in order. */
  tokens?: string[];
  /** Matched against the first call's argv, joined by blanks. */
  argv?: RegExp;
}

/** A token file holding "stale-token", named by the env file (the fake refreshes it on an auth failure). */
const staleTokenFile = (dir: string): RepoOptions => ({
  envFile: `DISCORD_TOKEN_FILE=${join(dir, "token")}\n`,
});
async function writeStaleToken(dir: string): Promise<string> {
  await Deno.writeTextFile(join(dir, "token"), "stale-token\n");
  return join(dir, "token");
}
async function executable(path: string, text: string): Promise<string> {
  await Deno.writeTextFile(path, text);
  await Deno.chmod(path, 0o755);
  return path;
}

const cases: ComposeCase[] = [
  {
    name: "DCE_COMPOSE_TTY=0 adds -T",
    args: ["preflight"],
    env: { DCE_COMPOSE_TTY: "0" },
    code: 0,
    calls: 1,
    argv: / run -T --rm discord-scraper preflight /,
  },
  {
    name: "auth failure refreshes the token file and retries exactly once",
    args: ["scrape"],
    repo: staleTokenFile,
    prepare: async (_repo, dir) => ({
      FAKE_DOCKER_MODE: "auth-refresh",
      FAKE_DOCKER_TOKEN_FILE: await writeStaleToken(dir),
    }),
    code: 0,
    calls: 2,
    tokens: ["stale-token", "fresh-token"],
    stderr:
      "[WILDCARD]Detected Discord auth failure. Refreshing token and retrying once...\n[WILDCARD]",
  },
  {
    name:
      "DCE_REAUTH_COMMAND runs before the retry and its new token is used (docs/bash-suite.md#h22-reauth-only-with-a-tty)",
    args: ["scrape"],
    repo: staleTokenFile,
    prepare: async (repo, dir) => {
      const token = await writeStaleToken(dir);
      const reauth = await executable(
        join(repo.root, "reauth.sh"),
        `#!/bin/sh\necho fresh-token > '${token}'\necho reauth-ran\n`,
      );
      return { FAKE_DOCKER_MODE: "auth-refresh", DCE_REAUTH_COMMAND: reauth };
    },
    code: 0,
    calls: 2,
    tokens: ["stale-token", "fresh-token"],
    stderr: "[WILDCARD]Auth failed; running DCE_REAUTH_COMMAND...\nreauth-ran\n[WILDCARD]",
  },
  {
    name: "persistent forbidden fails after exactly two calls",
    args: ["scrape"],
    env: { FAKE_DOCKER_MODE: "forbidden" },
    code: 1,
    calls: 2,
    stderr:
      "[WILDCARD]\nERROR: Container run failed for 'scrape' after one auth refresh retry (exit 1).\n[WILDCARD]",
  },
  {
    name:
      "a non-auth failure keeps the container's exit code visible and is not retried (docs/bash-suite.md#h33-exporter-exit-code-lost)",
    args: ["scrape"],
    env: { FAKE_DOCKER_MODE: "exit:7" },
    code: 1,
    calls: 1,
    stderr:
      "[WILDCARD]\nERROR: Container run failed for 'scrape' with a non-auth error (exit 7).\n[WILDCARD]",
  },
  {
    name:
      "401/403 digits in the output do not trigger a retry (docs/bash-suite.md#h20-401-and-403-digits)",
    args: ["scrape"],
    env: { FAKE_DOCKER_MODE: "noise-401" },
    code: 1,
    calls: 1,
    stderr: "[WILDCARD]\nERROR: Container run failed for 'scrape' with a non-auth error[WILDCARD]",
  },
  {
    name: "no env file and an exported token → one call, success",
    args: ["scrape"],
    repo: () => ({ envFile: null }),
    env: { DISCORD_TOKEN: "exported-token" },
    code: 0,
    calls: 1,
    tokens: ["exported-token"],
  },
  {
    name:
      "an exported token beats the env file's (documented precedence, docs/bash-suite.md#h21-settings-precedence)",
    args: ["preflight"],
    repo: () => ({ envFile: "DISCORD_TOKEN=file-token\n" }),
    env: { DISCORD_TOKEN: "exported-token" },
    code: 0,
    calls: 1,
    tokens: ["exported-token"],
  },
  {
    name: "no env file, no exported token → <repo>/.discord-token is used",
    args: ["scrape"],
    repo: () => ({ envFile: null }),
    prepare: async (repo) => {
      await Deno.writeTextFile(join(repo.root, ".discord-token"), "repo-file-token\r\n");
      return {};
    },
    code: 0,
    calls: 1,
    tokens: ["repo-file-token"],
  },
  ...([
    ["relative", () => "relative.sh", "must be an absolute path"],
    ["missing", (repo: HostRepo) => join(repo.root, "missing.sh"), "does not exist"],
    [
      "outside the repo",
      (_repo: HostRepo, dir: string) => executable(join(dir, "outside.sh"), "#!/bin/sh\n"),
      "inside the repository root",
    ],
  ] as const).map(([what, path, why]): ComposeCase => ({
    name:
      `a DCE_REAUTH_COMMAND ${what} fails before any export (docs/bash-suite.md#h22-reauth-only-with-a-tty)`,
    args: ["scrape"],
    prepare: async (repo, dir) => ({ DCE_REAUTH_COMMAND: await path(repo, dir) }),
    code: 1,
    calls: 0,
    stderr: `[WILDCARD]ERROR: [WILDLINE]${why}[WILDLINE]\n[WILDCARD]`,
  })),
];

for (const c of cases) {
  Deno.test(`compose: ${c.name}`, async () => {
    await using dir = await tempDir();
    const repo = await makeRepo(dir.path, c.repo?.(dir.path));
    const extra = await c.prepare?.(repo, dir.path) ?? {};
    const run = await host(c.args, repo.env({ ...c.env, ...extra }));
    assertRun(run, c);
    assert.equal(await repo.dockerCalls(), c.calls, "compose client calls");
    if (c.tokens !== undefined) {
      const tokens = (await repo.envCopies()).map((copy) =>
        /^DISCORD_TOKEN=(.*)$/m.exec(copy)?.[1]
      );
      assert.deepEqual(tokens, c.tokens, "DISCORD_TOKEN in each call's env file");
    }
    if (c.argv !== undefined) {
      assert.match((await repo.dockerLog())[0]?.argv.join(" ") ?? "", c.argv);
    }
  });
}

Deno.test("compose: output is streamed live, before the container exits", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const release = join(dir.path, "release");
  const live = spawnHost(
    ["scrape"],
    repo.env({ FAKE_DOCKER_MODE: "stream", FAKE_DOCKER_RELEASE: release }),
  );
  await live.waitFor(/streaming-line1/);
  // The fake cannot exit before the release file exists, so line 1 arrived while it still ran.
  assert.doesNotMatch(live.text(), /streaming-line2/);
  await Deno.writeTextFile(release, "go");
  const done = await live.done;
  assert.equal(done.code, 0, done.output);
  assert.match(done.output, /streaming-line1\nstreaming-line2/);
});

Deno.test("compose: container memory from the env file, a single target, and env file over target", async (t) => {
  const cases: [string, string | null, string[], string][] = [
    ["env file 8g", "DCE_CONTAINER_MEMORY=8g", [], "8g"],
    ["single target 4g", null, ["--target", "demo"], "4g"],
    ["env file 2g wins over the target", "DCE_CONTAINER_MEMORY=2g", ["--target", "demo"], "2g"],
    ["two targets: none", null, ["--target", "demo", "--target", "other"], "0"],
  ];
  for (const [name, line, args, expected] of cases) {
    await t.step(name, async () => {
      await using dir = await tempDir();
      const archive = join(dir.path, "archive");
      const repo = await makeRepo(dir.path, {
        envFile: `DISCORD_TOKEN=dummy-token\n${line ?? ""}\n`,
        targets: [
          {
            name: "demo",
            output_dir: join(archive, "demo"),
            channel_ids: ["1"],
            container_memory: "4g",
          },
          { name: "other", output_dir: join(archive, "other"), channel_ids: ["2"] },
        ],
      });
      const run = await host(["scrape", ...args], repo.env());
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        (await repo.envCopies())[0] ?? "",
        new RegExp(`^DCE_CONTAINER_MEMORY=${expected}$`, "m"),
      );
    });
  }
});

Deno.test("compose: summary settings reach the container and the summary is recovered from the output", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const summary = join(repo.root, "logs", "host-smoke-summary.json");
  const run = await host(
    ["scrape"],
    repo.env({
      FAKE_DOCKER_MODE: "summary",
      DCE_RUN_SUMMARY_JSON: "1",
      DCE_RUN_SUMMARY_FILE: summary,
    }),
  );
  assert.equal(run.code, 0, run.stderr);
  const copy = (await repo.envCopies())[0] ?? "";
  assert.match(copy, /^DCE_RUN_SUMMARY_JSON=1$/m);
  assert.match(copy, /^DCE_RUN_SUMMARY_FILE=\/logs\/host-smoke-summary\.json$/m);
  assert.match(run.stderr, new RegExp(`JSON summary recovered from run log: ${summary}`));
  const doc = JSON.parse(await Deno.readTextFile(summary));
  assert.equal(doc.totals.merged, 42);
  assert.equal(doc.totals.messages_appended, 7);

  // An earlier run's summary is replaced by this run's (the file is as it was before the run, so
  // the export did not write it); preflight has none and says nothing.
  await Deno.writeTextFile(summary, '{"written":"by an earlier run"}');
  const again = await host(
    ["scrape"],
    repo.env({ FAKE_DOCKER_MODE: "summary", DCE_RUN_SUMMARY_FILE: summary }),
  );
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /JSON summary recovered/);
  assert.equal(JSON.parse(await Deno.readTextFile(summary)).totals.merged, 42);
  const preflight = await host(
    ["preflight"],
    repo.env({ DCE_RUN_SUMMARY_FILE: join(repo.root, "logs", "p.json") }),
  );
  assert.equal(preflight.code, 0, preflight.stderr);
  assert.doesNotMatch(preflight.stderr, /DCE_JSON_SUMMARY|recovered/);
});

Deno.test("compose: a summary file outside logs/ is not sent into the container but still written (docs/bash-suite.md#h29-summary-path-mapping)", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const summary = join(dir.path, "elsewhere", "s.json");
  const run = await host(
    ["scrape"],
    repo.env({ FAKE_DOCKER_MODE: "summary", DCE_RUN_SUMMARY_FILE: summary }),
  );
  assert.equal(run.code, 0, run.stderr);
  const copy = (await repo.envCopies())[0] ?? "";
  assert.match(copy, /^DCE_RUN_SUMMARY_JSON=1$/m);
  assert.doesNotMatch(copy, /DCE_RUN_SUMMARY_FILE/);
  assert.equal(JSON.parse(await Deno.readTextFile(summary)).totals.merged, 42);
});

Deno.test("compose: under podman the env file carries DCE_USERNS_MODE=keep-id unless one is set", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const podman = join(dir.path, "bin", "podman");
  await Deno.mkdir(join(dir.path, "bin"));
  await Deno.writeTextFile(podman, `#!/bin/sh\nexec '${join(FAKES, "docker")}' "$@"\n`);
  await Deno.chmod(podman, 0o755);
  const run = await host(["scrape"], repo.env({ DCE_COMPOSE_BIN: `${podman} compose` }));
  assert.equal(run.code, 0, run.stderr);
  assert.match((await repo.envCopies())[0] ?? "", /^DCE_USERNS_MODE=keep-id$/m);
  const own = await host(
    ["scrape"],
    repo.env({ DCE_COMPOSE_BIN: `${podman} compose`, DCE_USERNS_MODE: "host", DCE_UID: "1234" }),
  );
  assert.equal(own.code, 0, own.stderr);
  const copy = (await repo.envCopies())[1] ?? "";
  assert.match(copy, /^DCE_USERNS_MODE=host$/m);
  assert.match(copy, /^DCE_UID=1234$/m);
});

Deno.test("compose: with stdout and stderr closed (| head, a gone terminal) the run completes, recovers its summary and releases the lock", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const summary = join(repo.root, "logs", "closed.json");
  const child = new Deno.Command(Deno.execPath(), {
    args: toolArgs("run-scrape-host", ["scrape"]),
    env: childEnv(repo.env({ FAKE_DOCKER_MODE: "summary", DCE_RUN_SUMMARY_FILE: summary })),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // The readers are gone before the first line is written.
  await Promise.all([child.stdout.cancel(), child.stderr.cancel()]);
  assert.equal((await child.status).code, 0);
  assert.equal(JSON.parse(await Deno.readTextFile(summary)).totals.merged, 42);
  await assert.rejects(
    Deno.stat(join(repo.archive, ".dce-scrape.lock.meta")),
    Deno.errors.NotFound,
  );
});
