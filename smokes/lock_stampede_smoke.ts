// docs/lock.md#stampede: 32 contenders released together on a stale or invalid lock, exactly one wins.
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./_harness.ts";
import { FLOCK_UNSUPPORTED_HOOK } from "../lib/lock/flock.ts";
import {
  deadPid,
  exists,
  legacyHolder,
  Procs,
  roundResultNames,
  SCALE,
  seedRecord,
  waitFor,
} from "./lock/fixtures.ts";

const N = 32;

type Seed = (lockPath: string) => Promise<void> | void;

/** Runs `seeds.length` rounds with N long-lived contender processes; exactly one winner each. */
async function stampede(seeds: Seed[]): Promise<void> {
  await using tmp = await tempDir("dce-lock-stampede-");
  await using procs = new Procs();
  const dir = tmp.path;
  const lock = join(dir, "L");
  for (let id = 0; id < N; id++) {
    procs.contender(["rounds", dir, String(id), String(N), String(seeds.length)]);
  }
  const failures: string[] = [];
  for (let r = 0; r < seeds.length; r++) {
    await (seeds[r] as Seed)(lock);
    Deno.writeTextFileSync(join(dir, `go.${r}`), ""); // the barrier: everyone starts now
    await waitFor(
      () => exists(join(dir, `done.${r}`)) || settledWithoutWinner(dir, r),
      `round ${r}`,
      120_000,
      5,
    );
    const results = readResults(dir, r);
    const wins = results.filter((x) => x === "win").length;
    const errors = results.filter((x) => x.startsWith("error"));
    if (results.length !== N || wins !== 1 || errors.length > 0) {
      failures.push(
        `round ${r}: ${results.length} results, ${wins} winners, ${errors.length} errors ${
          errors.slice(0, 2).join("; ")
        }`,
      );
    }
    if (exists(join(dir, `done.${r}`))) {
      assert.equal(Deno.readTextFileSync(join(dir, `done.${r}`)), "released", `round ${r} release`);
    }
  }
  const violations = exists(join(dir, "violations"))
    ? Deno.readTextFileSync(join(dir, "violations"))
    : "";
  assert.equal(violations, "", "occupied marker tripped");
  assert.deepEqual(failures, []);
  const counter = Number(Deno.readTextFileSync(join(dir, "counter")));
  assert.equal(counter, seeds.length, "read-modify-write counter: one increment per round");
}

function readResults(dir: string, r: number): string[] {
  return roundResultNames(dir, r).map((name) => Deno.readTextFileSync(join(dir, name)));
}

/** Everyone reported and nobody won: no winner will write `done.<r>`. */
function settledWithoutWinner(dir: string, r: number): boolean {
  const results = readResults(dir, r);
  return results.length >= N && !results.includes("win");
}

const staleSeed: Seed = async (lock) => {
  seedRecord(lock, await deadPid());
};

Deno.test(`stale stampede: ${N} contenders x ${50 * SCALE} rounds, exactly one winner each`, async () => {
  await stampede(Array.from({ length: 50 * SCALE }, () => staleSeed));
});

Deno.test(`stale stampede where flock fails (docs/bash-suite.md#h1-fail-open-without-flock): all ${N} contenders refuse, none runs unlocked`, async () => {
  // Without flock nothing guarantees one reclaimer (the guard is a flock): acquisition refuses.
  await using tmp = await tempDir("dce-lock-noflock-");
  await using procs = new Procs();
  const dir = tmp.path;
  const lock = join(dir, "L");
  seedRecord(lock, await deadPid());
  const seeded = [Deno.readTextFileSync(lock), Deno.readTextFileSync(`${lock}.meta`)];
  for (let id = 0; id < N; id++) {
    procs.contender(["rounds", dir, String(id), String(N), "1"], {
      [FLOCK_UNSUPPORTED_HOOK]: "1",
    });
  }
  Deno.writeTextFileSync(join(dir, "go.0"), "");
  await waitFor(() => roundResultNames(dir, 0).length >= N, "all contenders reported", 120_000);
  assert.deepEqual(readResults(dir, 0), Array(N).fill("unsupported"));
  assert.deepEqual(
    [Deno.readTextFileSync(lock), Deno.readTextFileSync(`${lock}.meta`)],
    seeded,
    "the stale record was neither reclaimed nor rewritten",
  );
  assert.ok(!exists(join(dir, "counter")), "nobody entered the critical section");
});

const invalidContents: [string, () => Promise<string> | string][] = [
  ["empty", () => ""],
  ["0", () => "0\n"],
  ["-1", () => "-1\n"],
  ["20-digit pid", () => "12345678901234567890\n"],
  ["abc", () => "abc\n"],
  ["2 MB of zeros", () => "\0".repeat(2 * 1024 * 1024)],
  // With a start time: pid_max is 32768 here, so a bare dead PID may be reused within seconds by
  // another test's process, and a record without a start time is then rightly judged alive.
  [
    "CRLF record of a dead pid",
    async () =>
      `${await deadPid()}\r\n${"ab".repeat(16)}\r\nhost=${Deno.hostname()}\r\nstarttime=1\r\n`,
  ],
];

Deno.test(`invalid lock content (${invalidContents.map(([n]) => n).join(", ")}): exactly one winner`, async () => {
  const seeds: Seed[] = [];
  for (let rep = 0; rep < 5 * SCALE; rep++) {
    for (const [, content] of invalidContents) {
      seeds.push(async (lock) => {
        Deno.writeTextFileSync(lock, await content());
        try {
          Deno.removeSync(`${lock}.meta`);
        } catch { /* none */ }
      });
    }
  }
  await stampede(seeds);
});

Deno.test("an empty lock file whose flock is held (legacy holder) is never reclaimed", async () => {
  await using tmp = await tempDir("dce-lock-emptyheld-");
  await using procs = new Procs();
  const dir = tmp.path;
  const lock = join(dir, "L");
  Deno.writeTextFileSync(lock, "");
  await legacyHolder(procs, lock);
  for (let id = 0; id < N; id++) {
    procs.contender(["rounds", dir, String(id), String(N), "1"]);
  }
  Deno.writeTextFileSync(join(dir, "go.0"), "");
  await waitFor(() => roundResultNames(dir, 0).length >= N, "all contenders reported", 120_000);
  const results = readResults(dir, 0);
  assert.deepEqual(new Set(results), new Set(["busy"]));
  assert.equal(Deno.readTextFileSync(lock), "", "the legacy holder's file was not written");
});
