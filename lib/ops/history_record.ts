// One run's history line from what the tool knows at its end: exit code, busy or not, the selected
// targets and, when this run wrote one, its JSON summary (per-channel outcomes and counts).
import { hostname } from "node:os";
import { utcSeconds } from "../cli/utc_stamp.ts";
import {
  type ChannelProblem,
  type HistoryRecord,
  MAX_PROBLEMS,
  type RunResult,
  type TargetOutcome,
} from "./run_history.ts";

/** Exit 3 is partial: the run finished but some channels were not exported. */
const PARTIAL_EXIT = 3;

export interface RunFacts {
  tool: string;
  start: Date;
  end: Date;
  exitCode: number;
  /** Another scrape held the lock, so this run did nothing. */
  busy: boolean;
  /** The targets this run was asked for (every enabled one when none was named). */
  targets: readonly string[];
  logFile?: string | undefined;
  summaryFile?: string | undefined;
  /** The summary this run wrote (parsed), or undefined when it wrote none. */
  summary?: unknown;
}

export function resultOf(exitCode: number, busy: boolean): RunResult {
  if (busy) return "busy";
  if (exitCode === 0) return "ok";
  if (exitCode === PARTIAL_EXIT) return "partial";
  return exitCode > 128 ? "interrupted" : "failed";
}

interface SummaryChannel {
  target?: unknown;
  channel_id?: unknown;
  action?: unknown;
  delta?: unknown;
  reason?: unknown;
}

function summaryChannels(summary: unknown): SummaryChannel[] {
  const channels = (summary as { channels?: unknown } | null)?.channels;
  return Array.isArray(channels) ? channels.filter((c) => typeof c === "object" && c) : [];
}

function summaryTotals(summary: unknown): Record<string, number> | null {
  const totals = (summary as { totals?: unknown } | null)?.totals;
  if (typeof totals !== "object" || totals === null) return null;
  return Object.fromEntries(Object.entries(totals).filter(([, v]) => typeof v === "number"));
}

const FAILED_ACTIONS = new Set(["FAILED", "SKIPPED_OOM"]);

export function historyRecord(facts: RunFacts): HistoryRecord {
  const result = resultOf(facts.exitCode, facts.busy);
  const finished = result === "ok" || result === "partial";
  const targets: Record<string, TargetOutcome> = {};
  const outcomeOf = (name: string): TargetOutcome =>
    targets[name] ??= {
      result: finished ? "ok" : result,
      channels: 0,
      appended: 0,
      failed: 0,
      skipped: 0,
    };
  for (const name of facts.targets) outcomeOf(name);
  const problems: ChannelProblem[] = [];
  let problemsMore = 0;
  for (const c of summaryChannels(facts.summary)) {
    if (typeof c.target !== "string" || typeof c.channel_id !== "string") continue;
    const action = String(c.action ?? "");
    const t = outcomeOf(c.target);
    t.channels++;
    if (action === "CREATED" || action === "MERGED") t.appended += Number(c.delta) || 0;
    if (FAILED_ACTIONS.has(action)) t.failed++;
    else if (action === "SKIPPED") t.skipped++;
    else continue;
    // Skips are ordinary (the token cannot read the channel); a failed channel makes it partial.
    if (finished && t.failed > 0) t.result = "partial";
    if (problems.length >= MAX_PROBLEMS) {
      problemsMore++;
      continue;
    }
    const problem: ChannelProblem = { id: c.channel_id, target: c.target, action };
    if (typeof c.reason === "string") problem.reason = c.reason.slice(0, 200);
    problems.push(problem);
  }
  return {
    v: 1,
    tool: facts.tool,
    start: utcSeconds(facts.start),
    end: utcSeconds(facts.end),
    duration_s: Math.max(0, Math.round((facts.end.getTime() - facts.start.getTime()) / 1000)),
    host: hostname(),
    pid: Deno.pid,
    result,
    exit_code: facts.exitCode,
    log: facts.logFile ?? null,
    summary: facts.summary === undefined ? null : facts.summaryFile ?? null,
    targets,
    totals: facts.summary === undefined ? null : summaryTotals(facts.summary),
    problems,
    problems_more: problemsMore,
  };
}
