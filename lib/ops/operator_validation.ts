// run-operator-validation: lock → readiness → documents scrape (once, or per target) → JSON audit, as a
// timestamped step log appended to its log file.
import { EXIT, UsageError } from "../cli/errors.ts";
import { loadConfig } from "../config/load_config.ts";
import { selectTargets } from "../config/select_targets.ts";
import { defaultSummaryFile } from "./documents_scrape.ts";
import { logDir } from "./unique_log_path.ts";
import type { OpsLog } from "./ops_log.ts";
import { runUnattended, type UnattendedRun, type WorkflowOptions } from "./unattended_run.ts";
import { perTargetSummaryFile } from "../scrape/run_summary.ts";
import { uniqueLogPath } from "./unique_log_path.ts";
import { type Clock, systemClock, utcFileStamp } from "../cli/utc_stamp.ts";
import { runStep } from "./workflow_step.ts";

export interface ValidationOptions extends WorkflowOptions {
  dryRun: boolean;
  skipScrape: boolean;
  salvageOnly: boolean;
  salvageBefore: boolean;
  target?: string | undefined;
  channels: string[];
  perTarget: boolean;
  continueOnError: boolean;
}

/** The bash tool's two exclusions (dry-run + salvage-before is accepted: the dry run wins). */
export function checkValidationFlags(
  f: { dryRun: boolean; salvageOnly: boolean; salvageBefore: boolean },
): void {
  if (f.salvageOnly && f.salvageBefore) {
    throw new UsageError("--salvage-only and --salvage-before-scrape are mutually exclusive.");
  }
  if (f.salvageOnly && f.dryRun) {
    throw new UsageError("--salvage-only cannot be combined with --dry-run.");
  }
}

export async function runOperatorValidation(opts: ValidationOptions): Promise<number> {
  checkValidationFlags(opts);
  const clock = opts.clock ?? systemClock;
  const logFile = opts.logFile ??
    await uniqueLogPath(
      logDir(opts.env, opts.repoRoot),
      "operator-validation",
      utcFileStamp(clock()),
    );
  const perTargetMode = opts.perTarget && opts.target === undefined;
  const exporting = !opts.dryRun && !opts.skipScrape && !opts.salvageOnly;
  const summaryFile = exporting && !perTargetMode
    ? defaultSummaryFile(opts.env, opts.repoRoot, logFile)
    : undefined;
  return await runUnattended({
    ...opts,
    tool: "run-operator-validation",
    logFile,
    summaryFile: () => summaryFile,
    clock,
  }, (run) => validate(opts, run, { perTargetMode, exporting, summaryFile, logFile, clock }));
}

interface Plan {
  perTargetMode: boolean;
  exporting: boolean;
  summaryFile: string | undefined;
  logFile: string;
  clock: Clock;
}

