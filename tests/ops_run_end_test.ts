// A run's end: one history line (none without an archive root), the failure hook (digest on stdin,
// outcome in its environment, WARN and nothing else when it fails or hangs, its whole group killed),
// the metrics file (format, last success kept across a failed run, atomic, a symlink refused).
import assert from "node:assert/strict";
import { join } from "node:path";
import { UNATTENDED_DEFAULTS } from "../lib/config/scrape_config.ts";
import { utcSeconds } from "../lib/cli/utc_stamp.ts";
import type { RunFacts } from "../lib/ops/history_record.ts";
import { metricsText } from "../lib/ops/metrics_file.ts";
import { endedByParent, endSettings, finishRun, type RunEnd } from "../lib/ops/run_end.ts";
import { historyPath, readRecentHistory } from "../lib/ops/run_history.ts";
import { withTempDir as withDir } from "./fixtures/helpers.ts";

const SUMMARY = {
  channels: [
    { target: "guild", channel_id: "1", action: "MERGED", delta: 4 },
    { target: "guild", channel_id: "2", action: "FAILED", reason: "network" },
    { target: "guild", channel_id: "3", action: "SKIPPED", reason: "forbidden" },
  ],
  totals: { failed: 1 },
};

// Runs of two days ago: recent enough that the end's retention keeps their history lines.
const DAY_MS = 86_400_000;
const RUN_END_MS = Math.floor(Date.now() / 1000) * 1000 - 2 * DAY_MS;
const at = (ms: number) => new Date(RUN_END_MS + ms);

function facts(exitCode: number, extra: Partial<RunFacts> = {}): RunFacts {
  return {
    tool: "run-documents-scrape",
    start: at(-90_000),
    end: at(0),
    exitCode,
    busy: false,
    targets: ["guild"],
    logFile: "/logs/run.log",
    summaryFile: "/logs/run.summary.json",
    summary: SUMMARY,
    ...extra,
  };
}

interface Ended {
  warnings: string[];
  out: string[];
}

async function end(dir: string, over: Partial<RunEnd>): Promise<Ended> {
  const seen: Ended = { warnings: [], out: [] };
  await finishRun({
    facts: facts(3),
    archiveRoot: dir,
    settings: { ...UNATTENDED_DEFAULTS },
    digest: ["run-documents-scrape: partial (exit 3)", "  FAILED: channel 2"],
    repoRoot: dir,
    env: { PATH: Deno.env.get("PATH"), DISCORD_TOKEN: "secret-token" },
    out: (line) => seen.out.push(line),
    warn: (line) => seen.warnings.push(line),
    ...over,
  });
  return seen;
}

const hook = (script: string, timeout = 60) => ({
  ...UNATTENDED_DEFAULTS,
  failureHook: script,
  hookTimeoutSeconds: timeout,
});

Deno.test("finishRun: one history line per run; none without an archive root", async () => {
  await withDir(async (dir) => {
    const seen = await end(dir, { facts: facts(3) });
    assert.deepEqual(seen.warnings, []);
    const [line, ...rest] = await readRecentHistory(historyPath(dir), 10);
    assert.equal(rest.length, 0);
    assert.equal(line!.result, "partial");
    assert.equal(line!.exit_code, 3);
    assert.deepEqual(line!.problems.map((p) => p.id), ["2", "3"]);
    await end(dir, { archiveRoot: undefined });
    assert.equal((await readRecentHistory(historyPath(dir), 10)).length, 1);
  });
});

Deno.test("finishRun: a history that cannot be written is one WARN line, nothing thrown", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(historyPath(dir)); // a folder where the file goes
    const seen = await end(dir, {});
    assert.equal(seen.warnings.length, 1);
    assert.match(seen.warnings[0]!, /^WARN: could not append to the run history: /);
  });
});

