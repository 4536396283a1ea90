// operator-handoff: plan, disk summary, full readiness, lock status, then the documents step as a dry run or
// as salvage-only; the one command to run before installing cron or starting a full scrape.
import { join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { loadConfig } from "../config/load_config.ts";
import { selectTargets } from "../config/select_targets.ts";
import { freeSpace, humanSize } from "../fs/free_space.ts";
import { hostRunnerEnv } from "./operator_ready.ts";
import { inheritsLock } from "../lock/inherited_lock.ts";
import { workflowLockPath } from "./workflow_lock.ts";
import type { OpsOutput } from "./ops_log.ts";
import { StepFailedError } from "./report_failure.ts";
import { runTool } from "./run_child.ts";
import { formatRunPlan } from "../host/run_plan.ts";
import { alreadyShown, shownEnv } from "../cli/shown_facts.ts";

export interface HandoffOptions {
  configPath: string;
  skipDf: boolean;
  target?: string | undefined;
  channels: string[];
  salvageOnly: boolean;
  env: Record<string, string | undefined>;
  repoRoot: string;
  out: OpsOutput;
}

async function diskSummary(out: OpsOutput, paths: string[]): Promise<void> {
  out.out("Disk summary");
  out.out("============");
  const seen = new Set<string>();
  for (const path of paths) {
    try {
      const space = await freeSpace(path);
      if (seen.has(space.mountPoint)) continue;
      seen.add(space.mountPoint);
      const used = space.totalBytes === 0n
        ? 0
        : Math.ceil(Number(space.usedBytes * 100n) / Number(space.totalBytes));
      out.out(`${path}: on ${space.mountPoint}`);
      out.out(
        `  size ${humanSize(space.totalBytes)}, used ${humanSize(space.usedBytes)}, available ${
          humanSize(space.availableBytes)
        } (${used}% used)`,
      );
    } catch (err) {
      out.out(`${path}: cannot read free space (${(err as Error).message})`);
    }
    out.out("");
  }
}

function selectionArgs(opts: HandoffOptions): string[] {
  return [
    ...(opts.target !== undefined ? ["--target", opts.target] : []),
    ...opts.channels.flatMap((c) => ["--channel", c]),
  ];
}

/**
 * Lock status through the status tool (its report is what the operator should see). A held lock or a
 * status error stops a salvage-only handoff, which writes archives; a dry run only warns (docs/bash-suite.md#h36-handoff-ignored-lock-errors).
 */
async function lockStatusStep(opts: HandoffOptions): Promise<void> {
  const { out } = opts;
  // The lock the host runner will take: its lock settings may come from the env file (only those
  // are handed over; the status tool has no use for the rest of scrape.env, the token least of all).
  const runner = await hostRunnerEnv(opts.env, opts.repoRoot);
  const env = { ...opts.env };
  for (const name of ["DCE_SCRAPE_LOCK_FILE", "DCE_SKIP_SCRAPE_LOCK"]) env[name] = runner[name];
  out.out("");
  const code = await runTool(out, opts.repoRoot, "scrape-lock-status", [
    "--config",
    opts.configPath,
  ], { baseEnv: env });
  if (code === 0) return;
  if (code === 1 && heldByCaller(opts, runner)) {
    out.out(
      "The scrape lock is held by the workflow that started this handoff; its steps work under it.",
    );
    return;
  }
  const inspect = `${join(opts.repoRoot, "dce")} scrape-lock-status --config ${opts.configPath}`;
  const skipped = env["DCE_SKIP_SCRAPE_LOCK"] === "1";
  if (code === 1) {
    if (opts.salvageOnly && !skipped) {
      throw new UserError(
        `Scrape lock is held; another scrape may be running. Inspect: ${inspect}. Salvage-only writes archives, so the handoff stops here.`,
      );
    }
    out.out("");
    out.err(
      "WARN: scrape lock is held; wait for the active scrape or confirm it is stale before starting another run.",
    );
    return;
  }
  if (opts.salvageOnly && !skipped) {
    throw new UserError(
      `Cannot check the scrape lock (scrape-lock-status exit ${code}; see above); salvage-only writes archives, so the handoff stops here.`,
    );
  }
  out.err(
    `WARN: cannot check the scrape lock (scrape-lock-status exit ${code}); fix it before a live run: ${inspect}`,
  );
}

/** Started by a workflow that holds the lock and handed its token down (run-operator-proof). */
function heldByCaller(opts: HandoffOptions, runner: Record<string, string>): boolean {
  const { path } = workflowLockPath({ ...opts, env: runner });
  return inheritsLock(path, { get: (name) => runner[name] });
}

export async function runHandoff(opts: HandoffOptions): Promise<void> {
  const { out } = opts;
  const config = await loadConfig(opts.configPath);
  selectTargets(config, opts.target !== undefined ? [opts.target] : [], {
    guilds: [],
    channels: opts.channels,
  });
  out.out("Operator handoff");
  out.out("================");
  out.out("");
  if (!alreadyShown(opts.env, "plan")) {
    for (const line of formatRunPlan("Operator handoff", opts.configPath, config.targets)) {
      out.out(line);
    }
    out.out("");
  }
  if (!opts.skipDf) {
    const paths: string[] = [];
    for (const path of [config.archiveRoot, opts.repoRoot]) {
      try {
        if ((await Deno.stat(path)).isDirectory) paths.push(path);
      } catch {
        out.out(`${path}: does not exist`);
      }
    }
    await diskSummary(out, paths);
  }
  const ready = await runTool(out, opts.repoRoot, "verify-operator-ready", [
    "--config",
    opts.configPath,
  ], { baseEnv: opts.env });
  if (ready !== 0) throw new StepFailedError("verify-operator-ready", ready);

  await lockStatusStep(opts);

  const mode = opts.salvageOnly ? "--salvage-only" : "--dry-run";
  out.out("");
  // The plan above, and readiness's archive table and disk line, are not printed a second time.
  const docs = await runTool(out, opts.repoRoot, "run-documents-scrape", [
    "--config",
    opts.configPath,
    ...selectionArgs(opts),
    mode,
  ], { baseEnv: opts.env, env: shownEnv(opts.env, "plan", "archives", "disk") });
  if (docs !== 0) throw new StepFailedError(`run-documents-scrape ${mode}`, docs);

  const suffix = selectionArgs(opts).map((a) => ` ${a}`).join("");
  out.out("");
  if (opts.salvageOnly) {
    out.out("Handoff complete (salvage-only). Next:");
    out.out(
      `  ./dce run-operator-validation --config ${opts.configPath} --salvage-before-scrape${suffix}`,
    );
  } else {
    out.out("Handoff complete. Safe to run:");
    out.out(`  ./dce run-documents-scrape --config ${opts.configPath}${suffix}`);
    out.out(`  ./dce setup-cron --dry-run --config ${opts.configPath}`);
  }
}
