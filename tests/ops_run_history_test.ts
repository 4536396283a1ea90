// The run history file: whole lines under concurrent appends by real processes, newest-first reads
// that skip torn lines and cross chunk boundaries, and the record built from a run summary.
import assert from "node:assert/strict";
import { join } from "node:path";
import { appendHistory, type HistoryRecord, readRecentHistory } from "../lib/ops/run_history.ts";
import { historyRecord } from "../lib/ops/history_record.ts";

const module = new URL("../lib/ops/run_history.ts", import.meta.url).href;

function record(n: number, padding = 0): HistoryRecord {
  return {
    ...historyRecord({
      tool: "t",
      start: new Date(0),
      end: new Date(1000),
      exitCode: 0,
      busy: false,
      targets: ["a"],
    }),
    pid: n,
    log: "x".repeat(padding),
  };
}

Deno.test("appendHistory: four processes appending 30 KB lines at once never interleave them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "h.jsonl");
    const writer = `import { appendHistory } from "${module}";
      const [file, who] = Deno.args;
      for (let i = 0; i < 40; i++) {
        await appendHistory(file, { v: 1, start: "s", result: "ok", targets: {}, problems: [], pid: Number(who), log: who.repeat(30000) });
      }`;
    const children = [1, 2, 3, 4].map((who) =>
      new Deno.Command(Deno.execPath(), {
        args: ["eval", writer, file, String(who)],
      }).spawn()
    );
    for (const child of children) assert.equal((await child.status).code, 0);
    const lines = (await Deno.readTextFile(file)).split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 160);
    for (const line of lines) {
      const r = JSON.parse(line);
      assert.equal(r.log, String(r.pid).repeat(30000));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readRecentHistory: newest first, limited, torn and foreign lines skipped, lines longer than a chunk", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "h.jsonl");
    assert.deepEqual(await readRecentHistory(file, 5), []);
    await appendHistory(file, record(1));
    await appendHistory(file, record(2, 600_000)); // longer than one 256 KiB chunk
    await Deno.writeTextFile(file, 'not json\n{"v":2}\n', { append: true });
    for (let n = 3; n <= 400; n++) await appendHistory(file, record(n, 1000));
    await Deno.writeTextFile(file, '{"v":1,"start":"torn', { append: true }); // a run killed mid-write
    const recent = await readRecentHistory(file, 3);
    assert.deepEqual(recent.map((r) => r.pid), [400, 399, 398]);
    const all = await readRecentHistory(file, 10_000);
    assert.equal(all.length, 400);
    assert.equal(all[398]!.log!.length, 600_000);
    assert.equal(all[399]!.pid, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("historyRecord: per-target outcome and counts from the summary; busy, partial and interrupted", () => {
  const summary = {
    totals: { messages_appended: 5, failed: 1 },
    channels: [
      { target: "a", channel_id: "1", action: "MERGED", delta: 5 },
      { target: "a", channel_id: "2", action: "SKIPPED", reason: "forbidden" },
      { target: "b", channel_id: "3", action: "SKIPPED_OOM" },
    ],
  };
  const base = {
    tool: "run-scrape-host scrape",
    start: new Date("2026-01-01T00:00:00Z"),
    end: new Date("2026-01-01T00:02:05Z"),
    targets: ["a", "b", "c"],
  };
  const r = historyRecord({ ...base, exitCode: 3, busy: false, summary, summaryFile: "/s.json" });
  assert.equal(r.result, "partial");
  assert.equal(r.duration_s, 125);
  assert.deepEqual(r.targets.a, { result: "ok", channels: 2, appended: 5, failed: 0, skipped: 1 });
  assert.deepEqual(r.targets.b, {
    result: "partial",
    channels: 1,
    appended: 0,
    failed: 1,
    skipped: 0,
  });
  assert.deepEqual(r.targets.c, { result: "ok", channels: 0, appended: 0, failed: 0, skipped: 0 });
  assert.deepEqual(r.problems.map((p) => [p.id, p.action, p.reason]), [
    ["2", "SKIPPED", "forbidden"],
    ["3", "SKIPPED_OOM", undefined],
  ]);
  assert.equal(r.summary, "/s.json");
  assert.equal(r.totals?.messages_appended, 5);
  assert.equal(historyRecord({ ...base, exitCode: 1, busy: true }).result, "busy");
  assert.equal(
    historyRecord({ ...base, exitCode: 143, busy: false }).targets.a?.result,
    "interrupted",
  );
  const failed = historyRecord({ ...base, exitCode: 1, busy: false });
  assert.equal(failed.targets.c?.result, "failed");
  assert.equal(failed.summary, null);
});
