// `./dce status`: the lock, the last runs, per target the last success and per channel the archive
// and its recent outcomes, in one object (the --json schema, docs/unattended.md#dce-status).
import type { ScrapeConfig } from "../config/scrape_config.ts";
import type { LockStatus } from "../lock/read_lock_status.ts";
import { utcSeconds } from "../cli/utc_stamp.ts";
import { channelArchives } from "./archive_overview.ts";
import type { HistoryRecord, RunResult } from "./run_history.ts";

/** How many of the newest history records status reads (the rest of the file is not touched). */
export const STATUS_WINDOW = 2000;
/** A channel failed or skipped this many runs in a row looks stale. */
export const DEFAULT_STALE_RUNS = 3;

export interface StatusOptions {
  config: ScrapeConfig;
  lock: LockStatus;
  historyFile: string;
  /** Newest first. */
  history: readonly HistoryRecord[];
  now: Date;
  staleRuns: number;
  /** Seconds; a target whose last success is older (or that never succeeded) is overdue. */
  maxAgeSeconds?: number | undefined;
  lastRuns: number;
}

export interface TargetStatus {
  name: string;
  enabled: boolean;
  last_run: string | null;
  last_result: RunResult | null;
  last_success: string | null;
  /** Seconds since the last success; null when there is none in the window. */
  since_success_s: number | null;
  overdue: boolean;
}

export interface ChannelStatus {
  target: string;
  channel_id: string;
  archive: string | null;
  size: number | null;
  messages: number | null;
  last_message: string | null;
  /** ok, or the action of the newest run that covered its target (SKIPPED, SKIPPED_OOM, FAILED). */
  last_outcome: string | null;
  /** Runs of its target in a row (newest first) in which it failed or was skipped. */
  failed_in_a_row: number;
  stale: boolean;
  reason: string | null;
}

export interface StatusReport {
  v: 1;
  now: string;
  config: string;
  archive_root: string;
  history_file: string;
  lock: {
    state: string;
    state_line: string;
    holder:
      | { pid: number; tool: string | null; started: string | null; host: string | null }
      | null;
  };
  runs: HistoryRecord[];
  targets: TargetStatus[];
  channels: ChannelStatus[];
  stale_channels: number;
  overdue_targets: string[];
}

function targetStatus(
  name: string,
  enabled: boolean,
  history: readonly HistoryRecord[],
  opts: StatusOptions,
): TargetStatus {
  const runs = history.filter((r) => r.targets[name] !== undefined);
  const last = runs[0];
  const success = runs.find((r) => r.targets[name]?.result === "ok");
  const since = success === undefined
    ? null
    : Math.max(0, Math.round((opts.now.getTime() - Date.parse(success.end)) / 1000));
  const overdue = enabled && opts.maxAgeSeconds !== undefined &&
    (since === null || since > opts.maxAgeSeconds);
  return {
    name,
    enabled,
    last_run: last?.end ?? null,
    last_result: last?.targets[name]?.result ?? null,
    last_success: success?.end ?? null,
    since_success_s: since,
    overdue,
  };
}

/** The newest runs that reached the channels of `target` (busy and early failures did not). */
function coveringRuns(history: readonly HistoryRecord[], target: string): HistoryRecord[] {
  return history.filter((r) => (r.targets[target]?.channels ?? 0) > 0);
}

function channelOutcomes(runs: readonly HistoryRecord[], id: string, staleRuns: number) {
  let inARow = 0;
  let last: string | null = null;
  let reason: string | null = null;
  for (const [i, run] of runs.entries()) {
    const problem = run.problems.find((p) => p.id === id);
    if (i === 0) {
      last = problem?.action ?? "ok";
      reason = problem?.reason ?? null;
    }
    if (problem === undefined) break;
    inARow++;
  }
  return { last_outcome: last, failed_in_a_row: inARow, stale: inARow >= staleRuns, reason };
}

export async function runStatus(opts: StatusOptions): Promise<StatusReport> {
  const { config, history } = opts;
  const targets = config.targets.map((t) => targetStatus(t.name, t.enabled, history, opts));
  const channels: ChannelStatus[] = [];
  for (const target of config.targets) {
    const runs = coveringRuns(history, target.name);
    const seen = new Set<string>();
    for (const a of await channelArchives(target.outputDir)) {
      seen.add(a.channelId);
      channels.push({
        target: target.name,
        channel_id: a.channelId,
        archive: a.path,
        size: a.size,
        messages: a.count,
        last_message: a.lastMessageAt ? utcSeconds(a.lastMessageAt) : null,
        ...channelOutcomes(runs, a.channelId, opts.staleRuns),
      });
    }
    // Channels the newest run could not export and that have no archive yet.
    for (const p of runs[0]?.problems ?? []) {
      if (p.target !== target.name || seen.has(p.id)) continue;
      seen.add(p.id);
      channels.push({
        target: target.name,
        channel_id: p.id,
        archive: null,
        size: null,
        messages: null,
        last_message: null,
        ...channelOutcomes(runs, p.id, opts.staleRuns),
      });
    }
  }
  const holder = opts.lock.holder;
  return {
    v: 1,
    now: utcSeconds(opts.now),
    config: config.path,
    archive_root: config.archiveRoot,
    history_file: opts.historyFile,
    lock: {
      state: opts.lock.state,
      state_line: opts.lock.stateLine,
      holder: holder === null ? null : {
        pid: holder.pid,
        tool: holder.tool ?? null,
        started: holder.started ?? null,
        host: holder.host ?? null,
      },
    },
    runs: history.slice(0, opts.lastRuns),
    targets,
    channels,
    stale_channels: channels.filter((c) => c.stale).length,
    overdue_targets: targets.filter((t) => t.overdue).map((t) => t.name),
  };
}
