// run-scrape-host through the compose exporter with the fake docker: every §12.4 scenario, plus the fixes.
import assert from "node:assert/strict";
import { join } from "node:path";
import { childEnv, FAKES, tempDir, toolArgs } from "./_harness.ts";
import { host, makeRepo, spawnHost } from "./host_fixture.ts";

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
    / run --rm discord-scraper scrape --config \/config\/scrape-targets\.json --target demo$/,
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

Deno.test("compose: DCE_COMPOSE_TTY=0 adds -T", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const run = await host(["preflight"], repo.env({ DCE_COMPOSE_TTY: "0" }));
  assert.equal(run.code, 0, run.stderr);
  assert.ok((await repo.dockerLog())[0]?.argv.includes("-T"));
});

Deno.test("compose: auth failure refreshes the token file and retries exactly once", async () => {
  await using dir = await tempDir();
  const tokenFile = join(dir.path, "token");
  await Deno.writeTextFile(tokenFile, "stale-token\n");
  const repo = await makeRepo(dir.path, { envFile: `DISCORD_TOKEN_FILE=${tokenFile}\n` });
  const run = await host(
    ["scrape"],
    repo.env({ FAKE_DOCKER_MODE: "auth-refresh", FAKE_DOCKER_TOKEN_FILE: tokenFile }),
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await repo.dockerCalls(), 2);
  assert.match(
    run.stderr,
    /Detected Discord auth failure\. Refreshing token and retrying once\.\.\./,
  );
  const copies = await repo.envCopies();
  assert.match(copies[0] ?? "", /^DISCORD_TOKEN=stale-token$/m);
  assert.match(copies[1] ?? "", /^DISCORD_TOKEN=fresh-token$/m);
});

Deno.test("compose: persistent forbidden fails after exactly two calls", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const run = await host(["scrape"], repo.env({ FAKE_DOCKER_MODE: "forbidden" }));
  assert.equal(run.code, 1);
  assert.equal(await repo.dockerCalls(), 2);
  assert.match(
    run.stderr,
    /^ERROR: Container run failed for 'scrape' after one auth refresh retry \(exit 1\)\.$/m,
  );
});

Deno.test("compose: a non-auth failure keeps the container's exit code visible and is not retried (§14.33)", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const run = await host(["scrape"], repo.env({ FAKE_DOCKER_MODE: "exit:7" }));
  assert.equal(run.code, 1);
  assert.equal(await repo.dockerCalls(), 1);
  assert.match(
    run.stderr,
    /^ERROR: Container run failed for 'scrape' with a non-auth error \(exit 7\)\.$/m,
  );
});

Deno.test("compose: 401/403 digits in the output do not trigger a retry (§14.20)", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const run = await host(["scrape"], repo.env({ FAKE_DOCKER_MODE: "noise-401" }));
  assert.equal(run.code, 1);
  assert.equal(await repo.dockerCalls(), 1);
  assert.doesNotMatch(run.stderr, /Detected Discord auth failure/);
});

Deno.test("compose: no env file and an exported token → one call, success", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path, { envFile: null });
  const run = await host(["scrape"], repo.env({ DISCORD_TOKEN: "exported-token" }));
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await repo.dockerCalls(), 1);
  assert.match((await repo.envCopies())[0] ?? "", /^DISCORD_TOKEN=exported-token$/m);
});

Deno.test("compose: an exported token beats the env file's (documented precedence, §14.21)", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path, { envFile: "DISCORD_TOKEN=file-token\n" });
  const run = await host(["preflight"], repo.env({ DISCORD_TOKEN: "exported-token" }));
  assert.equal(run.code, 0, run.stderr);
  assert.match((await repo.envCopies())[0] ?? "", /^DISCORD_TOKEN=exported-token$/m);
});

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

Deno.test("compose: a summary file outside logs/ is not sent into the container but still written (§14.29)", async () => {
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

Deno.test("compose: DCE_REAUTH_COMMAND runs before the retry and its new token is used (§14.22)", async () => {
  await using dir = await tempDir();
  const tokenFile = join(dir.path, "token");
  await Deno.writeTextFile(tokenFile, "stale-token\n");
  const repo = await makeRepo(dir.path, { envFile: `DISCORD_TOKEN_FILE=${tokenFile}\n` });
  const reauth = join(repo.root, "reauth.sh");
  await Deno.writeTextFile(
    reauth,
    `#!/bin/sh\necho fresh-token > '${tokenFile}'\necho reauth-ran\n`,
  );
  await Deno.chmod(reauth, 0o755);
  const run = await host(
    ["scrape"],
    repo.env({ FAKE_DOCKER_MODE: "auth-refresh", DCE_REAUTH_COMMAND: reauth }),
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await repo.dockerCalls(), 2);
  assert.match(run.stderr, /Auth failed; running DCE_REAUTH_COMMAND\.\.\.\nreauth-ran/);
});

Deno.test("compose: a misconfigured DCE_REAUTH_COMMAND fails before any export (§14.22)", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const outside = join(dir.path, "outside.sh");
  await Deno.writeTextFile(outside, "#!/bin/sh\n");
  await Deno.chmod(outside, 0o755);
  for (
    const [value, message] of [
      ["relative.sh", /must be an absolute path/],
      [join(repo.root, "missing.sh"), /does not exist/],
      [outside, /inside the repository root/],
    ] as const
  ) {
    const run = await host(["scrape"], repo.env({ DCE_REAUTH_COMMAND: value }));
    assert.equal(run.code, 1);
    assert.match(run.stderr, message);
  }
  assert.equal(await repo.dockerCalls(), 0);
});

Deno.test("compose: no env file, no exported token → <repo>/.discord-token is used", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path, { envFile: null });
  await Deno.writeTextFile(join(repo.root, ".discord-token"), "repo-file-token\r\n");
  const run = await host(["scrape"], repo.env());
  assert.equal(run.code, 0, run.stderr);
  assert.match((await repo.envCopies())[0] ?? "", /^DISCORD_TOKEN=repo-file-token$/m);
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
