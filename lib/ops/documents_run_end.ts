// run-documents-scrape's end: one history line per run (a dry run is none), the metrics file and the
// failure hook, through finishRun. Its run-scrape-host steps leave all of it to the workflow.
import type { ScrapeConfig, UnattendedConfig } from "../config/scrape_config.ts";
import { hostRunnerEnv } from "./operator_ready.ts";
import { endSettings, finishRun, selectedTargetNames, thisRunSummary } from "./run_end.ts";
import type { FrameEnd } from "./unattended_run.ts";

/** What the workflow learned on its way, for its end. */
export interface DocumentsRunState {
  /** The scrape began (the summary file was announced): from here on the run leaves a summary. */
  scraping: boolean;
  /** Known once the config is loaded: the archive root (the history) and the settings (the hook). */
  config?: ScrapeConfig;
  settings?: UnattendedConfig;
}

export interface DocumentsEnd {
  mode: string;
  start: Date;
  clock: () => Date;
  targets: readonly string[];
  logFile: string | undefined;
  summaryFile: string | undefined;
  /** fileStamp() of the summary file before the run. */
  summaryBaseline: string | null | undefined;
  metricsFile: string | undefined;
  env: Record<string, string | undefined>;
  repoRoot: string;
}

export async function finishDocumentsRun(
  end: FrameEnd,
  facts: DocumentsEnd,
  run: DocumentsRunState,
): Promise<void> {
  if (facts.mode === "dry-run") return; // not a run: it records nothing
  const summary = run.scraping && facts.summaryFile !== undefined
    ? await thisRunSummary(facts.summaryFile, facts.summaryBaseline)
    : undefined;
  const salvageOnly = facts.mode === "salvage-only";
  const env = await hostRunnerEnv(facts.env, facts.repoRoot).catch(() => facts.env);
  await finishRun({
    facts: {
      tool: salvageOnly ? "run-documents-scrape --salvage-only" : "run-documents-scrape",
      start: facts.start,
      end: facts.clock(),
      exitCode: end.code,
      busy: end.busy,
      // A salvage scrapes no target: it is nobody's last success.
      targets: salvageOnly ? [] : selectedTargetNames(run.config, facts.targets),
      logFile: facts.logFile,
      summaryFile: facts.summaryFile,
      summary,
    },
    archiveRoot: run.config?.archiveRoot,
    settings: run.settings ?? endSettings(undefined, env),
    digest: end.digest,
    metricsFile: facts.metricsFile,
    repoRoot: facts.repoRoot,
    env,
    out: (line) => end.log.out(line),
    warn: (line) => end.warn(line),
  });
}