Deno.test("failure hook: the digest on stdin, the outcome in its environment, not the token", async () => {
  await withDir(async (dir) => {
    const script = `cat > stdin.txt; env > env.txt; echo "hook says hi"`;
    const seen = await end(dir, { settings: hook(script) });
    assert.deepEqual(seen.warnings, []);
    assert.equal(
      await Deno.readTextFile(join(dir, "stdin.txt")),
      "run-documents-scrape: partial (exit 3)\n  FAILED: channel 2\n",
    );
    const env = await Deno.readTextFile(join(dir, "env.txt"));
    for (
      const expected of [
        "DCE_RUN_TOOL=run-documents-scrape",
        "DCE_RUN_RESULT=partial",
        "DCE_RUN_EXIT_CODE=3",
        `DCE_RUN_START=${utcSeconds(at(-90_000))}`,
        `DCE_RUN_END=${utcSeconds(at(0))}`,
        "DCE_RUN_DURATION_SECONDS=90",
        "DCE_RUN_TARGETS=guild",
        "DCE_RUN_FAILED=1",
        "DCE_RUN_SKIPPED=1",
        "DCE_RUN_APPENDED=4",
        "DCE_RUN_LOG=/logs/run.log",
        "DCE_RUN_SUMMARY=/logs/run.summary.json",
        `DCE_ARCHIVE_ROOT=${dir}`,
      ]
    ) assert.ok(env.split("\n").includes(expected), `${expected} in\n${env}`);
    assert.doesNotMatch(env, /secret-token|DISCORD_TOKEN/);
    assert.ok(seen.out.includes("failure hook: hook says hi"), seen.out.join("\n"));
  });
});

Deno.test("failure hook: only for failed, partial and interrupted runs", async () => {
  await withDir(async (dir) => {
    const settings = hook(`echo x >> ran.txt`);
    const ran = async () => (await Deno.readTextFile(join(dir, "ran.txt")).catch(() => "")).length;
    await end(dir, { settings, facts: facts(0) });
    await end(dir, { settings, facts: facts(75, { busy: true }) });
    assert.equal(await ran(), 0, "not for ok nor busy");
    for (const code of [1, 3, 143]) await end(dir, { settings, facts: facts(code) });
    assert.equal(await ran(), 6, "failed, partial, interrupted");
  });
});

Deno.test("failure hook: one that exits 1 is one WARN line with what it said", async () => {
  await withDir(async (dir) => {
    const seen = await end(dir, { settings: hook(`echo "webhook refused" >&2; exit 1`) });
    assert.equal(seen.warnings.length, 1);
    assert.match(seen.warnings[0]!, /^WARN: the failure hook exited 1; it said: webhook refused\./);
    assert.equal((await readRecentHistory(historyPath(dir), 10)).length, 1, "the line is kept");
  });
});

Deno.test("failure hook: one that hangs is killed with its whole group after the timeout", async () => {
  await withDir(async (dir) => {
    const pidFile = join(dir, "child.pid");
    // A child of the hook's shell that would outlive it: it must go too.
    const script = `sleep 3000 & echo $! > ${pidFile}; wait`;
    const guard = new Promise<never>((_, reject) => {
      const id = setTimeout(() => reject(new Error("the hook was not killed")), 60_000);
      Deno.unrefTimer(id);
    });
    const seen = await Promise.race([end(dir, { settings: hook(script, 1) }), guard]);
    assert.equal(seen.warnings.length, 1);
    assert.match(
      seen.warnings[0]!,
      /did not finish within 1 s \(hook_timeout_seconds\) and was killed/,
    );
    const pid = (await Deno.readTextFile(pidFile)).trim();
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
      alive = stat !== "" && !/^\d+ \([^)]*\) Z/.test(stat);
      if (alive) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(alive, false, `the hook's child ${pid} was killed`);
  });
});

