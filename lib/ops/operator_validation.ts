// run-operator-validation: readiness → lock gate → documents scrape (once, or per target) → JSON audit, as a
// timestamped step log appended to its log file.
import { UsageError } from "../cli/errors.ts";
import { loadConfig } from "../config/load_config.ts";
import { selectTargets } from "../config/select_targets.ts";
import { defaultSummaryFile, logDir } from "./documents_scrape.ts";
import { checkLockGate } from "./lock_gate.ts";
import { runLoggedWorkflow } from "./logged_workflow.ts";
import { hostRunnerEnv } from "./operator_ready.ts";
import type { OpsLog, Write } from "./ops_log.ts";
import { perTargetSummaryFile } from "../scrape/run_summary.ts";
import { uniqueLogPath } from "./unique_log_path.ts";
import { type Clock, systemClock, utcFileStamp } from "../cli/utc_stamp.ts";
import { runStep } from "./workflow_step.ts";

export interface ValidationOptions {
  dryRun: boolean;
  skipScrape: boolean;
  salvageOnly: boolean;
  salvageBefore: boolean;
  target?: string | undefined;
  channels: string[];
  perTarget: boolean;
  continueOnError: boolean;
  configPath: string;
  logFile?: string | undefined;
  env: Record<string, string | undefined>;
  repoRoot: string;
  clock?: Clock;
  stdout?: Write;
  stderr?: Write;
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
  return await runLoggedWorkflow(
    { logFile, summaryFile: () => summaryFile, clock, stdout: opts.stdout, stderr: opts.stderr },
    (log) => validate(opts, log, { perTargetMode, exporting, summaryFile, logFile, clock }),
  );
}

interface Plan {
  perTargetMode: boolean;
  exporting: boolean;
  summaryFile: string | undefined;
  logFile: string;
  clock: Clock;
}

async function validate(opts: ValidationOptions, log: OpsLog, plan: Plan): Promise<number> {
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

  let failures = 0;
  const step = async (label: string, tool: string, args: string[]) => {
    const code = await runStep(log, opts.repoRoot, label, tool, args, opts.env);
    if (code !== 0) failures++;
    return code === 0;
  };
  const cfg = ["--config", opts.configPath];

  await step("verify-operator-ready", "verify-operator-ready", cfg);

  if (opts.skipScrape) {
    log.step("Skip scrape requested.");
  } else {
    // Held or unreadable stops the whole run at once: nothing below may race a live scrape.
    checkLockGate(log, {
      configPath: opts.configPath,
      repoRoot: opts.repoRoot,
      env: await hostRunnerEnv(opts.env, opts.repoRoot),
    });
    if (failures === 0 && plan.perTargetMode) {
      let ok = 0;
      let failed = 0;
      const total = selected.length;
      for (const [index, target] of selected.entries()) {
        const n = target.name;
        const targs = [...cfg, "--target", n, ...channelArgs];
        log.step(`Per-target begin: ${n} (${index + 1}/${total})`);
        let phase: string | undefined;
        if (opts.salvageOnly) {
          if (
            !(await step(`run-documents-scrape (${n} salvage-only)`, "run-documents-scrape", [
              ...targs,
              "--salvage-only",
            ]))
          ) phase = "salvage-only";
          else if (
            !(await step(`audit-archive-json (${n})`, "audit-archive-json", [
              ...cfg,
              "--target",
              n,
            ]))
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
              !(await step(`audit-archive-json (${n})`, "audit-archive-json", [
                ...cfg,
                "--target",
                n,
              ]))
            ) phase = "audit";
            else log.step(`Per-target done: ${n} (ok)`);
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
    } else if (failures === 0) {
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
      if (scraped && !opts.dryRun) {
        for (const target of selected) {
          const passed = await step(`audit-archive-json (${target.name})`, "audit-archive-json", [
            ...cfg,
            "--target",
            target.name,
          ]);
          if (!passed && !opts.continueOnError) break;
        }
      }
    }
  }
  if (failures > 0) {
    log.step(`Operator validation failed (${failures} step(s)).`);
    return 1;
  }
  log.step("Operator validation finished successfully.");
  return 0;
}

/** --sync-gui ran the bash suite's GUI token sync, which dce-ops does not port. */
export function syncGuiUnsupported(): never {
  throw new UsageError(
    "--sync-gui is not supported by dce-ops (sync-token-from-gui was not ported); put the token in scrape.env or a token file (see verify-operator-ready).",
  );
}
