// docs/lock.md#contention-and-chaos: steady contention, and SIGKILL chaos against the current holder.
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./_harness.ts";
import { collect, exists, Procs, SCALE, sleep } from "./lock/fixtures.ts";
import { parseLockFile } from "../lib/lock/lock_record.ts";

Deno.test(`contention: 8 processes x ${200 * SCALE} acquisitions, counter exact, zero overlaps`, async () => {
  await using tmp = await tempDir("dce-lock-contention-");
  await using procs = new Procs();
  const dir = tmp.path;
  const per = 200 * SCALE;
  const workers = Array.from({ length: 8 }, () => procs.contender(["loop", dir, String(per), "5"]));
  Deno.writeTextFileSync(join(dir, "go"), "");
  const results = await Promise.all(workers.map(collect));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const violations = exists(join(dir, "violations"))
    ? Deno.readTextFileSync(join(dir, "violations"))
    : "";
  assert.equal(violations, "");
  assert.equal(Number(Deno.readTextFileSync(join(dir, "counter"))), 8 * per);
});

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

Deno.test(`SIGKILL chaos: the holder is killed at random for ${10 * SCALE} s; never two holders`, async () => {
  await using tmp = await tempDir("dce-lock-chaos-");
  await using procs = new Procs();
  const dir = tmp.path;
  const lock = join(dir, "L");
  const POLL = 20;
  const workers = new Map<number, Deno.ChildProcess>();
  const start = () => {
    const child = procs.contender(["chaos", dir, String(POLL)]);
    workers.set(child.pid, child);
  };
  for (let i = 0; i < 4; i++) start();
  const kills: number[] = [];
  const deadline = performance.now() + 10_000 * SCALE;
  while (performance.now() < deadline) {
    await sleep(50 + Math.random() * 150);
    let holder: number | null = null;
    try {
      const parsed = parseLockFile(Deno.readTextFileSync(lock));
      holder = parsed.kind === "record" ? parsed.record.pid : null;
    } catch { /* not yet created */ }
    const child = holder === null ? undefined : workers.get(holder);
    if (child === undefined) continue;
    try {
      Deno.kill(child.pid, "SIGKILL");
    } catch {
      continue;
    }
    kills.push(performance.timeOrigin + performance.now());
    workers.delete(child.pid);
    await child.status;
    start();
  }
  for (const child of workers.values()) Deno.kill(-child.pid, "SIGKILL");
  await Promise.all([...workers.values()].map((c) => c.status));
  const violations = exists(join(dir, "violations"))
    ? Deno.readTextFileSync(join(dir, "violations"))
    : "";
  assert.equal(violations, "", "two holders at once");
  const acquired = Deno.readTextFileSync(join(dir, "acquired.log")).trim().split("\n").map((l) =>
    Number(l.split(" ")[1])
  ).sort((a, b) => a - b);
  const takeovers = kills.map((k) => (acquired.find((a) => a > k) ?? Infinity) - k).filter(
    Number.isFinite,
  );
  assert.ok(kills.length >= 5, `only ${kills.length} kills happened`);
  // Never wedged: every kill but possibly the last was followed by a new holder.
  assert.ok(takeovers.length >= kills.length - 1, "a kill was not followed by a new holder");
  console.log(
    `chaos: ${kills.length} kills, ${acquired.length} acquisitions; takeover after kill p50 ${
      percentile(takeovers, 50).toFixed(1)
    } ms, p99 ${percentile(takeovers, 99).toFixed(1)} ms, max ${
      Math.max(...takeovers).toFixed(1)
    } ms (poll ${POLL} ms)`,
  );
  // Generous bound on purpose (2 shared cores): a wedge is seconds, a takeover is milliseconds.
  assert.ok(Math.max(...takeovers) < 5000, "a takeover took more than 5 s");
});
