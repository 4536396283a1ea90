// The command-line options setup-cron and setup-systemd share (schedule, selection, files), and the
// request they become, so both installers read them the same way.
import { resolveSettings } from "../config/resolve_settings.ts";
import type { ScheduledRunRequest } from "./scheduled_run.ts";

export const SCHEDULER_OPTIONS = {
  interval: { type: "string" },
  at: { type: "string" },
  cron: { type: "string" },
  remove: { type: "boolean" },
  "dry-run": { type: "boolean" },
  "skip-preflight": { type: "boolean" },
  "salvage-before-scrape": { type: "boolean" },
  target: { type: "string", multiple: true },
  guild: { type: "string", multiple: true },
  channel: { type: "string", multiple: true },
  "log-file": { type: "string" },
  "log-dir": { type: "string" },
  "metrics-file": { type: "string" },
  config: { type: "string" },
  "env-file": { type: "string" },
} as const;

export interface SchedulerValues {
  interval?: string | undefined;
  at?: string | undefined;
  cron?: string | undefined;
  remove?: boolean | undefined;
  "dry-run"?: boolean | undefined;
  "skip-preflight"?: boolean | undefined;
  "salvage-before-scrape"?: boolean | undefined;
  target?: string[] | undefined;
  guild?: string[] | undefined;
  channel?: string[] | undefined;
  "log-file"?: string | undefined;
  "log-dir"?: string | undefined;
  "metrics-file"?: string | undefined;
  config?: string | undefined;
  "env-file"?: string | undefined;
}

export interface SchedulerRequest extends ScheduledRunRequest {
  interval?: string | undefined;
  at?: string | undefined;
  cron?: string | undefined;
  remove: boolean;
  dryRun: boolean;
  skipPreflight: boolean;
}

export function schedulerRequest(
  values: SchedulerValues,
  env: Record<string, string | undefined>,
  repoRoot: string,
): SchedulerRequest {
  return {
    interval: values.interval,
    at: values.at,
    cron: values.cron,
    remove: values.remove ?? false,
    dryRun: values["dry-run"] ?? false,
    skipPreflight: values["skip-preflight"] ?? false,
    salvageBeforeScrape: values["salvage-before-scrape"] ?? false,
    targets: values.target ?? [],
    guilds: values.guild ?? [],
    channels: values.channel ?? [],
    logFile: values["log-file"],
    logDir: values["log-dir"],
    metricsFile: values["metrics-file"],
    configPath: resolveSettings({ config: values.config, env, repoRoot }).configPath,
    envFile: values["env-file"],
    env,
    repoRoot,
  };
}
