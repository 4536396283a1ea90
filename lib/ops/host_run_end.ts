// run-scrape-host's end when it is run on its own (by cron, by hand): history, metrics, hook. A
// preflight is a check, not a run; a step of run-documents-scrape leaves the end to the workflow.
import type { HostArgs, HostSubcommand } from "../host/host_args.ts";
import type { HostSeen } from "../host/host_run_options.ts";
import { unattendedSettings } from "../config/unattended_settings.ts";
import { UNATTENDED_DEFAULTS, type UnattendedConfig } from "../config/scrape_config.ts";
import {
  endedByParent,
  endSettings,
  finishRun,
  selectedTargetNames,
  thisRunSummary,
} from "./run_end.ts";

export interface HostRunEnd {
  sub: HostSubcommand;
  args: HostArgs;
  start: Date;
  end: Date;
  exitCode: number;
  busy: boolean;
  seen: HostSeen;
  exported: Record<string, string>;
  ppid: number;
  repoRoot: string;
  digest: readonly string[];
  out: (line: string) => void;
  warn: (line: string) => void;
}

export async function endHostRun(e: HostRunEnd): Promise<void> {
  if (e.sub === "preflight" || endedByParent(e.exported, e.ppid)) return;
  const env = e.seen.env ?? e.exported;
  const config = e.seen.config;
  let settings: UnattendedConfig;
  try {
    settings = unattendedSettings(config?.unattended ?? UNATTENDED_DEFAULTS, env);
  } catch (err) {
    e.warn(`WARN: ${(err as Error).message} Using the config's settings without it.`);
    settings = endSettings(config?.unattended, env);
  }
  const summaryFile = e.seen.summaryFile ?? undefined;
  const summary = summaryFile === undefined || e.seen.summaryBaseline === undefined
    ? undefined
    : await thisRunSummary(summaryFile, e.seen.summaryBaseline);
  await finishRun({
    facts: {
      tool: `run-scrape-host ${e.sub}`,
      start: e.start,
      end: e.end,
      exitCode: e.exitCode,
      busy: e.busy,
      // A salvage scrapes no target: it is nobody's last success.
      targets: e.sub === "salvage" ? [] : selectedTargetNames(config, e.args.targets),
      summaryFile,
      summary,
    },
    archiveRoot: config?.archiveRoot,
    settings,
    digest: e.digest,
    metricsFile: e.args.metricsFile,
    repoRoot: e.repoRoot,
    env,
    out: e.out,
    warn: e.warn,
  });
}
