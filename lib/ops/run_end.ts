// Everything a run does when it ends, in one place: the history line, the metrics file, retention,
// the failure hook. Each step that fails gives one WARN line and never changes the run's exit code: a broken
// monitor must be seen, but it must not turn a good scrape into a failed one.
import {
  type ScrapeConfig,
  UNATTENDED_DEFAULTS,
  type UnattendedConfig,
} from "../config/scrape_config.ts";
import { fileStamp } from "../scrape/run_summary.ts";
import { UNATTENDED_ENV, unattendedSettings } from "../config/unattended_settings.ts";
import { hookWanted, hookWarning, runFailureHook } from "./failure_hook.ts";
import { historyRecord, type RunFacts } from "./history_record.ts";
import { metricsText, previousLastSuccess, writeMetricsFile } from "./metrics_file.ts";
import { pruneAfterRun } from "./retention.ts";
import { logDir } from "./unique_log_path.ts";
import {
  appendHistory,
  historyPath,
  type HistoryRecord,
  readRecentHistory,
} from "./run_history.ts";

/**
 * Set by run-documents-scrape for the run-scrape-host steps it starts, to its own pid: a child
 * whose parent is that pid leaves the run's end to the workflow, so a run is counted once.
 */
export const RUN_PARENT_ENV = "DCE_RUN_PARENT_PID";

/** True when this process is a step of a workflow that does the run's end itself. */
export function endedByParent(env: Record<string, string | undefined>, ppid: number): boolean {
  return env[RUN_PARENT_ENV] === String(ppid);
}

/**
 * The settings a run's end uses: the environment's over the config's section (the defaults when the
 * config could not be loaded). A bad number in the environment (the run's error, or the caller's
 * WARN) leaves that base as it is; the environment's hook is still taken, so the failure is told.
 */
export function endSettings(
  fromConfig: UnattendedConfig | undefined,
  env: Record<string, string | undefined>,
): UnattendedConfig {
  const base = { ...(fromConfig ?? UNATTENDED_DEFAULTS) };
  try {
    return unattendedSettings(base, env);
  } catch {
    const hook = env[UNATTENDED_ENV.failureHook];
    if (hook === "none") delete base.failureHook;
    else if (hook) base.failureHook = hook;
    return base;
  }
}

/** The selected targets' names: those named, else every enabled one (none known without a config). */
export function selectedTargetNames(
  config: ScrapeConfig | undefined,
  named: readonly string[],
): string[] {
  if (named.length > 0 || config === undefined) return [...named];
  return config.targets.filter((t) => t.enabled).map((t) => t.name);
}

/** The summary this run wrote (parsed), or undefined when the file is still an earlier run's. */
export async function thisRunSummary(
  file: string,
  baseline: string | null | undefined,
): Promise<unknown> {
  if ((await fileStamp(file)) === baseline) return undefined;
  try {
    return JSON.parse(await Deno.readTextFile(file));
  } catch {
    return undefined;
  }
}

export interface RunEnd {
  facts: RunFacts;
  /** The config's archive root; undefined when the config could not be loaded (no history then). */
  archiveRoot: string | undefined;
  settings: UnattendedConfig;
  /** The run's digest (what quiet mode prints): the failure hook's stdin. */
  digest: readonly string[];
  metricsFile?: string | undefined;
  repoRoot: string;
  /** The run's environment (exported and env file): the hook's, without the token. */
  env: Record<string, string | undefined>;
  /** A line of the run's output (the log): what the hook prints. */
  out: (line: string) => void;
  /** A WARN line: the caller shows it where it will be seen (the log; stderr in quiet mode). */
  warn: (line: string) => void;
}

interface EndContext extends RunEnd {
  record: HistoryRecord;
  /** The history line was appended: only then is the history trimmed (one WARN per broken file). */
  historyWritten: boolean;
}

