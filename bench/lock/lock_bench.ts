// Lock benchmarks: acquire+release latency, takeover after SIGKILL, 32-way race, status cold start vs flock(1).
// Prints figures only. Run: ./dce deno run -A bench/lock/lock_bench.ts  (BENCH_LOCK_CYCLES=N to resize)
import { join, resolve } from "node:path";
import { acquireLock } from "../../lib/lock/mod.ts";

const ROOT = resolve(import.meta.dirname ?? ".", "../..");
const CONTENDER = join(ROOT, "smokes", "lock", "contender.ts");
const CYCLES = Number(Deno.env.get("BENCH_LOCK_CYCLES") ?? "10000");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = () => {};

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
function report(name: string, values: number[]) {
  console.log(
    `${name}: n=${values.length} p50 ${fmt(pct(values, 50))} p99 ${fmt(pct(values, 99))} max ${
      fmt(Math.max(...values))
    }`,
  );
}

const dir = await Deno.makeTempDir({ prefix: "dce-lock-bench-" });
const lock = join(dir, "L");
const opts = { path: lock, cmd: ["bench"], tool: "bench", checkout: ROOT, warn: quiet };

try {
  // 1. Uncontended acquire + release in one process.
  const cycle: number[] = [];
  for (let i = 0; i < CYCLES; i++) {
    const t0 = performance.now();
    const handle = await acquireLock(opts);
    await handle.release();
    cycle.push(performance.now() - t0);
  }
  report(`acquire+release, one process, ${CYCLES} cycles`, cycle);

  // 2. Takeover: a holder process is SIGKILLed while we wait (poll 10 ms).
  const takeover: number[] = [];
  for (let i = 0; i < 30; i++) {
    const holder = new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "-A", CONTENDER, "hold", lock, join(dir, "never")],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = holder.stdout.getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    reader.releaseLock();
    const waiting = acquireLock({ ...opts, waitSeconds: 30, pollMs: 10 });
    await sleep(20);
    const killed = performance.now();
    holder.kill("SIGKILL");
    const handle = await waiting;
    takeover.push(performance.now() - killed);
    await handle.release();
    await holder.status;
    await holder.stdout.cancel().catch(() => {});
  }
  report("takeover after SIGKILL of the holder (waiter polls every 10 ms)", takeover);

  // 3. 32 processes released by one barrier file: time until all 32 have an answer (1 win, 31 busy).
  const race: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const work = await Deno.makeTempDir({ dir, prefix: "race-" });
    const procs = Array.from({ length: 32 }, (_, id) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--no-prompt",
          "-A",
          CONTENDER,
          "rounds",
          work,
          String(id),
          "32",
          "1",
          "flock",
        ],
        stdout: "null",
        stderr: "null",
      }).spawn());
    await sleep(3000); // let all 32 start and wait at the barrier
    const t0 = performance.now();
    Deno.writeTextFileSync(join(work, "go.0"), "");
    for (;;) {
      let n = 0;
      for (const e of Deno.readDirSync(work)) if (/^res\.0\.\d+$/.test(e.name)) n++;
      if (n >= 32) break;
      await sleep(1);
    }
    race.push(performance.now() - t0);
    await Promise.all(procs.map((p) => p.status));
  }
  report("32 racing processes, barrier to all answered (exactly 1 winner)", race);

  // 4. Cold start: scrape-lock-status vs flock -n on the same (held) file.
  const holder = new Deno.Command("flock", { args: ["-n", lock, "sleep", "600"], detached: true })
    .spawn();
  await sleep(200);
  const config = join(dir, "config.json");
  Deno.writeTextFileSync(config, JSON.stringify({ archive_root: dir, targets: [] }));
  const timeIt = async (cmd: string, args: string[], env: Record<string, string> = {}) => {
    const runs: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      const out = await new Deno.Command(cmd, { args, env, stdout: "null", stderr: "piped" })
        .output();
      if (out.code !== 1) {
        throw new Error(
          `${cmd} should report the held lock (exit 1), got ${out.code}: ${
            new TextDecoder().decode(out.stderr)
          }`,
        );
      }
      runs.push(performance.now() - t0);
    }
    return runs.slice(5); // first runs warm the caches
  };
  report(
    "cold start: scrape-lock-status (held lock)",
    await timeIt(
      Deno.execPath(),
      [
        "run",
        "--no-prompt",
        "-A",
        join(ROOT, "scripts", "scrape-lock-status.ts"),
        "--config",
        config,
      ],
      { DCE_SCRAPE_LOCK_FILE: lock, NO_COLOR: "1" },
    ),
  );
  report("cold start: flock -n L true (held lock)", await timeIt("flock", ["-n", lock, "true"]));
  Deno.kill(-holder.pid, "SIGKILL");
  await holder.status;
} finally {
  await Deno.remove(dir, { recursive: true });
}
