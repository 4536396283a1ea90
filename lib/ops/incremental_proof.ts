// prove-incremental-append's proof: under the archive-root lock, snapshot a target's archives, run one
// incremental scrape (the host runner works under that lock), snapshot again, and fail if an archive
// vanished, lost messages or appeared without existing before (docs/archive.md#checking-archives).
import { EXIT, UserError } from "../cli/errors.ts";
import { systemClock } from "../cli/utc_stamp.ts";
import { loadConfig } from "../config/load_config.ts";
import { findTarget } from "../config/select_targets.ts";
import {
  compareSnapshots,
  snapshotArchives,
  type SnapshotEntry,
} from "../archive/archive_snapshot.ts";
import type { OpsOutput } from "./ops_log.ts";
import { runTool } from "./run_child.ts";
import { runUnattended, type WorkflowOptions } from "./unattended_run.ts";

export interface IncrementalProofOptions extends WorkflowOptions {
  target: string;
  channels: string[];
  /** The --config the host runner gets (the container's name for the repo default). */
  runnerConfig: string;
}

/** The seeded archives of `dir` (refused when there is none: nothing would be proven). */
export async function targetSnapshot(
  dir: string,
  channels: string[],
  warn: (line: string) => void,
): Promise<SnapshotEntry[]> {
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) throw new Error("not a directory");
  } catch {
    throw new UserError(`Missing output_dir: ${dir}`);
  }
  const entries = await snapshotArchives(dir, channels, warn);
  if (entries.length === 0) {
    throw new UserError(`No seeded archives found under ${dir} for channel filter.`);
  }
  return entries;
}

/** Prints the comparison; throws when a check failed. */
export function reportComparison(
  out: OpsOutput,
  before: SnapshotEntry[],
  after: SnapshotEntry[],
): void {
  const result = compareSnapshots(before, after);
  for (const line of result.ok) out.out(line);
  for (const line of result.failures) out.err(line);
  if (result.failures.length > 0) {
    throw new UserError(`${result.failures.length} archive integrity check(s) failed.`);
  }
}

/** 0 the proof passed; 3 it passed but the scrape was partial; else the failure's code. */
export async function runIncrementalProof(opts: IncrementalProofOptions): Promise<number> {
  const dir = findTarget(await loadConfig(opts.configPath), opts.target).outputDir;
  return await runUnattended({
    ...opts,
    tool: "prove-incremental-append",
    logFile: undefined,
    summaryFile: () => undefined,
    clock: opts.clock ?? systemClock,
  }, (run) =>
    run.locked(async (lockEnv) => {
      const { log } = run;
      const before = await targetSnapshot(dir, opts.channels, (line) => log.err(line));
      if (opts.channels.length > 0) {
        log.out(`Channel-scoped proof for ${opts.channels.length} channel(s).`);
      }
      log.out(`Running incremental scrape for target ${opts.target}...`);
      const runnerArgs = [
        "scrape",
        "--config",
        opts.runnerConfig,
        "--target",
        opts.target,
        ...opts.channels.flatMap((c) => ["--channel", c]),
      ];
      // runTool forwards SIGINT/SIGTERM/SIGHUP to the runner, waits for it, then stops with 128 + n.
      const code = await runTool(log, opts.repoRoot, "run-scrape-host", runnerArgs, {
        baseEnv: opts.env,
        env: lockEnv,
      });
      if (code !== 0 && code !== EXIT.partial) {
        throw new UserError(
          `Incremental scrape failed for target ${opts.target} (exit ${code}); nothing was compared.`,
        );
      }
      const after = await targetSnapshot(dir, opts.channels, (line) => log.err(line));
      reportComparison(log, before, after);
      if (code === EXIT.partial) {
        log.out(
          `Append-safe proof passed for target ${opts.target}, but the scrape was partial: some channels were not exported (exit ${EXIT.partial}).`,
        );
        return EXIT.partial;
      }
      log.out(`Append-safe proof passed for target ${opts.target}.`);
      return 0;
    }));
}
