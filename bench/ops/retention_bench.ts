// Retention's cost at the end of a run: pruneAfterRun on a log folder of many runs (log + summary
// each, dated over the last --days days, a third failed) and a history of --records lines. Four
// figures: the first prune (removes what is past the bound), a steady-state prune (nothing to
// remove: what most runs pay), the history look that finds it within the bound, and a history
// rewrite. Median wall time of --runs tries each; asserts nothing.
//   ./dce deno run -A bench/ops/retention_bench.ts [--runs 5] [--logs 5000] [--records 10000] [--days 200]
import { join } from "node:path";
import { parseArgs } from "node:util";
import { historyRecord } from "../../lib/ops/history_record.ts";
import { boundHistory } from "../../lib/ops/history_retention.ts";
import { pruneAfterRun } from "../../lib/ops/retention.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "5" },
    logs: { type: "string", default: "5000" },
    records: { type: "string", default: "10000" },
    days: { type: "string", default: "200" },
  },
});
const [RUNS, LOGS, RECORDS, DAYS] = [values.runs, values.logs, values.records, values.days].map(
  Number,
) as [number, number, number, number];
const NOW = new Date();
const DAY = 86_400_000;
const settings = { keepDays: 30, keepFailedDays: 90, keepRuns: 1000 };

function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, "") + "Z";
}

/** A summary as a run writes it (pretty-printed), 100 channels. */
function summary(outcome: string): string {
  const channels = Array.from({ length: 100 }, (_, i) => ({
    target: "alpha",
    channel_id: String(444444444444444400n + BigInt(i)),
    action: "UNCHANGED",
    delta: 0,
  }));
  return JSON.stringify(
    { version: 1, finished_at: "2026-01-01T00:00:00Z", outcome, exit_code: 0, channels },
    null,
    2,
  );
}

/** LOGS runs spread over DAYS days: a log and a summary each (a third failed). */
async function fillLogs(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (let i = 0; i < LOGS; i++) {
    const when = new Date(NOW.getTime() - DAY - (i * DAYS * DAY) / LOGS);
    const base = join(dir, `documents-scrape-${stamp(when.getTime())}-${i}`);
    const outcome = i % 3 === 0 ? "partial" : "ok";
    await Deno.writeTextFile(`${base}.log`, "a log line\n".repeat(50));
    await Deno.writeTextFile(`${base}.summary.json`, summary(outcome));
    await Deno.utime(`${base}.log`, when, when);
    await Deno.utime(`${base}.summary.json`, when, when);
  }
}

/** RECORDS history lines, oldest first, one every DAYS/RECORDS days. */
async function fillHistory(file: string, count: number): Promise<void> {
  const lines = [];
  for (let i = count - 1; i >= 0; i--) {
    const end = new Date(NOW.getTime() - (i * DAYS * DAY) / RECORDS);
    const record = historyRecord({
      tool: "run-documents-scrape",
      start: end,
      end,
      exitCode: 0,
      busy: false,
      targets: ["alpha", "beta"],
    });
    lines.push(JSON.stringify({ ...record, log: `/srv/dce/logs/documents-scrape-${i}.log` }));
  }
  await Deno.writeTextFile(file, lines.join("\n") + "\n");
}

async function median(label: string, prepare: () => Promise<void>, run: () => Promise<unknown>) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    await prepare();
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`${label}: median ${times[Math.floor(RUNS / 2)]!.toFixed(1)} ms`);
}

const dir = await Deno.makeTempDir({ prefix: "retention-bench-" });
try {
  const logs = join(dir, "logs");
  const history = join(dir, ".dce-history.jsonl");
  const quiet = { out: () => {}, warn: (line: string) => console.log(line) };
  const prune = () =>
    pruneAfterRun({
      logDir: logs,
      currentFiles: [],
      historyFile: history,
      settings,
      now: NOW,
      ...quiet,
    });
  console.log(`${LOGS} runs (${2 * LOGS} files) over ${DAYS} days; history ${RECORDS} lines`);
  await median("first prune of the folder and the history", async () => {
    await Deno.remove(logs, { recursive: true }).catch(() => {});
    await fillLogs(logs);
    await fillHistory(history, RECORDS);
  }, prune);
  const left = [...Deno.readDirSync(logs)].length;
  const size = (await Deno.stat(history)).size;
  console.log(`  left ${left} files; history ${size} bytes`);
  await median("steady state (nothing to remove)", async () => {}, prune);
  await median(
    `history within the bound (${settings.keepRuns} lines: read, no rewrite)`,
    async () => {},
    () => boundHistory(history, { ...settings, now: NOW }),
  );
  await median(
    `history rewrite (${RECORDS} lines down to ${settings.keepRuns})`,
    () => fillHistory(history, RECORDS),
    () => boundHistory(history, { ...settings, now: NOW }),
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
