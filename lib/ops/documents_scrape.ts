// run-documents-scrape: [dry-run: archives and plan, then stop] → lock → archives → plan → disk gate →
// [salvage] → preflight → incremental scrape, with everything tee'd to an appended log and a JSON run
// summary.
import { EXIT, UsageError, UserError } from "../cli/errors.ts";
import { loadConfig } from "../config/load_config.ts";
import type { ScrapeConfig } from "../config/scrape_config.ts";
import { selectTargets } from "../config/select_targets.ts";
import { coreArgv } from "../host/host_args.ts";
import { hostSummaryPath } from "../host/host_paths.ts";
import type { OpsLog } from "./ops_log.ts";
import { fileStamp } from "../scrape/run_summary.ts";
import { findToken, hostRunnerEnv, verifyDiskOnly } from "./operator_ready.ts";
import { unattendedSettings } from "../config/unattended_settings.ts";
import { type DocumentsRunState, finishDocumentsRun } from "./documents_run_end.ts";
import { RUN_PARENT_ENV } from "./run_end.ts";
import { runUnattended, type UnattendedRun, type WorkflowOptions } from "./unattended_run.ts";
import { alreadyShown, shownEnv, unlessShown } from "../cli/shown_facts.ts";
import { StepFailedError } from "./report_failure.ts";
import { runTool } from "./run_child.ts";
import { formatRunPlan } from "../host/run_plan.ts";
import { verifyArchives } from "./verify_archives.ts";
import { logDir, uniqueLogPath } from "./unique_log_path.ts";
import { systemClock, utcFileStamp } from "../cli/utc_stamp.ts";

export type DocumentsMode = "live" | "dry-run" | "salvage-only" | "salvage-before";

export interface DocumentsOptions extends WorkflowOptions {
  mode: DocumentsMode;
  targets: string[];
  channels: string[];
  guilds: string[];
  summaryFile?: string | undefined;
  /** Any skipped channel makes the scrape partial. */
  strict?: boolean;
  /** node_exporter textfile written at the end of the run (docs/unattended.md#metrics-file). */
  metricsFile?: string | undefined;
}

/** The mode from the three exclusive flags (usage error when more than one is given). */
export function documentsMode(flags: {
  dryRun?: boolean | undefined;
  salvageOnly?: boolean | undefined;
  salvageBefore?: boolean | undefined;
}): DocumentsMode {
  const set = [flags.dryRun, flags.salvageOnly, flags.salvageBefore].filter(Boolean).length;
  if (set > 1) {
    throw new UsageError("Use only one of --dry-run, --salvage-only, or --salvage-before-scrape.");
  }
  if (flags.dryRun) return "dry-run";
  if (flags.salvageOnly) return "salvage-only";
  if (flags.salvageBefore) return "salvage-before";
  return "live";
}

/** `<log without .log>.summary.json` */
export function summaryFileFor(logFile: string): string {
  return `${logFile.replace(/\.log$/, "")}.summary.json`;
}

/**
 * This run's summary file: DCE_RUN_SUMMARY_FILE read as the host runner reads it (`/logs/<x>` is
 * `<repo>/logs/<x>`, relative is under the repo), so the workflow recovers into the file the runner
 * writes; else `<log without .log>.summary.json`.
 */
export function defaultSummaryFile(
  env: Record<string, string | undefined>,
  repoRoot: string,
  logFile: string,
): string {
  const fromEnv = env["DCE_RUN_SUMMARY_FILE"];
  return fromEnv ? hostSummaryPath(fromEnv, repoRoot) : summaryFileFor(logFile);
}

export interface DocumentsPaths {
  logFile: string | undefined;
  summaryFile: string | undefined;
}

/** Live modes always log (default documents-scrape-<stamp>.log) and write a summary; others only on request. */
export async function documentsPaths(opts: DocumentsOptions, now: Date): Promise<DocumentsPaths> {
  const exporting = opts.mode === "live" || opts.mode === "salvage-before";
  if (!exporting) return { logFile: opts.logFile, summaryFile: undefined };
  const logFile = opts.logFile ??
    await uniqueLogPath(logDir(opts.env, opts.repoRoot), "documents-scrape", utcFileStamp(now));
  // An explicit --summary-file beats the environment (the bash tool let the environment win).
  const summaryFile = opts.summaryFile ?? defaultSummaryFile(opts.env, opts.repoRoot, logFile);
  return { logFile, summaryFile };
}

/**
 * Runs the workflow; returns the exit code (0 ok, 3 partial, 1 failure, a failing step's code, the
 * busy code, 130/143/129).
 */
export async function runDocumentsScrape(opts: DocumentsOptions): Promise<number> {
  const clock = opts.clock ?? systemClock;
  const start = clock();
  const paths = await documentsPaths(opts, start);
  const run: DocumentsRunState = { scraping: false };
  // The previous run's summary stays until this run's replaces it (atomically); this tells them apart.
  const baseline = paths.summaryFile === undefined ? undefined : await fileStamp(paths.summaryFile);
  return await runUnattended({
    ...opts,
    tool: "run-documents-scrape",
    logFile: paths.logFile,
    // Only a run that reached its scrape leaves a summary (and the digest names it).
    summaryFile: () => (run.scraping ? paths.summaryFile : undefined),
    ...(baseline !== undefined ? { summaryBaseline: baseline } : {}),
    clock,
    finish: (end) =>
      finishDocumentsRun(end, {
        mode: opts.mode,
        start,
        clock,
        targets: opts.targets,
        ...paths,
        summaryBaseline: baseline,
        metricsFile: opts.metricsFile,
        env: opts.env,
        repoRoot: opts.repoRoot,
      }, run),
  }, (unattended) => workflow(opts, unattended, paths, run));
}