Deno.test("metrics file: gauges per tool and target; last success survives a failed run", async () => {
  await withDir(async (dir) => {
    const metricsFile = join(dir, "dce.prom");
    const okEnd = at(0);
    await end(dir, { facts: facts(0), metricsFile });
    let text = await Deno.readTextFile(metricsFile);
    const okSeconds = okEnd.getTime() / 1000;
    assert.match(text, /^# HELP dce_last_run_timestamp_seconds /m);
    assert.match(text, /^# TYPE dce_last_run_timestamp_seconds gauge$/m);
    assert.ok(
      text.includes(
        `dce_last_success_timestamp_seconds{tool="run-documents-scrape"} ${okSeconds}\n`,
      ),
      text,
    );
    assert.ok(text.includes(`dce_run_duration_seconds{tool="run-documents-scrape"} 90\n`));
    assert.ok(text.includes(`dce_messages_appended{tool="run-documents-scrape",target="guild"} 4`));

    const later = facts(3, {
      start: at(DAY_MS - 60_000),
      end: at(DAY_MS),
    });
    await end(dir, { facts: later, metricsFile });
    text = await Deno.readTextFile(metricsFile);
    assert.ok(text.includes(`dce_last_exit_code{tool="run-documents-scrape"} 3\n`), text);
    assert.ok(text.includes(`dce_channels_failed{tool="run-documents-scrape",target="guild"} 1`));
    assert.ok(text.includes(`dce_channels_skipped{tool="run-documents-scrape",target="guild"} 1`));
    assert.ok(
      text.includes(`dce_last_success_timestamp_seconds{tool="run-documents-scrape"} ${okSeconds}`),
      "the last success is the earlier ok run's",
    );
    // A file that never saw the ok run: the history has it.
    const fresh = join(dir, "fresh.prom");
    await end(dir, { facts: later, metricsFile: fresh });
    assert.ok((await Deno.readTextFile(fresh)).includes(`} ${okSeconds}\n`), "from the history");
    // Without the history (another archive root) it comes from the previous file.
    await end(dir, { facts: later, metricsFile, archiveRoot: undefined });
    assert.ok((await Deno.readTextFile(metricsFile)).includes(`} ${okSeconds}\n`));
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.includes("tmp"));
    assert.deepEqual(left, [], "no temp file left");
  });
});

Deno.test("metrics file: a symlink at the path is refused (one WARN), the history still written", async () => {
  await withDir(async (dir) => {
    const target = join(dir, "elsewhere.txt");
    await Deno.writeTextFile(target, "keep");
    const metricsFile = join(dir, "dce.prom");
    await Deno.symlink(target, metricsFile);
    const seen = await end(dir, { metricsFile });
    assert.equal(seen.warnings.length, 1);
    assert.match(
      seen.warnings[0]!,
      /^WARN: could not write the metrics file: .*not a regular file/,
    );
    assert.equal(await Deno.readTextFile(target), "keep");
    assert.equal((await readRecentHistory(historyPath(dir), 10)).length, 1);
  });
});

Deno.test("metricsText: label values are escaped; no last-success series without one", () => {
  const text = metricsText(
    { ...finishFacts('a"b\\c'), targets: {} },
    null,
  );
  assert.ok(text.includes(`dce_last_exit_code{tool="a\\"b\\\\c"} 1`), text);
  assert.doesNotMatch(text, /dce_last_success/);
});

function finishFacts(tool: string) {
  return {
    v: 1 as const,
    tool,
    start: "2026-01-01T00:00:00Z",
    end: "2026-01-01T00:00:01Z",
    duration_s: 1,
    host: "h",
    pid: 1,
    result: "failed" as const,
    exit_code: 1,
    log: null,
    summary: null,
    targets: {},
    totals: null,
    problems: [],
    problems_more: 0,
  };
}

Deno.test("endedByParent: only when the named pid is our parent (a leaked variable is ignored)", () => {
  assert.equal(endedByParent({ DCE_RUN_PARENT_PID: "4242" }, 4242), true);
  assert.equal(endedByParent({ DCE_RUN_PARENT_PID: "4242" }, 17), false);
  assert.equal(endedByParent({}, 4242), false);
});

Deno.test("endSettings: a bad number in the environment keeps the config's section and hook", () => {
  const fromConfig = { ...UNATTENDED_DEFAULTS, failureHook: "from-config", keepDays: 7 };
  assert.deepEqual(endSettings(fromConfig, { DCE_KEEP_DAYS: "3d" }), fromConfig);
  assert.equal(
    endSettings(fromConfig, { DCE_KEEP_DAYS: "3d", DCE_FAILURE_HOOK: "from-env" }).failureHook,
    "from-env",
  );
  assert.equal(
    endSettings(fromConfig, { DCE_KEEP_DAYS: "3d", DCE_FAILURE_HOOK: "none" }).failureHook,
    undefined,
  );
  assert.deepEqual(endSettings(undefined, { DCE_KEEP_RUNS: "x" }), { ...UNATTENDED_DEFAULTS });
  assert.equal(endSettings(fromConfig, { DCE_KEEP_RUNS: "12" }).keepRuns, 12);
});
