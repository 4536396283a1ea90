// run-failure-hook: the configured failure hook for the newest run in the history, for a scheduler
// that learns of the failure itself (systemd's OnFailure=) instead of the run calling the hook.
import { UserError } from "../cli/errors.ts";
import { reportUserError } from "../cli/run_main.ts";
import { type Clock, systemClock } from "../cli/utc_stamp.ts";
import { loadConfig } from "../config/load_config.ts";
import type { ScrapeConfig } from "../config/scrape_config.ts";
import { unattendedSettings } from "../config/unattended_settings.ts";
import { hookWarning, runFailureHook } from "./failure_hook.ts";
import { historyRecord } from "./history_record.ts";
import { hostRunnerEnv } from "./operator_ready.ts";
import type { OpsOutput } from "./ops_log.ts";
import { endSettings } from "./run_end.ts";
import { historyPath, type HistoryRecord, readRecentHistory } from "./run_history.ts";

export interface ReplayOptions {
  configPath: string;
  env: Record<string, string | undefined>;
  repoRoot: string;
  out: OpsOutput;
  clock?: Clock;
}

/** A digest like the run's own, from what its history line keeps. */
export function recordDigest(record: HistoryRecord): string[] {
  const lines = [
    `${record.tool}: ${record.result} (exit ${record.exit_code}), ${record.start} to ${record.end} on ${record.host}`,
  ];
  const shown = record.problems.filter((p) => p.action !== "SKIPPED").slice(0, 8);
  for (const p of shown) {
    lines.push(
      `  ${p.action}: channel ${p.id} of target '${p.target}'${p.reason ? `: ${p.reason}` : ""}`,
    );
  }
  const failed = Object.values(record.targets).reduce((n, t) => n + t.failed, 0);
  if (failed > shown.length) lines.push(`  … ${failed} channel(s) failed in all`);
  lines.push(`Log: ${record.log ?? "none"}`);
  if (record.summary !== null) lines.push(`Summary: ${record.summary}`);
  return lines;
}

/** The newest record, or why there is none. */
async function newestRun(config: ScrapeConfig | undefined): Promise<HistoryRecord | string> {
  if (config === undefined) return "the config could not be loaded, so there is no history to read";
  const path = historyPath(config.archiveRoot);
  try {
    return (await readRecentHistory(path, 1))[0] ?? `no run is recorded in ${path}`;
  } catch (err) {
    return `cannot read ${path}: ${(err as Error).message}`;
  }
}

/**
 * Runs the hook once; returns 0, 1 when the hook failed, or the config's error code (the hook still
 * runs when the environment names one: a broken config is a failure worth reporting).
 */
export async function replayFailureHook(opts: ReplayOptions): Promise<number> {
  const env = await hostRunnerEnv(opts.env, opts.repoRoot);
  let config: ScrapeConfig | undefined;
  let code = 0;
  try {
    config = await loadConfig(opts.configPath);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    code = reportUserError(err, (line) => opts.out.err(line));
  }
  const settings = config
    ? unattendedSettings(config.unattended, env)
    : endSettings(undefined, env);
  if (settings.failureHook === undefined) {
    opts.out.out(
      "No failure hook is configured (unattended.failure_hook or DCE_FAILURE_HOOK); nothing to run.",
    );
    return code;
  }
  const newest = await newestRun(config);
  const now = (opts.clock ?? systemClock)();
  const record = typeof newest === "string"
    ? historyRecord({
      tool: "run-failure-hook",
      start: now,
      end: now,
      exitCode: 1,
      busy: false,
      targets: [],
    })
    : newest;
  const digest = typeof newest === "string"
    ? [`run-failure-hook: no run to report (${newest}).`]
    : recordDigest(newest);
  opts.out.out(`Running the failure hook for: ${digest[0]}`);
  const outcome = await runFailureHook({
    command: settings.failureHook,
    timeoutSeconds: settings.hookTimeoutSeconds,
    cwd: opts.repoRoot,
    env,
    record,
    archiveRoot: config?.archiveRoot,
    digest,
    output: (line) => opts.out.out(`failure hook: ${line}`),
  });
  const warning = hookWarning(outcome, settings.hookTimeoutSeconds);
  if (warning === undefined) return code;
  opts.out.err(warning);
  return code || 1;
}