async function workflow(
  opts: DocumentsOptions,
  unattended: UnattendedRun,
  paths: DocumentsPaths,
  run: DocumentsRunState,
): Promise<number> {
  const { log } = unattended;
  const config = await loadConfig(opts.configPath);
  run.config = config;
  run.settings = unattendedSettings(
    config.unattended,
    await hostRunnerEnv(opts.env, opts.repoRoot),
  );
  selectTargets(config, opts.targets, { guilds: opts.guilds, channels: opts.channels });
  if (paths.logFile !== undefined) log.out(`Log file: ${paths.logFile}`);
  if (opts.mode === "dry-run") {
    await plan(opts, log, config);
    // Say what is true of the token: the next step differs when there is none.
    const token = await findToken(opts.env, opts.repoRoot).catch(() => null);
    log.out(
      token
        ? `Dry run complete: archive paths verified; token from ${token.source}. Rerun without --dry-run to scrape.`
        : "Dry run complete: archive paths verified. Export DISCORD_TOKEN or create a token file, then rerun without --dry-run.",
    );
    return 0;
  }
  return await unattended.locked((lockEnv) =>
    lockedWorkflow(opts, log, paths, config, lockEnv, run)
  );
}

/** Archive check and run plan (all a dry run does). */
async function plan(opts: DocumentsOptions, log: OpsLog, config: ScrapeConfig): Promise<void> {
  await verifyArchives(unlessShown(opts.env, "archives", log), config);
  if (alreadyShown(opts.env, "plan")) return;
  log.out("");
  for (
    const line of formatRunPlan("Documents scrape", opts.configPath, config.targets, opts.targets)
  ) {
    log.out(line);
  }
}

/** Everything after the lock: its children work under it (lockEnv hands it down). */
async function lockedWorkflow(
  opts: DocumentsOptions,
  log: OpsLog,
  paths: DocumentsPaths,
  config: ScrapeConfig,
  lockEnv: Record<string, string>,
  run: DocumentsRunState,
): Promise<number> {
  await plan(opts, log, config);
  await verifyDiskOnly({
    configPath: opts.configPath,
    diskOnly: true,
    env: opts.env,
    repoRoot: opts.repoRoot,
    out: unlessShown(opts.env, "disk", log),
  }, config);
  // The runs below check the plan and the disk again but need not print them again.
  // They leave the run's end (history, metrics, hook) to this workflow: one run, one record.
  const childEnv = {
    ...lockEnv,
    ...shownEnv(opts.env, "plan", "disk"),
    [RUN_PARENT_ENV]: String(Deno.pid),
  };

  const pass = coreArgv(opts, opts.configPath);
  if (opts.mode === "salvage-only" || opts.mode === "salvage-before") {
    log.out("Salvaging stale partial exports (no Discord export)...");
    const code = await runTool(log, opts.repoRoot, "run-scrape-host", ["salvage", ...pass], {
      baseEnv: opts.env,
      env: childEnv,
    });
    if (code !== 0) throw new StepFailedError("run-scrape-host salvage", code);
    if (opts.mode === "salvage-only") {
      log.out("Salvage-only run complete (no Discord export).");
      return 0;
    }
  }
  // Only live runs reach here: only they ever print this line (dry-run and salvage-only must not).
  log.out(`JSON summary file: ${paths.summaryFile}`);
  await refuseOddSummary(paths.summaryFile!);
  run.scraping = true;
  const env: Record<string, string> = {
    ...childEnv,
    DCE_RUN_SUMMARY_JSON: "1",
    DCE_RUN_SUMMARY_FILE: paths.summaryFile!,
  };
  for (const sub of ["preflight", "scrape"]) {
    log.out(`Running ${sub} (run-scrape-host ${sub})...`);
    const code = await runTool(log, opts.repoRoot, "run-scrape-host", [sub, ...pass], {
      baseEnv: opts.env,
      env,
    });
    if (sub === "scrape" && code === EXIT.partial) {
      log.out(
        `Documents scrape finished with problems: some channels were not exported (exit ${EXIT.partial}, partial; see the FAILED/PARTIAL lines).`,
      );
      return EXIT.partial;
    }
    if (code !== 0) throw new StepFailedError(`run-scrape-host ${sub}`, code);
  }
  log.out("Documents scrape finished successfully.");
  return 0;
}

/** Only a regular file (or nothing) may be where the summary goes: it is replaced by a rename. */
async function refuseOddSummary(file: string): Promise<void> {
  try {
    const info = await Deno.lstat(file);
    if (info.isFile) return;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw new UserError(`Cannot inspect JSON summary file "${file}": ${(err as Error).message}`);
  }
  throw new UserError(
    `JSON summary file "${file}" exists and is not a regular file; choose another --summary-file.`,
  );
}
