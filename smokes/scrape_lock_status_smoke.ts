// scrape-lock-status in every state, and the bad-input cases: one clear line, documented exit code.
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, runTool, tempDir } from "./_harness.ts";
import { FLOCK_UNSUPPORTED_HOOK } from "../lib/lock/flock.ts";
import {
  collect,
  deadPid,
  exists,
  Procs,
  readLine,
  seedRecord,
  writeConfig,
} from "./lock/fixtures.ts";
import { assertRun } from "./process_spec.ts";

interface Case {
  name: string;
  /** Prepares `dir` (the archive root); returns extra args/env and a check to run afterwards. */
  setup: (dir: string, procs: Procs) => Promise<Partial<Prep>> | Partial<Prep>;
  code: number;
  stdout?: RegExp[];
  stderr?: RegExp[];
}

interface Prep {
  args: string[];
  env: Record<string, string>;
  after: () => void;
}

/** The shipped example config with every `/srv/` path moved under `dir` (which stays empty there). */
function exampleConfigUnder(dir: string): string {
  const example = Deno.readTextFileSync(join(ROOT, "config", "scrape-targets.example.json"));
  assert.match(example, /"archive_root": "\/srv\/discord-archive"/, "the example's archive root");
  const path = join(dir, "scrape-targets.example.json");
  Deno.writeTextFileSync(path, example.replaceAll('"/srv/', `"${dir}/srv/`));
  return path;
}

async function holdLock(procs: Procs, lock: string, dir: string) {
  const holder = procs.contender(["hold", lock, join(dir, "release")]);
  const line = await readLine(holder);
  assert.match(line, /^acquired /);
  return holder;
}

