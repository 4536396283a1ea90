#!/usr/bin/env -S deno run --no-prompt -A
// status: one screen for an archive root: the lock, the last runs, targets' last success, channels.
import { parseArgv } from "../lib/cli/parse_args.ts";
import { parseDuration } from "../lib/cli/duration.ts";
import { UsageError } from "../lib/cli/errors.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { resolveSettings } from "../lib/config/resolve_settings.ts";
import { loadConfig } from "../lib/config/load_config.ts";
import { resolveLockPath } from "../lib/lock/resolve_lock_path.ts";
import { readLockStatus } from "../lib/lock/read_lock_status.ts";
import { historyPath, readRecentHistory } from "../lib/ops/run_history.ts";
import { DEFAULT_STALE_RUNS, runStatus, STATUS_WINDOW } from "../lib/ops/run_status.ts";
import { statusText } from "../lib/ops/status_text.ts";

/** --max-age exceeded: distinct from 1 (status could not be read) and 2 (usage/config). */
export const OVERDUE_EXIT = 4;

export const USAGE =
  `Usage: status [--config PATH] [--json] [--max-age DURATION] [--runs N] [--channels]
              [--stale-runs N]

One screen for the config's archive root: the lock and its holder, the last runs and their results
(from {archive_root}/.dce-history.jsonl), per target the time since its last successful run, and the
channels worth a look: per channel the message count, last message date, archive size, last outcome
and how many runs in a row it failed or was skipped. Reads no archive in full.
  --config PATH        default DCE_CONFIG_FILE, DCE_PRIMARY_CONFIG, <repo>/config/scrape-targets.json
  --json               one JSON object (schema: docs/unattended.md#dce-status); lists every channel
  --max-age DURATION   exit ${OVERDUE_EXIT} when an enabled target's last success is older than this
                       (or it has none): 90m, 36h, 7d, 2w or seconds
  --runs N             how many of the last runs to show (default 10)
  --channels           list every channel, not only the stale ones and those not ok last run
  --stale-runs N       a channel failed or skipped this many runs in a row is stale (default ${DEFAULT_STALE_RUNS})
Exit: 0; ${OVERDUE_EXIT} with --max-age when a target is overdue; 2 usage or config error; 1 other errors.`;

function positiveInt(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1) {
    throw new UsageError(`${option} '${value}' must be a whole number of at least 1.`);
  }
  return Number(value);
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgv({
    args: argv,
    options: {
      config: { type: "string" },
      json: { type: "boolean" },
      "max-age": { type: "string" },
      runs: { type: "string" },
      channels: { type: "boolean" },
      "stale-runs": { type: "string" },
    },
  });
  const maxAge = values["max-age"];
  const maxAgeSeconds = maxAge === undefined ? undefined : parseDuration(maxAge, "--max-age");
  const lastRuns = positiveInt(values.runs, "--runs", 10);
  const staleRuns = positiveInt(values["stale-runs"], "--stale-runs", DEFAULT_STALE_RUNS);
  const root = repoRoot(Deno.env);
  const env = Deno.env.toObject();
  const settings = resolveSettings({ config: values.config, env, repoRoot: root });
  const config = await loadConfig(settings.configPath);
  const lockPath = resolveLockPath({
    configPath: config.path,
    repoRoot: root,
    lockFile: settings.lockFile,
  }).path;
  const historyFile = historyPath(config.archiveRoot);
  const report = await runStatus({
    config,
    lock: readLockStatus(lockPath),
    historyFile,
    history: await readRecentHistory(historyFile, STATUS_WINDOW),
    now: new Date(),
    staleRuns,
    maxAgeSeconds,
    lastRuns,
  });
  if (values.json) console.log(JSON.stringify(report));
  else console.log(statusText(report, values.channels ?? false).join("\n"));
  return report.overdue_targets.length > 0 ? OVERDUE_EXIT : 0;
}

if (import.meta.main) await runMain({ name: "status", usage: USAGE, main });