/** Runs the steps and keeps count: failed steps, and documents runs that were partial (exit 3). */
class StepTally {
  failures = 0;
  partial = 0;
  constructor(
    private readonly log: OpsLog,
    private readonly repoRoot: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  /** True when the step passed; a partial documents run passes (its channels were scraped). */
  async run(label: string, tool: string, args: string[]): Promise<boolean> {
    const code = await runStep(this.log, this.repoRoot, label, tool, args, this.env);
    if (code === EXIT.partial && tool === "run-documents-scrape") {
      this.partial++;
      return true;
    }
    if (code !== 0) this.failures++;
    return code === 0;
  }

  /** The last line and the exit code: 1 a step failed, 3 a scrape was partial, else 0. */
  finish(): number {
    if (this.failures > 0) {
      this.log.step(`Operator validation failed (${this.failures} step(s)).`);
      return EXIT.failure;
    }
    if (this.partial > 0) {
      this.log.step(
        `Operator validation finished with problems: some channels were not exported (exit ${EXIT.partial}, partial; see the FAILED/PARTIAL lines).`,
      );
      return EXIT.partial;
    }
    this.log.step("Operator validation finished successfully.");
    return EXIT.ok;
  }
}

async function validate(opts: ValidationOptions, run: UnattendedRun, plan: Plan): Promise<number> {
  const { log } = run;
  const config = await loadConfig(opts.configPath);
  const selected = selectTargets(config, opts.target !== undefined ? [opts.target] : [], {
    guilds: [],
    channels: opts.channels,
  });
  const channelArgs = opts.channels.flatMap((c) => ["--channel", c]);
  log.step(`Operator validation started (config=${opts.configPath})`);
  if (opts.target !== undefined) {
    log.step(`Targets: ${opts.target}`);
    if (opts.channels.length > 0) log.step(`Scrape channel filter: ${channelArgs.join(" ")}`);
  } else {
    log.step(`Enabled targets: ${selected.map((t) => t.name).join(", ")}`);
  }
  if (opts.salvageOnly) log.step("Mode: salvage-only");
  else if (opts.dryRun) log.step("Mode: dry-run");
  else if (opts.skipScrape) log.step("Mode: skip-scrape");
  else if (opts.salvageBefore) log.step("Mode: salvage-before-scrape");
  if (plan.exporting) {
    log.step(
      plan.perTargetMode
        ? `JSON summaries: per-target under ${logDir(opts.env, opts.repoRoot)}`
        : `JSON summary file: ${plan.summaryFile}`,
    );
  }
  const cfg = ["--config", opts.configPath];

  if (opts.skipScrape) {
    // Readiness only reads: no lock.
    const steps = new StepTally(log, opts.repoRoot, opts.env);
    await steps.run("verify-operator-ready", "verify-operator-ready", cfg);
    log.step("Skip scrape requested.");
    return steps.finish();
  }
  // Before any step: a busy lock stops the run at once, and nothing below races a live scrape.
  return await run.locked(async (lockEnv) => {
    const steps = new StepTally(log, opts.repoRoot, { ...opts.env, ...lockEnv });
    await steps.run("verify-operator-ready", "verify-operator-ready", cfg);
    if (steps.failures > 0) return steps.finish();
    const context = { opts, log, plan, steps, cfg, channelArgs };
    if (plan.perTargetMode) await perTarget(context, selected.map((t) => t.name));
    else await once(context, selected.map((t) => t.name));
    return steps.finish();
  });
}

interface StepContext {
  opts: ValidationOptions;
  log: OpsLog;
  plan: Plan;
  steps: StepTally;
  cfg: string[];
  channelArgs: string[];
}

/** --per-target: one documents run (and audit) per target, stopping at the first failure unless told. */
async function perTarget(
  { opts, log, plan, steps, cfg, channelArgs }: StepContext,
  names: string[],
): Promise<void> {
  const step = (label: string, tool: string, args: string[]) => steps.run(label, tool, args);
  let ok = 0;
  let failed = 0;
  const total = names.length;
  for (const [index, n] of names.entries()) {
    const targs = [...cfg, "--target", n, ...channelArgs];
    log.step(`Per-target begin: ${n} (${index + 1}/${total})`);
    const partialBefore = steps.partial;
    let phase: string | undefined;
    if (opts.salvageOnly) {
      if (
        !(await step(`run-documents-scrape (${n} salvage-only)`, "run-documents-scrape", [
          ...targs,
          "--salvage-only",
        ]))
      ) phase = "salvage-only";
      else if (
        !(await step(`audit-archive-json (${n})`, "audit-archive-json", [...cfg, "--target", n]))
      ) phase = "audit";
      else log.step(`Per-target done: ${n} (salvage-only ok)`);
    } else if (opts.dryRun) {
      if (
        !(await step(`run-documents-scrape (${n})`, "run-documents-scrape", [
          ...targs,
          "--dry-run",
        ]))
      ) phase = "dry-run";
      else log.step(`Per-target done: ${n} (dry-run)`);
    } else {
      if (
        opts.salvageBefore &&
        !(await step(`run-documents-scrape (${n} salvage)`, "run-documents-scrape", [
          ...targs,
          "--salvage-only",
        ]))
      ) {
        phase = "salvage-before";
      } else {
        const summary = perTargetSummaryFile(
          logDir(opts.env, opts.repoRoot),
          "operator-validation",
          n,
          plan.clock(),
        );
        log.step(`Per-target JSON summary: ${summary}`);
        if (
          !(await step(`run-documents-scrape (${n})`, "run-documents-scrape", [
            ...targs,
            "--summary-file",
            summary,
          ]))
        ) phase = "scrape";
        else if (
          !(await step(`audit-archive-json (${n})`, "audit-archive-json", [...cfg, "--target", n]))
        ) phase = "audit";
        else {log.step(
            `Per-target done: ${n} (${steps.partial > partialBefore ? "partial" : "ok"})`,
          );}
      }
    }
    if (phase === undefined) {
      ok++;
    } else {
      failed++;
      log.step(`Per-target failed: ${n} (${phase})`);
      if (!opts.continueOnError) break;
    }
  }
  log.step(`Per-target summary: ${ok} succeeded, ${failed} failed`);
}

/** One documents run for the selection, then the audit of each target. */
async function once(
  { opts, plan, steps, cfg, channelArgs }: StepContext,
  names: string[],
): Promise<void> {
  const step = (label: string, tool: string, args: string[]) => steps.run(label, tool, args);
  const targs = [
    ...cfg,
    ...(opts.target !== undefined ? ["--target", opts.target] : []),
    ...channelArgs,
  ];
  let scraped: boolean;
  if (opts.salvageOnly) {
    scraped = await step("run-documents-scrape (salvage-only)", "run-documents-scrape", [
      ...targs,
      "--salvage-only",
    ]);
  } else if (opts.dryRun) {
    scraped = await step("run-documents-scrape (dry-run)", "run-documents-scrape", [
      ...targs,
      "--dry-run",
    ]);
  } else {
    scraped = !opts.salvageBefore ||
      (await step("run-documents-scrape (salvage-before)", "run-documents-scrape", [
        ...targs,
        "--salvage-only",
      ]));
    if (scraped) {
      scraped = await step("run-documents-scrape", "run-documents-scrape", [
        ...targs,
        "--summary-file",
        plan.summaryFile!,
      ]);
    }
  }
  if (!scraped || opts.dryRun) return;
  for (const name of names) {
    const passed = await step(`audit-archive-json (${name})`, "audit-archive-json", [
      ...cfg,
      "--target",
      name,
    ]);
    if (!passed && !opts.continueOnError) break;
  }
}

/** --sync-gui ran the bash suite's GUI token sync, which dce-ops does not port. */
export function syncGuiUnsupported(): never {
  throw new UsageError(
    "--sync-gui is not supported by dce-ops (sync-token-from-gui was not ported); put the token in scrape.env or a token file (see verify-operator-ready).",
  );
}