const cases: Case[] = [
  {
    // The example config as shipped, its /srv/discord-archive moved under the temp folder: the
    // machine's real archive (and a scrape holding its lock) must not decide this case.
    name: "README's first command: example config, archive root absent → free, exit 0",
    setup: (dir) => ({ args: ["--config", exampleConfigUnder(dir)] }),
    code: 0,
    stdout: [
      /^Scrape lock status\n==================\nconfig: .*scrape-targets\.example\.json\nlock: \/.*\/srv\/discord-archive\/\.dce-scrape\.lock\n/,
      /^state: free \(no lock file\)$/m,
      /^note: lock folder \/.*\/srv\/discord-archive does not exist yet/m,
    ],
  },
  { name: "no lock file", setup: () => ({}), code: 0, stdout: [/^state: free \(no lock file\)$/m] },
  {
    name: "lock file present, not held",
    setup: (dir) => Deno.writeTextFileSync(join(dir, ".dce-scrape.lock"), "") ?? {},
    code: 0,
    stdout: [
      /^state: free \(lock file present but not held\)$/m,
      /^decided by: no flock and no holder record$/m,
    ],
  },
  {
    name: "held by a live holder (flock), holder lines with host and checkout",
    setup: async (dir, procs) => {
      await holdLock(procs, join(dir, ".dce-scrape.lock"), dir);
      return {};
    },
    code: 1,
    stdout: [
      /^state: held \(active scrape\)$/m,
      /^holder: pid \d+ \(running, started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)$/m,
      /^cmd: contender hold$/m,
      /^host: \S+$/m,
      /^checkout: \/smoke$/m,
      /^decided by: flock held \(proc-locks\)$/m,
    ],
  },
  {
    name: "stale: record of a dead pid, no flock",
    setup: async (dir) => {
      const pid = await deadPid();
      seedRecord(join(dir, ".dce-scrape.lock"), pid);
      return {};
    },
    code: 0,
    stdout: [
      /^state: stale \(reclaimable; holder pid \d+ is not running\)$/m,
      /^holder: pid \d+ \(not running, started 2026-01-01T00:00:00Z\)$/m,
      /^cmd: seeded holder$/m,
    ],
  },
  {
    name: "stale + --reclaim-stale clears it in place",
    setup: async (dir) => {
      const lock = join(dir, ".dce-scrape.lock");
      seedRecord(lock, await deadPid());
      const ino = Deno.lstatSync(lock).ino;
      return {
        args: ["--reclaim-stale"],
        after: () => {
          assert.equal(
            Deno.lstatSync(lock).ino,
            ino,
            "lock file kept (same inode), never unlinked",
          );
          assert.equal(Deno.readTextFileSync(lock), "");
          assert.ok(!exists(`${lock}.meta`));
        },
      };
    },
    code: 0,
    stdout: [
      /^state: stale \(reclaimable/m,
      /^removed stale lock meta: .*\.dce-scrape\.lock\.meta$/m,
      /^state: free \(stale lock reclaimed\)$/m,
    ],
  },
  {
    name: "orphan lock file + --reclaim-stale",
    setup: (dir) => {
      Deno.writeTextFileSync(join(dir, ".dce-scrape.lock"), "abc\n");
      return { args: ["--reclaim-stale"] };
    },
    code: 0,
    stdout: [
      /^note: lock file content is not a record/m,
      /^state: free \(orphan lock reclaimed\)$/m,
    ],
  },
  {
    name: "held + --reclaim-stale never reclaims",
    setup: async (dir, procs) => {
      const lock = join(dir, ".dce-scrape.lock");
      await holdLock(procs, lock, dir);
      const before = Deno.readTextFileSync(lock);
      return {
        args: ["--reclaim-stale"],
        after: () => assert.equal(Deno.readTextFileSync(lock), before),
      };
    },
    code: 1,
    stdout: [/^state: held \(active scrape\)$/m],
  },
  {
    name: "record from another host: held, never reclaimed",
    setup: async (dir) => {
      seedRecord(join(dir, ".dce-scrape.lock"), await deadPid(), { host: "other-box" });
      return {};
    },
    code: 1,
    stdout: [
      /^state: held \(active scrape\)$/m,
      /^host: other-box$/m,
      /^decided by: .*recorded on host other-box/m,
    ],
  },
  {
    name: "--json: one object with the same facts",
    setup: async (dir, procs) => {
      await holdLock(procs, join(dir, ".dce-scrape.lock"), dir);
      return { args: ["--json"] };
    },
    code: 1,
    stdout: [/^\{.*"state":"held".*"method":"proc-locks".*"checkout":"\/smoke".*\}\n$/],
  },
  {
    name: "garbage meta is tolerated",
    setup: (dir) => {
      Deno.writeTextFileSync(join(dir, ".dce-scrape.lock"), "");
      Deno.writeTextFileSync(join(dir, ".dce-scrape.lock.meta"), "pid=zzz\n\0\0\0garbage\n");
      return {};
    },
    code: 0,
    stdout: [/^state: free \(lock file present but not held\)$/m],
  },
  {
    name: "unknown option",
    setup: () => ({ args: ["--bogus"] }),
    code: 2,
    stderr: [/^ERROR: Unknown option '--bogus'\.\n$/],
  },
  {
    name: "--config without value",
    setup: () => ({ args: ["--config"] }),
    code: 2,
    stderr: [/^ERROR: Missing value for --config\.\n$/],
  },
  {
    name: "missing config",
    setup: (dir) => ({ args: ["--config", join(dir, "nope.json")] }),
    code: 2,
    stderr: [
      /^ERROR: Missing config: .*nope\.json\. Copy config\/scrape-targets\.example\.json .*\n$/,
    ],
  },
  {
    name: "malformed config",
    setup: (dir) => ({ args: ["--config", writeConfig(dir, '{"archive_root": ')] }),
    code: 2,
    stderr: [/^ERROR: Invalid JSON config: .*config\.json \(.*\); fix the file\n$/],
  },
  {
    name: "config without archive_root: per-checkout fallback with a warning",
    setup: (dir) => ({
      args: ["--config", writeConfig(dir, { targets: [] })],
      env: { DCE_REPO_ROOT: dir },
    }),
    code: 0,
    stdout: [/^lock: .*\/\.dce-scrape\.lock$/m, /^state: free \(no lock file\)$/m],
    stderr: [
      /^WARN: config .*: archive_root is missing; using the per-checkout lock .*\.dce-scrape\.lock, which does not serialise/,
    ],
  },
  {
    name: "DCE_SCRAPE_LOCK_FILE in a missing folder",
    setup: (dir) => ({ env: { DCE_SCRAPE_LOCK_FILE: join(dir, "missing", "L") } }),
    code: 0,
    stdout: [
      /^lock: .*\/missing\/L$/m,
      /^state: free \(no lock file\)$/m,
      /^note: lock folder .*missing does not exist yet/m,
    ],
  },
];

for (const c of cases) {
  Deno.test(`scrape-lock-status: ${c.name}`, async () => {
    await using tmp = await tempDir("dce-lock-status-");
    await using procs = new Procs();
    const config = writeConfig(tmp.path);
    const prep = await c.setup(tmp.path, procs);
    const args = prep.args ?? [];
    const finalArgs = args.includes("--config") || args.includes("--bogus")
      ? args
      : ["--config", config, ...args];
    const run = await runTool("scrape-lock-status", finalArgs, { env: prep.env ?? {} });
    // Exit code, no stack trace, and no diagnostics at all unless the case expects some.
    assertRun(run, c.stderr ? { code: c.code } : { code: c.code, stderr: "" });
    for (const re of c.stdout ?? []) assert.match(run.stdout, re);
    for (const re of c.stderr ?? []) assert.match(run.stderr, re);
    prep.after?.();
    Deno.writeTextFileSync(join(tmp.path, "release"), "");
  });
}

/** A tool run that must finish: a hang (FIFO) fails the test instead of wedging the suite. */
async function runBounded(procs: Procs, tool: string, args: string[], env: Record<string, string>) {
  const child = procs.tool(tool, args, env);
  const timer = setTimeout(() => Deno.kill(-child.pid, "SIGKILL"), 30_000);
  const result = await collect(child);
  clearTimeout(timer);
  assert.notEqual(result.signal, "SIGKILL", `${tool} hung`);
  return result;
}

const hostile: [string, (lock: string, victim: string) => void, RegExp][] = [
  [
    "symlink to a victim file",
    (lock, victim) => Deno.symlinkSync(victim, lock),
    /is a symbolic link, not a regular file/,
  ],
  [
    "FIFO",
    (lock) => new Deno.Command("mkfifo", { args: [lock] }).outputSync(),
    /is a FIFO, not a regular file/,
  ],
  ["directory", (lock) => Deno.mkdirSync(lock), /is a directory, not a regular file/],
];

for (const [name, make, message] of hostile) {
  Deno.test(`hostile lock path (${name}): clear error, exit 2, victim untouched, nothing hangs`, async () => {
    await using tmp = await tempDir("dce-lock-hostile-");
    await using procs = new Procs();
    const lock = join(tmp.path, ".dce-scrape.lock");
    const victim = join(tmp.path, "victim.json");
    Deno.writeTextFileSync(victim, "precious data\n");
    const victimInfo = Deno.statSync(victim);
    make(lock, victim);
    const config = writeConfig(tmp.path);
    const marker = join(tmp.path, "ran");
    for (
      const [tool, args] of [
        ["scrape-lock-status", ["--config", config]],
        ["scrape-lock-status", ["--config", config, "--reclaim-stale"]],
        ["with-scrape-lock", ["--config", config, "--", "touch", marker]],
      ] as const
    ) {
      const run = await runBounded(procs, tool, [...args], {});
      assert.equal(run.code, 2, `${tool}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split("\n").length, 1, "one line");
      assert.match(run.stderr, /^ERROR: /);
    }
    assert.ok(!exists(marker), "the command never ran");
    assert.equal(Deno.readTextFileSync(victim), "precious data\n");
    assert.equal(Deno.statSync(victim).mtime?.getTime(), victimInfo.mtime?.getTime());
    // A FIFO was never opened for reading by anyone: the test would have hung above.
  });
}

Deno.test("with-scrape-lock: lock folder missing → clear error, exit 2", async () => {
  await using tmp = await tempDir("dce-lock-nofolder-");
  const run = await runTool("with-scrape-lock", ["--", "true"], {
    env: { DCE_SCRAPE_LOCK_FILE: join(tmp.path, "missing", "L") },
  });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^ERROR: Lock folder .*missing does not exist: create the archive root/);
  assert.equal(run.stderr.trim().split("\n").length, 1);
});

Deno.test("flock unsupported (docs/bash-suite.md#h1-fail-open-without-flock): acquire and reclaim refuse in one line, exit 2; status reports by the PID record", async () => {
  await using tmp = await tempDir("dce-lock-noflock-");
  await using procs = new Procs();
  const lock = join(tmp.path, ".dce-scrape.lock");
  const pid = await deadPid();
  seedRecord(lock, pid);
  const config = writeConfig(tmp.path);
  const marker = join(tmp.path, "ran");
  const env = { [FLOCK_UNSUPPORTED_HOOK]: "1" };
  const refusal = new RegExp(
    `^ERROR: Cannot lock ${lock}: flock is not supported on this filesystem \\(.+\\); put the ` +
      "archive root on a local filesystem, or set DCE_SCRAPE_LOCK_FILE to a path on a local disk " +
      "shared by every checkout\\.\n$",
  );
  for (
    const args of [
      ["with-scrape-lock", "--config", config, "--", "touch", marker],
      ["scrape-lock-status", "--config", config, "--reclaim-stale"],
    ]
  ) {
    const [tool = "", ...rest] = args;
    const run = await runBounded(procs, tool, rest, env);
    assert.equal(run.code, 2, `${tool}: ${run.stderr}`);
    assert.match(run.stderr, refusal, tool);
  }
  assert.ok(!exists(marker), "the command never ran");
  assert.match(Deno.readTextFileSync(lock), new RegExp(`^${pid}\\n`), "the record is untouched");

  const text = await runBounded(procs, "scrape-lock-status", ["--config", config], env);
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    new RegExp(`^state: stale \\(reclaimable; holder pid ${pid} is not`, "m"),
  );
  assert.match(
    text.stdout,
    /^note: flock is not supported on this filesystem \(.+\); put the archive root .* Scrapes refuse to start here; this report decides by the PID record$/m,
  );
  assert.equal(text.stderr, "");
  const json = await runBounded(procs, "scrape-lock-status", ["--config", config, "--json"], env);
  const report = JSON.parse(json.stdout);
  assert.equal(report.flock.method, "unsupported");
  assert.equal(report.flock.held, null);
  assert.equal(report.state, "stale");
});

Deno.test("status never takes the lock (docs/bash-suite.md#h4-status-steals-the-lock): flock -n and acquire never fail while status loops", async () => {
  await using tmp = await tempDir("dce-lock-probe-");
  await using procs = new Procs();
  const lock = join(tmp.path, ".dce-scrape.lock");
  const config = writeConfig(tmp.path);
  Deno.writeTextFileSync(lock, "");
  Deno.writeTextFileSync(join(tmp.path, "stop"), "");
  Deno.removeSync(join(tmp.path, "stop"));
  // Three shells run the real status tool back to back until told to stop.
  const loop = `while [ ! -e "$1" ]; do "$2" ${toolArgsShell()} --config "$3" >/dev/null; done`;
  for (let i = 0; i < 3; i++) {
    procs.spawn("sh", ["-c", loop, "x", join(tmp.path, "stop"), Deno.execPath(), config]);
  }
  const { acquireLock } = await import("../lib/lock/mod.ts");
  // A legacy-style prober spinning on its own fd: any instant the status tool held the flock
  // (even shared, even for microseconds) shows up as a failed exclusive try.
  const prober = Deno.openSync(lock, { read: true });
  let legacyFailures = 0;
  let attempts = 0;
  const until = performance.now() + 4000;
  while (performance.now() < until) {
    attempts++;
    if (prober.tryLockSync(true)) prober.unlockSync();
    else legacyFailures++;
  }
  prober.close();
  let acquireFailures = 0;
  for (let i = 0; i < 50; i++) {
    try {
      const handle = await acquireLock({
        path: lock,
        cmd: ["probe-test"],
        tool: "t",
        checkout: "/",
        warn: () => {},
      });
      await handle.release();
    } catch {
      acquireFailures++;
    }
  }
  assert.ok(attempts > 1000, `prober ran (${attempts} attempts)`);
  Deno.writeTextFileSync(join(tmp.path, "stop"), "");
  assert.equal(legacyFailures, 0, "a legacy flock -n failed while only status was running");
  assert.equal(acquireFailures, 0, "an acquire failed while only status was running");
});

function toolArgsShell(): string {
  return `run --no-prompt -A ${join(ROOT, "scripts", "scrape-lock-status.ts")}`;
}
