// run-operator-proof: handoff → optional salvage → incremental scrape → grow-only proof, per target, appended
// to its log. The proof snapshots each target's archives around the very scrape the operator runs.
import { dirname, join } from "node:path";
import { EXIT, UserError } from "../cli/errors.ts";
import { loadConfig } from "../config/load_config.ts";
import { selectTargets } from "../config/select_targets.ts";
import { defaultSummaryFile } from "./documents_scrape.ts";
import { logDir } from "./unique_log_path.ts";
import type { OpsLog } from "./ops_log.ts";
import { runUnattended, type UnattendedRun, type WorkflowOptions } from "./unattended_run.ts";
import { checkValidationFlags } from "./operator_validation.ts";
import { StepFailedError } from "./report_failure.ts";
import { runTool } from "./run_child.ts";
import { formatRunPlan } from "../host/run_plan.ts";
import { shownEnv } from "../cli/shown_facts.ts";
import { perTargetSummaryFile, targetSlug } from "../scrape/run_summary.ts";
import { uniqueLogPath } from "./unique_log_path.ts";
import { type Clock, systemClock, utcFileStamp, utcSeconds } from "../cli/utc_stamp.ts";

export interface ProofOptions extends WorkflowOptions {
  target?: string | undefined;
  channels: string[];
  dryRun: boolean;
  salvageOnly: boolean;
  salvageBefore: boolean;
}

export async function runOperatorProof(opts: ProofOptions): Promise<number> {
  checkValidationFlags(opts);
  const clock = opts.clock ?? systemClock;
  const logFile = opts.logFile ??
    await uniqueLogPath(logDir(opts.env, opts.repoRoot), "operator-proof", utcFileStamp(clock()));
  const single: { summaryFile?: string } = {};
  // Appended, as the usage always said (docs/bash-suite.md#h31-proof-truncated-its-log: the bash tool truncated it).
  return await runUnattended({
    ...opts,
    tool: "run-operator-proof",
    logFile,
    summaryFile: () => single.summaryFile,
    clock,
  }, (run) => prove(opts, run, logFile, clock, single));
}

async function prove(
  opts: ProofOptions,
  run: UnattendedRun,
  logFile: string,
  clock: Clock,
  single: { summaryFile?: string },
): Promise<number> {
  const { log } = run;
  const config = await loadConfig(opts.configPath);
  const selected = selectTargets(config, opts.target !== undefined ? [opts.target] : [], {
    guilds: [],
    channels: opts.channels,
  });
  const names = selected.map((t) => t.name);
  const exporting = !opts.dryRun && !opts.salvageOnly;
  if (exporting && names.length === 1) {
    single.summaryFile = defaultSummaryFile(opts.env, opts.repoRoot, logFile);
  }
  const channelArgs = opts.channels.flatMap((c) => ["--channel", c]);
  const cfg = ["--config", opts.configPath];

  log.out(
    opts.target !== undefined
      ? `Operator proof for target ${opts.target}`
      : `Operator proof for ${names.length} enabled target(s)`,
  );
  log.out(`config: ${opts.configPath}`);
  for (const line of formatRunPlan("Operator proof", opts.configPath, config.targets, names)) {
    log.out(line);
  }
  if (exporting) {
    log.out(
      single.summaryFile !== undefined
        ? `JSON summary file: ${single.summaryFile}`
        : `JSON summaries: per-target under ${dirname(logFile)}`,
    );
  }
  log.out(`started: ${utcSeconds(clock())}`);
  log.out("");

  const handoff = (lockEnv: Record<string, string>) =>
    runTool(log, opts.repoRoot, "operator-handoff", [
      ...cfg,
      ...(opts.target !== undefined ? ["--target", opts.target] : []),
      ...channelArgs,
      ...(opts.salvageOnly ? ["--salvage-only"] : []),
    ], { baseEnv: opts.env, env: { ...shownEnv(opts.env, "plan"), ...lockEnv } });
  if (opts.dryRun) {
    // A dry run writes nothing: no lock (a held one is only reported by the handoff).
    const code = await handoff({});
    if (code !== 0) throw new StepFailedError("operator-handoff", code);
    log.out("Dry run complete (no Discord scrape).");
    return 0;
  }
  // Before the handoff: a busy lock stops the run at once, and no step races a live scrape.
  return await run.locked(async (lockEnv) => {
    const code = await handoff(lockEnv);
    if (code !== 0) throw new StepFailedError("operator-handoff", code);
    if (opts.salvageOnly) {
      log.out("Salvage-only proof complete (no Discord scrape or append proof).");
      return 0;
    }
    return await proveTargets(log, opts, {
      names,
      cfg,
      channelArgs,
      logFile,
      clock,
      single,
      lockEnv,
    });
  });
}

