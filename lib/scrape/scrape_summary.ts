// Per-channel outcomes of a scrape run, the text summary (docs/scrape.md#output) and the JSON run summary (docs/scrape.md#json-run-summary).
import { utcSeconds } from "../cli/utc_stamp.ts";

/**
 * SKIPPED: the token cannot read it (403/404) or it is a forum. SKIPPED_OOM: the export was killed
 * (the older suite's name; it counts as a failure). FAILED: the export failed (after its retries).
 */
export type ChannelAction =
  | "CREATED"
  | "MERGED"
  | "UNCHANGED"
  | "SKIPPED"
  | "SKIPPED_OOM"
  | "FAILED";

export interface ChannelRecord {
  target: string;
  channel_id: string;
  guild_label: string;
  /** Archive path, or "n/a" when none is known. */
  file_path: string;
  action: ChannelAction;
  before_count: number;
  fetched_count: number;
  after_count: number;
  delta: number;
  /** Exit code of a skipped export (not in the JSON document; shown in the text line). */
  exit_code?: number;
  /** Why a channel was skipped or failed. */
  reason?: string;
  /** How many exports were tried, when more than one. */
  attempts?: number;
}

/** How the run ended: `ok` (exit 0), `partial` (3), `failed` (1), `interrupted` (128+n). */
export type RunOutcome = "ok" | "partial" | "failed" | "interrupted";

export interface RunSummary {
  version: 1;
  finished_at: string;
  /** Added by the unattended contract; readers of the first schema ignore it. */
  outcome: RunOutcome;
  exit_code: number;
  totals: {
    created: number;
    merged: number;
    unchanged: number;
    skipped: number;
    skipped_oom: number;
    /** FAILED channels (SKIPPED_OOM ones are counted in skipped_oom). */
    failed: number;
    messages_appended: number;
  };
  channels: Array<Omit<ChannelRecord, "exit_code">>;
}

export const OOM_HINT =
  "Hint: for OOM/aborted channels, raise container memory (target container_memory in config or DCE_CONTAINER_MEMORY in scrape.env), run --salvage-before-scrape, then retry with --channel.";

export function buildSummary(
  records: readonly ChannelRecord[],
  finishedAt: Date,
  end: { outcome: RunOutcome; exitCode: number } = { outcome: "ok", exitCode: 0 },
): RunSummary {
  const count = (a: ChannelAction) => records.filter((r) => r.action === a).length;
  const skippedOom = count("SKIPPED_OOM");
  return {
    version: 1,
    finished_at: utcSeconds(finishedAt),
    outcome: end.outcome,
    exit_code: end.exitCode,
    totals: {
      created: count("CREATED"),
      merged: count("MERGED"),
      unchanged: count("UNCHANGED"),
      // `skipped` includes `skipped_oom` (docs/scrape.md#json-run-summary).
      skipped: count("SKIPPED") + skippedOom,
      skipped_oom: skippedOom,
      failed: count("FAILED"),
      messages_appended: records
        .filter((r) => r.action === "CREATED" || r.action === "MERGED")
        .reduce((sum, r) => sum + r.delta, 0),
    },
    channels: records.map(({ exit_code: _exit, ...rest }) => rest),
  };
}

/** The text block printed at the end of a scrape (without timestamps; the caller logs each line). */
export function summaryLines(records: readonly ChannelRecord[], summary: RunSummary): string[] {
  const lines = ["=== Scrape run summary ==="];
  if (records.length === 0) {
    lines.push("  No channel activity recorded.");
    return lines;
  }
  for (const r of records) {
    const base = r.file_path;
    switch (r.action) {
      case "CREATED":
        lines.push(
          `  CREATED  ${base}  +${r.delta} messages (0 → ${r.after_count})  channel ${r.channel_id}  ${r.guild_label}`,
        );
        break;
      case "MERGED":
        lines.push(
          `  MERGED   ${base}  +${r.delta} messages (${r.before_count} → ${r.after_count}, fetched ${r.fetched_count})  channel ${r.channel_id}  ${r.guild_label}`,
        );
        break;
      case "UNCHANGED":
        lines.push(
          `  UNCHANGED ${base}  ${r.after_count} messages  channel ${r.channel_id}  ${r.guild_label}`,
        );
        break;
      case "SKIPPED_OOM":
        lines.push(
          `  SKIPPED (OOM/aborted)  channel ${r.channel_id}  ${r.guild_label}  (exit ${
            r.exit_code ?? "?"
          }; partial temp preserved under .dce-temp when present)`,
        );
        break;
      case "SKIPPED":
        lines.push(
          `  SKIPPED  channel ${r.channel_id}  ${r.guild_label}  (inaccessible or non-fatal export error)`,
        );
        break;
      case "FAILED":
        lines.push(
          `  FAILED   channel ${r.channel_id}  ${r.guild_label}  (${r.reason ?? "export failed"})`,
        );
        break;
    }
  }
  const t = summary.totals;
  lines.push(
    `Totals: ${t.created} created, ${t.merged} merged, ${t.unchanged} unchanged, ${t.skipped} skipped${
      t.failed > 0 ? `, ${t.failed} failed` : ""
    }; +${t.messages_appended} messages appended`,
  );
  if (t.skipped_oom > 0) lines.push(OOM_HINT);
  return lines;
}
