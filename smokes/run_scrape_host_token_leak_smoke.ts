// The token never leaks: not in any output, argv, child environment, log, lock record or leftover file.
// Only the 0600 compose env file may hold it, and only while the export runs.
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./_harness.ts";
import { CHANNEL, FAKE_DCE_CLI, host, listTree, makeRepo, spawnHost } from "./host_fixture.ts";

const TOKEN = "LEAKCANARY.Mz9xQ7-distinctive_token.value42";

/** Every regular file under the folders whose content contains the token. */
async function filesWithToken(dirs: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const d of dirs) {
    for (const rel of await listTree(d)) {
      const p = join(d, rel);
      if (!(await Deno.lstat(p)).isFile) continue;
      if (new TextDecoder().decode(await Deno.readFile(p)).includes(TOKEN)) hits.push(p);
    }
  }
  return hits;
}

Deno.test("token leak: outputs, argv, child env, logs, lock record and TMPDIR stay clean", async () => {
  await using dir = await tempDir();
  const tokenFile = join(dir.path, "secrets", "token");
  await Deno.mkdir(join(dir.path, "secrets"));
  // The operator's own secret files live outside the scanned folders.
  const envFile = join(dir.path, "secrets", "scrape.env");
  await Deno.writeTextFile(envFile, `DISCORD_TOKEN=${TOKEN}\n`);
  const repo = await makeRepo(dir.path, { envFile: null });
  const scanned = [repo.root, repo.archive, repo.tmp, join(dir.path, "home")];
  // The fake docker must not copy the env file for this smoke: that copy is the test's, not ours.
  const env = (extra: Record<string, string> = {}) =>
    repo.env({
      DCE_ENV_FILE: envFile,
      FAKE_DOCKER_ENV_COPY: "",
      DCE_RUN_SUMMARY_FILE: join(repo.root, "logs", "s.json"),
      ...extra,
    });
  const outputs: string[] = [];

  // While the export runs: only the env file holds the token; not the argv/env of the compose client.
  const pidFile = join(dir.path, "fake.pid");
  const live = spawnHost(
    ["scrape"],
    env({ FAKE_DOCKER_MODE: "hang", FAKE_DOCKER_PID_FILE: pidFile }),
  );
  await live.waitFor(/container started/);
  const hits = await filesWithToken(scanned);
  assert.equal(hits.length, 1, `token found in: ${hits.join(", ")}`);
  assert.match(hits[0] ?? "", /\/tmp\/dce-compose-env\.\d+\.[0-9a-f]{8}$/);
  assert.equal((await Deno.stat(hits[0] as string)).mode! & 0o777, 0o600);
  const fakePid = Number((await Deno.readTextFile(pidFile)).trim());
  for (const pid of [fakePid, live.child.pid]) {
    assert.ok(!(await Deno.readTextFile(`/proc/${pid}/cmdline`)).includes(TOKEN), `argv of ${pid}`);
  }
  assert.ok(
    !(await Deno.readTextFile(`/proc/${fakePid}/environ`)).includes(TOKEN),
    "compose client env",
  );
  live.child.kill("SIGTERM");
  const stopped = await live.done;
  assert.equal(stopped.code, 143);
  outputs.push(stopped.output);

  // Every other path: success, summary, auth retry through a token file, failures, bad input.
  await Deno.writeTextFile(tokenFile, `stale-${TOKEN}\n`);
  for (
    const [args, extra] of [
      [["scrape"], { FAKE_DOCKER_MODE: "summary" }],
      [["preflight"], { FAKE_DOCKER_MODE: "ok" }],
      [["scrape"], {
        FAKE_DOCKER_MODE: "auth-refresh",
        DISCORD_TOKEN_FILE: tokenFile,
        FAKE_DOCKER_TOKEN_FILE: tokenFile,
        FAKE_DOCKER_GOOD_TOKEN: TOKEN,
      }],
      [["scrape"], { FAKE_DOCKER_MODE: "forbidden" }],
      [["scrape"], { FAKE_DOCKER_MODE: "exit:3" }],
      [["scrape", "--bogus"], {}],
      [["scrape"], { DCE_MIN_FREE_MB: "999999999" }],
    ] as [string[], Record<string, string>][]
  ) {
    const run = await host(args, env(extra));
    outputs.push(run.stdout, run.stderr);
  }
  // The direct exporter: our core in-process, the fake DCE CLI logging its argv into a scanned folder.
  const world = join(dir.path, "secrets", "world.json");
  await Deno.writeTextFile(
    world,
    JSON.stringify({
      token: TOKEN,
      guilds: [{ id: "222222222222222222", name: "G" }],
      channels: [{ id: CHANNEL, guildId: "222222222222222222", name: "c", count: 3 }],
    }),
  );
  for (const sub of ["preflight", "scrape"]) {
    const direct = await host(
      [sub],
      env({
        DCE_EXPORTER: "cli",
        DCE_CLI_BIN: FAKE_DCE_CLI,
        FAKE_DCE_WORLD: world,
        FAKE_DCE_LOG: join(repo.root, "logs", "fake-dce.jsonl"),
      }),
    );
    assert.equal(direct.code, 0, direct.stderr);
    outputs.push(direct.stdout, direct.stderr);
  }
  assert.ok((await Deno.readTextFile(join(repo.root, "logs", "fake-dce.jsonl"))).includes('"env"'));
  for (const text of outputs) assert.ok(!text.includes(TOKEN), `token printed:\n${text}`);
  // The fake's invocation log (argv of every compose run) and the lock record are under the scanned dirs.
  assert.deepEqual(await filesWithToken([...scanned, join(dir.path, "docker-log.jsonl")]), []);
  assert.ok((await repo.dockerCalls()) >= 6);
});
