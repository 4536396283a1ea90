// A run's end, through the real run-documents-scrape (as ./dce runs it) against the fake DCE CLI: one history
// line per run (never one per run-scrape-host step), the failure hook for a partial run (digest on
// stdin, its failure a WARN that leaves exit 3 alone), none for ok or busy, and the metrics file.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool } from "./_harness.ts";
import { writeWorld } from "./fakes/fake_dce_world.ts";
import { channel, guildBox } from "./ops/guild_box.ts";
import { GUILD, ourHolder, type Sandbox } from "./ops/sandbox.ts";
import { historyPath, type HistoryRecord, readRecentHistory } from "../lib/ops/run_history.ts";

/** The hook an operator might write: keeps its stdin and says what it got, then fails. */
const HOOK =
  `cat > "$HOOK_DIR/stdin.txt"; echo "$DCE_RUN_RESULT $DCE_RUN_FAILED" >> "$HOOK_DIR/ran.txt"; ` +
  `echo "pager unreachable" >&2; exit 1`;

function documentsRun(box: Sandbox, extra: string[] = []) {
  return runTool("run-documents-scrape", [
    "--quiet",
    "--config",
    box.config,
    "--log-file",
    join(box.logs, "run.log"),
    "--metrics-file",
    join(box.dir, "dce.prom"),
    ...extra,
  ], {
    env: { ...box.env, DCE_FAILURE_HOOK: HOOK, HOOK_DIR: box.dir },
    cwd: box.dir,
  });
}

async function history(box: Sandbox): Promise<HistoryRecord[]> {
  return (await readRecentHistory(historyPath(box.archiveRoot), 100)).reverse();
}

const read = (path: string) => Deno.readTextFile(path).catch(() => "");

Deno.test("run end: ok, then partial (hook, metrics), then busy: one history line each", async () => {
  const healthy = [
    channel("444444444444444441", "alpha"),
    channel("444444444444444444", "delta"),
  ];
  await using box = await guildBox(healthy);
  const metrics = join(box.dir, "dce.prom");

  const ok = await documentsRun(box);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout + ok.stderr, "", "quiet success");
  let runs = await history(box);
  assert.equal(
    runs.length,
    1,
    "one line for the run, none for its run-scrape-host steps",
  );
  assert.equal(runs[0]!.tool, "run-documents-scrape");
  assert.equal(runs[0]!.result, "ok");
  assert.equal(runs[0]!.targets["guild"]!.appended, 6);
  assert.equal(
    await read(join(box.dir, "ran.txt")),
    "",
    "no hook for an ok run",
  );
  const okEnd = Date.parse(runs[0]!.end) / 1000;
  assert.match(
    await read(metrics),
    new RegExp(
      `^dce_last_success_timestamp_seconds\\{tool="run-documents-scrape"\\} ${okEnd}$`,
      "m",
    ),
  );

  // The world turns bad: a forbidden channel (an ordinary skip) and an export killed every time.
  await writeWorld(box.world, {
    guilds: [GUILD],
    channels: [
      ...healthy,
      channel("444444444444444442", "secret", { forbidden: true }),
      channel("444444444444444443", "cut", {
        count: 6,
        flaky: { times: 99, mode: "killed" },
      }),
    ],
  });
  const partial = await documentsRun(box);
  assert.equal(
    partial.code,
    3,
    "a failing hook leaves the exit code alone:\n" + partial.stderr,
  );
  assert.match(
    partial.stderr,
    /^run-documents-scrape: partial \(exit 3\)$/m,
    "the digest",
  );
  assert.match(
    partial.stderr,
    /^WARN: the failure hook exited 1; it said: pager unreachable\. The run's exit code is unchanged\.$/m,
  );
  runs = await history(box);
  assert.equal(runs.length, 2);
  const last = runs[1]!;
  assert.equal(last.result, "partial");
  assert.equal(last.exit_code, 3);
  assert.deepEqual(
    last.problems.map((p) => [p.id, p.action]).sort(),
    [["444444444444444442", "SKIPPED"], ["444444444444444443", "SKIPPED_OOM"]],
  );
  assert.equal(
    await read(join(box.dir, "ran.txt")),
    "partial 1\n",
    "the hook ran once",
  );
  const stdin = await read(join(box.dir, "stdin.txt"));
  assert.match(stdin, /^run-documents-scrape: partial \(exit 3\)\n/);
  assert.match(stdin, /FAILED: channel 444444444444444443 of target 'guild'/);
  assert.match(stdin, new RegExp(`^Log: ${join(box.logs, "run.log")}$`, "m"));
  const log = await read(join(box.logs, "run.log"));
  assert.match(
    log,
    /failure hook: pager unreachable/,
    "the hook's output is in the log",
  );
  const text = await read(metrics);
  assert.match(
    text,
    /^dce_channels_failed\{tool="run-documents-scrape",target="guild"\} 1$/m,
  );
  assert.match(text, /^dce_last_exit_code\{tool="run-documents-scrape"\} 3$/m);
  assert.match(
    text,
    new RegExp(`^dce_last_success_timestamp_seconds\\{[^}]*\\} ${okEnd}$`, "m"),
  );

  {
    await using _holder = await ourHolder(box);
    const busy = await documentsRun(box, ["--conflict-exit-code", "75"]);
    assert.equal(busy.code, 75, busy.stderr);
    assert.equal(
      busy.stdout + busy.stderr,
      "",
      "busy: nothing for cron to mail",
    );
  }
  runs = await history(box);
  assert.equal(runs.length, 3);
  assert.equal(runs[2]!.result, "busy");
  assert.equal(runs[2]!.exit_code, 75);
  assert.equal(
    await read(join(box.dir, "ran.txt")),
    "partial 1\n",
    "no hook for a busy run",
  );
  assert.ok(
    runs.every((r) => r.tool === "run-documents-scrape"),
    "never a step's own line",
  );
});

Deno.test("run end: a dry run records nothing", async () => {
  await using box = await guildBox([channel("444444444444444441", "alpha")]);
  const dry = await documentsRun(box, ["--dry-run"]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(await history(box), []);
  assert.equal(await read(join(box.dir, "dce.prom")), "");
});

Deno.test("run end: run-scrape-host on its own records its scrape, not its preflight", async () => {
  await using box = await guildBox([channel("444444444444444441", "alpha")]);
  const host = (sub: string) =>
    runTool("run-scrape-host", [sub, "--config", box.config], {
      env: { ...box.env, DCE_FAILURE_HOOK: HOOK, HOOK_DIR: box.dir },
    });
  const preflight = await host("preflight");
  assert.equal(preflight.code, 0, preflight.stderr);
  assert.deepEqual(await history(box), [], "a preflight is a check, not a run");
  const scrape = await host("scrape");
  assert.equal(scrape.code, 0, scrape.stderr);
  const runs = await history(box);
  assert.deepEqual(runs.map((r) => [r.tool, r.result]), [[
    "run-scrape-host scrape",
    "ok",
  ]]);
});
