// The one-screen text view of a StatusReport: lock, last runs, targets, and only the channels worth
// a look (stale, or failed/skipped last time) unless every channel is asked for.
import type { ChannelStatus, StatusReport } from "./run_status.ts";

/** `3d4h`, `5h12m`, `7m`, `40s`. */
export function humanAge(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  return m > 0 ? `${m}m` : `${seconds}s`;
}

function mib(bytes: number | null): string {
  return bytes === null ? "?" : `${(bytes / 1048576).toFixed(1)} MiB`;
}

function channelLine(c: ChannelStatus): string {
  const streak = c.failed_in_a_row > 0 ? `, ${c.failed_in_a_row} run(s) in a row` : "";
  return `  ${c.stale ? "STALE " : ""}${c.target}/${c.channel_id}  ${
    c.messages ?? "?"
  } msgs, last ${c.last_message ?? "?"}, ${mib(c.size)}, last outcome ${
    c.last_outcome ?? "none"
  }${streak}${c.reason ? ` (${c.reason})` : ""}`;
}

export function statusText(report: StatusReport, allChannels: boolean): string[] {
  const lines = [
    `Archive root: ${report.archive_root}  (config ${report.config})`,
    `Lock: ${report.lock.state_line}`,
  ];
  const h = report.lock.holder;
  if (h !== null) {
    lines.push(
      `  holder pid ${h.pid}${h.tool ? ` (${h.tool})` : ""}${h.host ? ` on ${h.host}` : ""}${
        h.started ? `, since ${h.started}` : ""
      }`,
    );
  }
  lines.push(`Last runs (newest first; history ${report.history_file}):`);
  if (report.runs.length === 0) lines.push("  none recorded yet");
  for (const r of report.runs) {
    const appended = r.totals?.messages_appended;
    lines.push(
      `  ${r.end}  ${r.tool}  ${r.result} (exit ${r.exit_code})  ${humanAge(r.duration_s)}${
        appended !== undefined ? `  +${appended} msgs` : ""
      }${
        r.problems.length > 0
          ? `  ${r.problems.length + r.problems_more} channel(s) not exported`
          : ""
      }${r.log ? `  log ${r.log}` : ""}`,
    );
  }
  lines.push("Targets:");
  for (const t of report.targets) {
    const success = t.since_success_s === null
      ? "never succeeded (in the history read)"
      : `last success ${humanAge(t.since_success_s)} ago (${t.last_success})`;
    lines.push(
      `  ${t.overdue ? "OVERDUE " : ""}${t.name}${
        t.enabled ? "" : " (disabled)"
      }  ${success}, last run ${t.last_result ?? "none"}`,
    );
  }
  const shown = allChannels
    ? report.channels
    : report.channels.filter((c) => c.stale || (c.last_outcome ?? "ok") !== "ok");
  const messages = report.channels.reduce((sum, c) => sum + (c.messages ?? 0), 0);
  lines.push(
    `Channels: ${report.channels.length} archived or attempted, ${messages} messages, ${report.stale_channels} stale${
      allChannels ? "" : `; ${shown.length} not ok last run or stale (--channels lists all)`
    }`,
  );
  for (const c of shown) lines.push(channelLine(c));
  return lines;
}