interface ProofRun {
  names: string[];
  cfg: string[];
  channelArgs: string[];
  logFile: string;
  clock: Clock;
  single: { summaryFile?: string };
  lockEnv: Record<string, string>;
}

/** Per target: salvage, snapshot, scrape, snapshot, grow-only check; exit 3 when a scrape was partial. */
async function proveTargets(log: OpsLog, opts: ProofOptions, proof: ProofRun): Promise<number> {
  const { names, single } = proof;
  const snapshots = await Deno.makeTempDir({ prefix: "dce-proof-" });
  let passed = 0;
  let failed = 0;
  let partial = 0;
  try {
    for (const [index, name] of names.entries()) {
      log.out(`--- Target: ${name} (${index + 1}/${names.length}) ---`);
      const summary = single.summaryFile ??
        perTargetSummaryFile(dirname(proof.logFile), "operator-proof", name, proof.clock());
      if (single.summaryFile === undefined) log.out(`JSON summary file: ${summary}`);
      const result = await proveTarget(log, opts, proof.lockEnv, {
        name,
        targs: [...proof.cfg, "--target", name, ...proof.channelArgs],
        summary,
        before: join(snapshots, `${targetSlug(name)}.before.tsv`),
        after: join(snapshots, `${targetSlug(name)}.after.tsv`),
      });
      if (result === "passed" || result === "partial") {
        passed++;
        if (result === "partial") partial++;
        log.out(
          `Operator proof passed for ${name}${result === "partial" ? " (partial scrape)" : ""}`,
        );
      } else {
        failed++;
        log.err(`Operator proof FAILED for ${name} (${result})`);
      }
    }
  } finally {
    await Deno.remove(snapshots, { recursive: true }).catch(() => {});
  }
  log.out(`Operator proof summary: ${passed} succeeded, ${failed} failed (of ${names.length})`);
  if (failed > 0) {
    throw new UserError(`Operator proof failed for ${failed} of ${names.length} target(s).`);
  }
  if (partial > 0) {
    log.out(
      `Operator proof finished with problems: some channels were not exported (exit ${EXIT.partial}, partial; see the FAILED/PARTIAL lines).`,
    );
    return EXIT.partial;
  }
  return 0;
}

interface TargetRun {
  name: string;
  targs: string[];
  summary: string;
  before: string;
  after: string;
}

/**
 * "passed", "partial" (the scrape left some channels out, but the archives only grew), else the phase
 * that failed.
 */
async function proveTarget(
  log: OpsLog,
  opts: ProofOptions,
  lockEnv: Record<string, string>,
  run: TargetRun,
): Promise<string> {
  const tool = (name: string, args: string[]) =>
    runTool(log, opts.repoRoot, name, args, { baseEnv: opts.env, env: lockEnv });
  if (opts.salvageBefore) {
    if ((await tool("run-documents-scrape", [...run.targs, "--salvage-only"])) !== 0) {
      return "salvage-before";
    }
  }
  const snapshot = (file: string) =>
    tool("prove-incremental-append", [...run.targs, "--snapshot-only", "--snapshot-file", file]);
  if ((await snapshot(run.before)) !== 0) return "snapshot before";
  const scrape = await tool("run-documents-scrape", [...run.targs, "--summary-file", run.summary]);
  if (scrape !== 0 && scrape !== EXIT.partial) return "scrape";
  if ((await snapshot(run.after)) !== 0) return "snapshot after";
  if (
    (await tool("prove-incremental-append", ["--compare-snapshots", run.before, run.after])) !== 0
  ) {
    return "grow-only check";
  }
  return scrape === EXIT.partial ? "partial" : "passed";
}
