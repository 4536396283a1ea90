// runHost through its injection points: a fake scrape core, a fake compose program (a shell script
// found by the injected probes), HostSignals driven by deliver(). Real lock, real token env file.
import assert from "node:assert/strict";
import { join } from "node:path";
import { UserError } from "../lib/cli/errors.ts";
import { readLockStatus } from "../lib/lock/read_lock_status.ts";
import { HostSignals } from "../lib/process/signals.ts";
import { runHost } from "../lib/host/host_run.ts";
import type { CoreRequest, HostRunOptions } from "../lib/host/host_run_options.ts";
import type { HostSubcommand } from "../lib/host/host_args.ts";

const AUTH_LINE = "Authentication token is invalid.";

/**
 * The fake compose client: reads its mode from FAKE_MODE, finds its --env-file, appends one line
 * per call to FAKE_CALLS. "auth" fails like a rejected token, "fail" like anything else, "wait"
 * prints "started" and sleeps until signalled, "jam" replaces the env file with a non-empty folder
 * (so removing it fails) and succeeds, "jam-partial" does the same and exits 3 (partial).
 */
const FAKE_COMPOSE = `#!/bin/sh
env_file=
while [ $# -gt 0 ]; do
  if [ "$1" = --env-file ]; then env_file=$2; fi
  shift
done
echo call >> "$FAKE_CALLS"
case "$FAKE_MODE" in
  ok) exit 0 ;;
  auth) echo "${AUTH_LINE}" >&2; exit 1 ;;
  fail) exit 4 ;;
  wait) echo started; exec sleep 60 ;;
  jam|jam-partial) rm -f "$env_file"; mkdir "$env_file"; touch "$env_file/x"
    [ "$FAKE_MODE" = jam ] && exit 0; exit 3 ;;
esac
exit 9
`;

interface Sandbox {
  dir: string;
  tmp: string;
  lockPath: string;
  calls(): Promise<number>;
  options(over: {
    sub?: HostSubcommand;
    exporter: "cli" | "compose";
    mode?: string;
    runCore?: (request: CoreRequest, signals: HostSignals) => Promise<number>;
    signals?: HostSignals;
    onStdout?: (text: string) => void;
  }): { opts: HostRunOptions; err: string[] };
}

async function sandbox(): Promise<Sandbox> {
  const dir = await Deno.makeTempDir({ prefix: "host-run-test-" });
  const archive = join(dir, "archive");
  const tmp = join(dir, "tmp");
  const repo = join(dir, "repo");
  for (const d of [archive, tmp, join(repo, "config")]) await Deno.mkdir(d, { recursive: true });
  const config = join(repo, "config", "scrape-targets.json");
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      archive_root: archive,
      targets: [{
        name: "demo",
        output_dir: join(archive, "demo"),
        channel_ids: ["111111111111111111"],
      }],
    }),
  );
  await Deno.writeTextFile(join(repo, "docker-compose.yml"), "services: {}\n");
  const compose = join(dir, "fake-compose");
  await Deno.writeTextFile(compose, FAKE_COMPOSE);
  await Deno.chmod(compose, 0o755);
  const callsFile = join(dir, "calls");
  return {
    dir,
    tmp,
    lockPath: join(archive, ".dce-scrape.lock"),
    async calls() {
      try {
        return (await Deno.readTextFile(callsFile)).split("\n").filter((l) => l).length;
      } catch {
        return 0;
      }
    },
    options(over) {
      const err: string[] = [];
      const signals = over.signals ?? new HostSignals();
      const decoder = new TextDecoder();
      const opts: HostRunOptions = {
        args: {
          help: false,
          subcommand: over.sub ?? "scrape",
          exporter: over.exporter,
          targets: [],
          guilds: [],
          channels: [],
        },
        exported: {
          PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
          DISCORD_TOKEN: "test-token",
          DCE_COMPOSE_BIN: "fake-compose",
          DCE_CLI_BIN: "/bin/true",
          DCE_SKIP_DISK_CHECK: "1",
          FAKE_MODE: over.mode ?? "ok",
          FAKE_CALLS: callsFile,
        },
        repoRoot: repo,
        cwd: repo,
        home: join(dir, "home"),
        tmpDir: tmp,
        interactive: false,
        output: { out: () => {}, err: (line) => err.push(line) },
        stdout: (chunk) => {
          over.onStdout?.(decoder.decode(chunk));
          return Promise.resolve();
        },
        stderr: () => Promise.resolve(),
        signals,
        runCore: async (request) => {
          await Deno.writeTextFile(callsFile, "call\n", { append: true });
          return over.runCore ? await over.runCore(request, signals) : 0;
        },
        composeProbes: {
          which: (name) => Promise.resolve(name === "fake-compose" ? compose : null),
          podmanWorks: () => Promise.resolve(false),
        },
        argv: [over.sub ?? "scrape"],
      };
      return { opts, err };
    },
  };
}

async function tmpFiles(box: Sandbox): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(box.tmp))).map((e) => e.name);
}

function assertLockFree(box: Sandbox): void {
  assert.equal(readLockStatus(box.lockPath).state, "free", "the lock is released");
}

async function withSandbox(fn: (box: Sandbox) => Promise<void>): Promise<void> {
  const box = await sandbox();
  try {
    await fn(box);
  } finally {
    await Deno.remove(box.dir, { recursive: true });
  }
}