interface EndStep {
  /** Completes "WARN: could not …" when the step throws. */
  what: string;
  run(ctx: EndContext): Promise<void>;
}

// The steps, in order. Retention comes after the history line (this run counts) and the metrics
// (which look back through the history for the last success), and before the hook (which may take
// its time).
const STEPS: EndStep[] = [
  { what: "append to the run history", run: recordHistory },
  { what: "write the metrics file", run: writeMetrics },
  { what: "prune old runs", run: pruneOldRuns },
  { what: "run the failure hook", run: failureHook },
];

/** Called once when a run is over; returns the record it is about. Never throws. */
export async function finishRun(end: RunEnd): Promise<HistoryRecord> {
  const ctx: EndContext = { ...end, record: historyRecord(end.facts), historyWritten: false };
  for (const step of STEPS) {
    try {
      await step.run(ctx);
    } catch (err) {
      end.warn(`WARN: could not ${step.what}: ${(err as Error).message ?? err}`);
    }
  }
  return ctx.record;
}

async function recordHistory(ctx: EndContext): Promise<void> {
  if (ctx.archiveRoot === undefined) return; // no config, no archive root: nowhere to keep it
  await appendHistory(historyPath(ctx.archiveRoot), ctx.record);
  ctx.historyWritten = true;
}

/** How many history lines are searched for the last success (the status tool reads as many). */
const SUCCESS_LOOKBACK = 2000;

async function writeMetrics(ctx: EndContext): Promise<void> {
  // A busy run did nothing; the run holding the lock writes the file when it ends.
  if (ctx.metricsFile === undefined || ctx.record.result === "busy") return;
  const tool = ctx.record.tool;
  let lastSuccess: number | null = null;
  if (ctx.record.result === "ok") lastSuccess = Math.round(Date.parse(ctx.record.end) / 1000);
  else {
    const candidates = [await previousLastSuccess(ctx.metricsFile, tool)];
    if (ctx.archiveRoot !== undefined) {
      const runs = await readRecentHistory(historyPath(ctx.archiveRoot), SUCCESS_LOOKBACK)
        .catch(() => []);
      const ok = runs.find((r) => r.tool === tool && r.result === "ok");
      if (ok) candidates.push(Math.round(Date.parse(ok.end) / 1000));
    }
    const known = candidates.filter((c): c is number => c !== null);
    if (known.length > 0) lastSuccess = Math.max(...known);
  }
  await writeMetricsFile(ctx.metricsFile, metricsText(ctx.record, lastSuccess));
}

async function pruneOldRuns(ctx: EndContext): Promise<void> {
  if (ctx.record.result === "busy") return; // the run holding the lock prunes when it ends
  await pruneAfterRun({
    logDir: logDir(ctx.env, ctx.repoRoot),
    currentFiles: [ctx.record.log, ctx.record.summary].filter((f): f is string => f !== null),
    historyFile: ctx.historyWritten ? historyPath(ctx.archiveRoot!) : null,
    settings: ctx.settings,
    now: new Date(),
    out: ctx.out,
    warn: ctx.warn,
  });
}

async function failureHook(ctx: EndContext): Promise<void> {
  const command = ctx.settings.failureHook;
  if (command === undefined || !hookWanted(ctx.record)) return;
  ctx.out(`Running the failure hook (${ctx.record.result}, exit ${ctx.record.exit_code})...`);
  const outcome = await runFailureHook({
    command,
    timeoutSeconds: ctx.settings.hookTimeoutSeconds,
    cwd: ctx.repoRoot,
    env: ctx.env,
    record: ctx.record,
    archiveRoot: ctx.archiveRoot,
    digest: ctx.digest,
    output: (line) => ctx.out(`failure hook: ${line}`),
  });
  const warning = hookWarning(outcome, ctx.settings.hookTimeoutSeconds);
  if (warning !== undefined) ctx.warn(`${warning} The run's exit code is unchanged.`);
}
