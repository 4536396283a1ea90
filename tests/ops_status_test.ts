// ./dce status on a sandbox with a made-up history: success, partial, failures in a row, a stale
// channel, an early failure and a busy run; --json and --max-age through the real script.
import assert from "node:assert/strict";
import { join } from "node:path";
import { appendHistory, historyPath, type HistoryRecord } from "../lib/ops/run_history.ts";
import { historyRecord } from "../lib/ops/history_record.ts";
import { DISCORD_EPOCH_MS } from "../lib/archive/snowflake.ts";
import { recordPath } from "../lib/archive/archive_record.ts";

const DAY = 86400_000;
const script = join(import.meta.dirname!, "..", "scripts", "status.ts");

function snowflakeAt(ms: number): string {
  return String(BigInt(ms - DISCORD_EPOCH_MS) << 22n);
}

/** An archive in DCE layout whose last message was sent at `lastMs`. */
function dceArchive(ids: string[]): string {
  const messages = ids.map((id) => `    {\n      "id": "${id}"\n    }`).join(",\n");
  return `{\n  "guild": {},\n  "messages": [\n${messages}\n  ],\n  "messageCount": ${ids.length}\n}`;
}

function run(
  now: number,
  ageMs: number,
  exitCode: number,
  channels: Array<[string, string, string]>,
  extra: { busy?: boolean; targets?: string[] } = {},
): HistoryRecord {
  const end = new Date(now - ageMs);
  return historyRecord({
    tool: "run-documents-scrape",
    start: new Date(end.getTime() - 60_000),
    end,
    exitCode,
    busy: extra.busy ?? false,
    targets: extra.targets ?? ["alpha", "beta"],
    logFile: "/logs/x.log",
    summaryFile: "/logs/x.summary.json",
    summary: channels.length === 0 ? undefined : {
      totals: { messages_appended: 1 },
      channels: channels.map(([target, channel_id, action]) => ({
        target,
        channel_id,
        action,
        delta: 1,
        ...(action === "FAILED" ? { reason: "network error" } : {}),
      })),
    },
  });
}

async function sandbox(): Promise<{ dir: string; config: string; now: number }> {
  const dir = await Deno.makeTempDir();
  const now = Date.now();
  await Deno.mkdir(join(dir, "alpha", "sub"), { recursive: true });
  await Deno.mkdir(join(dir, "beta"));
  const config = join(dir, "config.json");
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      archive_root: dir,
      targets: [
        { name: "alpha", kind: "guild", output_dir: join(dir, "alpha"), guild_ids: ["1"] },
        { name: "beta", kind: "guild", output_dir: join(dir, "beta"), guild_ids: ["2"] },
      ],
    }),
  );
  // C1: no record, read from its tail. C2: a record that matches the file (count 7 from the record).
  const c1 = join(dir, "alpha", "G - one [111].json");
  await Deno.writeTextFile(c1, dceArchive([snowflakeAt(now - 5 * DAY), snowflakeAt(now - DAY)]));
  const c2 = join(dir, "alpha", "sub", "G - two [222].json");
  await Deno.writeTextFile(c2, dceArchive([snowflakeAt(now - 20 * DAY)]));
  const info = await Deno.stat(c2);
  await Deno.writeTextFile(
    recordPath(c2),
    JSON.stringify({
      v: 1,
      size: info.size,
      mtimeMs: info.mtime!.getTime(),
      count: 7,
      maxId: snowflakeAt(now - 20 * DAY),
    }),
  );
  const ok: Array<[string, string, string]> = [["alpha", "111", "MERGED"], [
    "alpha",
    "222",
    "UNCHANGED",
  ], ["beta", "333", "MERGED"]];
  const c2Failed: Array<[string, string, string]> = [["alpha", "111", "MERGED"], [
    "alpha",
    "222",
    "FAILED",
  ], ["beta", "333", "UNCHANGED"]];
  const history = historyPath(dir);
  for (
    const r of [
      run(now, 10 * DAY, 0, [...ok, ["alpha", "111", "SKIPPED"]]), // 111's streak ends before it
      run(now, 3 * DAY, 3, c2Failed),
      run(now, 2 * DAY, 3, c2Failed),
      run(now, DAY, 3, [...c2Failed, ["beta", "444", "SKIPPED"]]),
      run(now, 3600_000, 1, []), // stopped before its scrape: no channel outcome
      run(now, 1800_000, 75, [], { busy: true }),
    ]
  ) await appendHistory(history, r);
  return { dir, config, now };
}

async function status(config: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", script, "--config", config, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("status --json: last success per target, per-channel archive facts, failures in a row, stale", async () => {
  const { dir, config, now } = await sandbox();
  try {
    const { code, stdout, stderr } = await status(config, "--json");
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assert.equal(report.lock.state, "free");
    assert.deepEqual(report.runs.map((r: HistoryRecord) => r.result), [
      "busy",
      "failed",
      "partial",
      "partial",
      "partial",
      "ok",
    ]);
    const target = (name: string) => report.targets.find((t: { name: string }) => t.name === name);
    // alpha was partial three times: its last success is the run ten days ago; beta's is yesterday.
    assert.equal(
      Date.parse(target("alpha").last_success),
      Math.floor((now - 10 * DAY) / 1000) * 1000,
    );
    assert.equal(target("alpha").last_result, "busy");
    assert.equal(Date.parse(target("beta").last_success), Math.floor((now - DAY) / 1000) * 1000);
    const channel = (id: string) =>
      report.channels.find((c: { channel_id: string }) => c.channel_id === id);
    assert.equal(channel("111").messages, 2); // from the tail
    assert.equal(Date.parse(channel("111").last_message), Math.floor((now - DAY) / 1000) * 1000);
    assert.equal(channel("111").last_outcome, "ok");
    assert.equal(channel("111").failed_in_a_row, 0);
    assert.equal(channel("111").stale, false);
    assert.equal(channel("222").messages, 7); // from the record
    assert.equal(channel("222").last_outcome, "FAILED");
    assert.equal(channel("222").failed_in_a_row, 3);
    assert.equal(channel("222").stale, true);
    assert.equal(channel("222").reason, "network error");
    assert.ok(channel("222").size > 0);
    assert.equal(channel("444").archive, null); // skipped, never archived, still listed
    assert.equal(channel("444").last_outcome, "SKIPPED");
    assert.equal(channel("444").failed_in_a_row, 1);
    assert.equal(report.stale_channels, 1);
    assert.deepEqual(report.overdue_targets, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("status --max-age: exit 4 naming the overdue target, 0 when every target is fresh enough", async () => {
  const { dir, config } = await sandbox();
  try {
    const late = await status(config, "--max-age", "2d");
    assert.equal(late.code, 4, late.stderr);
    assert.match(late.stdout, /OVERDUE alpha /);
    assert.doesNotMatch(late.stdout, /OVERDUE beta/);
    assert.match(late.stdout, /STALE alpha\/222 .*FAILED, 3 run\(s\) in a row/);
    const fine = await status(config, "--max-age", "11d", "--json");
    assert.equal(fine.code, 0, fine.stderr);
    assert.deepEqual(JSON.parse(fine.stdout).overdue_targets, []);
    const bad = await status(config, "--max-age", "soon");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-age 'soon' is not a duration/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("status: a target with no history at all is overdue under --max-age", async () => {
  const { dir, config } = await sandbox();
  try {
    await Deno.remove(historyPath(dir));
    const { code, stdout } = await status(config, "--max-age", "30d", "--json");
    assert.equal(code, 4);
    assert.deepEqual(JSON.parse(stdout).overdue_targets, ["alpha", "beta"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