for (const exporter of ["cli", "compose"] as const) {
  const fail = (mode: string) => ({
    exporter,
    mode,
    runCore: (request: CoreRequest) => {
      if (mode === "auth") request.log(AUTH_LINE);
      return Promise.resolve(mode === "ok" ? 0 : 4); // 3 would be partial
    },
  });

  Deno.test(`${exporter}: an auth failure is retried exactly once`, () =>
    withSandbox(async (box) => {
      const { opts, err } = box.options(fail("auth"));
      await assert.rejects(
        () => runHost(opts),
        (e: unknown) => e instanceof UserError && /after one auth refresh retry/.test(e.message),
      );
      assert.equal(await box.calls(), 2, "one attempt and exactly one retry");
      assert.ok(err.some((l) => l.startsWith("Detected Discord auth failure")));
      assert.deepEqual(await tmpFiles(box), [], "no token env file left");
      assertLockFree(box);
    }));

  Deno.test(`${exporter}: a non-auth failure is not retried`, () =>
    withSandbox(async (box) => {
      const { opts } = box.options(fail("fail"));
      await assert.rejects(() => runHost(opts), /with a non-auth error \(exit 4\)/);
      assert.equal(await box.calls(), 1);
      assert.deepEqual(await tmpFiles(box), []);
      assertLockFree(box);
    }));

  Deno.test(`${exporter}: success runs once and leaves nothing behind`, () =>
    withSandbox(async (box) => {
      const { opts } = box.options(fail("ok"));
      assert.equal(await runHost(opts), 0);
      assert.equal(await box.calls(), 1);
      assert.deepEqual(await tmpFiles(box), []);
      assertLockFree(box);
    }));

  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    Deno.test(`${exporter}: ${signal} during the export → exit ${code}, no retry, cleaned up`, () =>
      withSandbox(async (box) => {
        const signals = new HostSignals();
        const { opts } = box.options({
          exporter,
          mode: "wait",
          signals,
          // The CLI core fails because of the signal, with an auth-looking line: still no retry.
          runCore: (request, s) => {
            request.log(AUTH_LINE);
            s.deliver(signal);
            return Promise.resolve(1);
          },
          onStdout: (text) => {
            if (text.includes("started")) signals.deliver(signal);
          },
        });
        assert.equal(await runHost(opts), code);
        assert.equal(await box.calls(), 1);
        assert.deepEqual(await tmpFiles(box), [], "the token env file is removed");
        assertLockFree(box);
      }));
  }

  Deno.test(`${exporter}: a signal before the run starts → 128+n without any attempt`, () =>
    withSandbox(async (box) => {
      const signals = new HostSignals();
      signals.deliver("SIGTERM");
      const { opts } = box.options({ exporter, signals });
      assert.equal(await runHost(opts), 143);
      assert.equal(await box.calls(), 0);
      assertLockFree(box);
    }));
}

Deno.test("compose: the token env file is removed when the compose program vanished", () =>
  withSandbox(async (box) => {
    const { opts } = box.options({ exporter: "compose" });
    await Deno.remove(join(box.dir, "fake-compose"));
    await assert.rejects(() => runHost(opts), UserError);
    assert.deepEqual(await tmpFiles(box), []);
    assertLockFree(box);
  }));

for (const [mode, expected] of [["jam", 1], ["jam-partial", 3]] as const) {
  Deno.test(`compose: a token env file that cannot be removed is one ERROR line; the lock is released; ${mode} exits ${expected}`, () =>
    withSandbox(async (box) => {
      const { opts, err } = box.options({ exporter: "compose", mode });
      assert.equal(
        await runHost(opts),
        expected,
        "a partial run stays partial; a clean 0 becomes 1",
      );
      const lines = err.filter((l) => /token env file/.test(l));
      assert.equal(lines.length, 1, err.join("\n"));
      assert.match(lines[0]!, /^ERROR: Cannot remove the token env file .*delete it by hand\.$/);
      assertLockFree(box);
    }));
}

Deno.test("cli: a core that throws after a signal reports the signal, not the crash", () =>
  withSandbox(async (box) => {
    const { opts } = box.options({
      exporter: "cli",
      runCore: (_request, signals) => {
        signals.deliver("SIGHUP");
        return Promise.reject(new Error("the exporter pipe broke"));
      },
    });
    assert.equal(await runHost(opts), 129);
    assertLockFree(box);
  }));

/**
 * The lock's folder vanishes while the core runs, so releasing fails: the run's own result stands
 * (partial 3, a failure, 128+n) and one line says so; a clean run becomes exit 1, never a silent 0.
 */
const releaseCases: Array<[string, number | "signal", number | RegExp]> = [
  ["partial (3) stays 3", 3, 3],
  ["success becomes 1", 0, 1],
  ["a failure keeps its own error", 4, /with a non-auth error \(exit 4\)/],
  ["a signal keeps 128+n", "signal", 143],
];
for (const [name, core, expected] of releaseCases) {
  Deno.test(`cli: release fails after the run: ${name}`, () =>
    withSandbox(async (box) => {
      const { opts, err } = box.options({
        exporter: "cli",
        runCore: async (_request, signals) => {
          await Deno.remove(join(box.dir, "archive"), { recursive: true });
          if (core === "signal") signals.deliver("SIGTERM");
          return core === "signal" ? 143 : core;
        },
      });
      if (typeof expected === "number") assert.equal(await runHost(opts), expected);
      else await assert.rejects(() => runHost(opts), expected);
      const lines = err.filter((l) => /release/.test(l));
      assert.equal(lines.length, 1, err.join("\n"));
      assert.match(
        lines[0] ?? "",
        /^ERROR: could not release the scrape lock .*; the next run reclaims it\.$/,
      );
    }));
}
