import assert from "node:assert/strict";
import {
  buildSummary,
  type ChannelRecord,
  OOM_HINT,
  summaryLines,
} from "../lib/scrape/scrape_summary.ts";

const rec = (
  action: ChannelRecord["action"],
  delta: number,
  extra: Partial<ChannelRecord> = {},
): ChannelRecord => ({
  target: "t",
  channel_id: "1",
  guild_label: "G [2]",
  file_path: "/a/x [1].json",
  action,
  before_count: 10,
  fetched_count: delta,
  after_count: 10 + delta,
  delta,
  ...extra,
});

Deno.test("buildSummary(): skipped includes skipped_oom; messages_appended sums CREATED and MERGED only", () => {
  const s = buildSummary(
    [
      rec("CREATED", 5),
      rec("MERGED", 3),
      rec("UNCHANGED", 0),
      rec("SKIPPED", 0),
      rec("SKIPPED_OOM", 0, { exit_code: 137 }),
    ],
    new Date("2026-01-02T03:04:05.678Z"),
  );
  assert.equal(s.version, 1);
  assert.equal(s.finished_at, "2026-01-02T03:04:05Z");
  assert.deepEqual(s.totals, {
    created: 1,
    merged: 1,
    unchanged: 1,
    skipped: 2,
    skipped_oom: 1,
    failed: 0,
    messages_appended: 8,
  });
  assert.ok(s.channels.every((c) => !("exit_code" in c)), "exit_code is text-only");
  assert.deepEqual(Object.keys(s.channels[0] ?? {}), [
    "target",
    "channel_id",
    "guild_label",
    "file_path",
    "action",
    "before_count",
    "fetched_count",
    "after_count",
    "delta",
  ]);
});

Deno.test("summaryLines(): the docs/scrape.md line shapes, totals and the OOM hint", () => {
  const records = [
    rec("CREATED", 5, { before_count: 0, after_count: 5 }),
    rec("MERGED", 3),
    rec("UNCHANGED", 0),
    rec("SKIPPED", 0),
    rec("SKIPPED_OOM", 0, { exit_code: 134 }),
  ];
  const lines = summaryLines(records, buildSummary(records, new Date()));
  assert.deepEqual(lines, [
    "=== Scrape run summary ===",
    "  CREATED  /a/x [1].json  +5 messages (0 → 5)  channel 1  G [2]",
    "  MERGED   /a/x [1].json  +3 messages (10 → 13, fetched 3)  channel 1  G [2]",
    "  UNCHANGED /a/x [1].json  10 messages  channel 1  G [2]",
    "  SKIPPED  channel 1  G [2]  (inaccessible or non-fatal export error)",
    "  SKIPPED (OOM/aborted)  channel 1  G [2]  (exit 134; partial temp preserved under .dce-temp when present)",
    "Totals: 1 created, 1 merged, 1 unchanged, 2 skipped; +8 messages appended",
    OOM_HINT,
  ]);
});

Deno.test("summaryLines(): nothing recorded", () => {
  assert.deepEqual(summaryLines([], buildSummary([], new Date())), [
    "=== Scrape run summary ===",
    "  No channel activity recorded.",
  ]);
});
