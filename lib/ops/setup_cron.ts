// setup-cron: installs, shows or removes the marked crontab block that runs the documents scrape on a schedule.
import { UsageError, UserError } from "../cli/errors.ts";
import { loadConfig } from "../config/load_config.ts";
import { selectTargets } from "../config/select_targets.ts";
import { cronCommand } from "./cron_line.ts";
import { scheduleFor, scheduleOfBlock, validateCronExpression } from "./cron_expression.ts";
import { textDiff } from "./text_diff.ts";
import { installBlock, readBlock, removeBlock } from "./crontab_block.ts";
import { readCrontab, writeCrontab } from "./crontab_io.ts";
import type { OpsOutput } from "./ops_log.ts";
import { installPreflight } from "./install_preflight.ts";
import { scheduledRunArgv, scheduledRunEnv, scheduledRunLog } from "./scheduled_run.ts";
import type { SchedulerRequest } from "./scheduler_options.ts";

export const DEFAULT_JOB = "discord-scrape";

export interface SetupCronOptions extends SchedulerRequest {
  job: string;
  out: OpsOutput;
}

/**
 * --cron, else --interval/--at, else the schedule of the block being replaced (a migration keeps
 * the operator's weekly run weekly), else monthly at 04:00.
 */
function schedule(opts: SetupCronOptions, kept: string | undefined): string {
  if (opts.cron !== undefined) {
    if (opts.interval !== undefined || opts.at !== undefined) {
      throw new UsageError("Use either --cron EXPR or --interval/--at, not both.");
    }
    return validateCronExpression(opts.cron);
  }
  if (opts.interval === undefined && opts.at === undefined && kept !== undefined) return kept;
  return scheduleFor(opts.interval ?? "monthly", opts.at);
}

/** The block's one line: schedule, then the command. */
async function cronBlockBody(
  opts: SetupCronOptions,
  kept: string | undefined,
): Promise<string[]> {
  const command = cronCommand({
    root: opts.repoRoot,
    env: await scheduledRunEnv(opts),
    argv: scheduledRunArgv(opts),
  });
  return [`${schedule(opts, kept)} ${command}`];
}

function crontabBin(env: Record<string, string | undefined>): string {
  return env["DCE_CRONTAB_BIN"] || "crontab";
}

async function removeJob(opts: SetupCronOptions): Promise<void> {
  const bin = crontabBin(opts.env);
  const current = await readCrontab(bin);
  const { text, removed } = removeBlock(current, opts.job);
  if (removed === 0) {
    opts.out.out(`No crontab block '${opts.job}' to remove; crontab unchanged.`);
    return;
  }
  if (opts.dryRun) {
    opts.out.out(`Dry run: would remove crontab block '${opts.job}':`);
    for (const line of readBlock(current, opts.job) ?? []) opts.out.out(`  ${line}`);
    return;
  }
  await writeCrontab(bin, text);
  opts.out.out(`Removed crontab block '${opts.job}'.`);
}

export async function setupCron(opts: SetupCronOptions): Promise<void> {
  // The bash installer accepted and ignored every other option with --remove, and wrappers still
  // pass them (`setup-cron --remove --target x`): the block goes by its job name alone.
  if (opts.remove) return await removeJob(opts);
  // Check the schedule, the log options and the selection before anything runs or is written.
  schedule(opts, undefined);
  scheduledRunLog(opts);
  const config = await loadConfig(opts.configPath);
  selectTargets(config, opts.targets, { guilds: opts.guilds, channels: opts.channels });
  const bin = crontabBin(opts.env);
  const current = await readCrontab(bin);
  const previous = readBlock(current, opts.job);
  const kept = previous === undefined ? undefined : scheduleOfBlock(previous);
  const body = await cronBlockBody(opts, kept);
  const next = installBlock(current, opts.job, body);

  if (opts.dryRun) {
    opts.out.out(`Dry run: would install this crontab block (crontab unchanged):`);
    for (const line of [`# BEGIN ${opts.job}`, ...body, `# END ${opts.job}`]) opts.out.out(line);
    const diff = textDiff(current, next, { before: "crontab now", after: "crontab after" });
    if (diff.length === 0) opts.out.out("The crontab already holds exactly this block.");
    else {
      opts.out.out("");
      opts.out.out("The crontab would change like this:");
      for (const line of diff) opts.out.out(line);
    }
    return;
  }
  if (!opts.skipPreflight) await installPreflight(opts, "the crontab was not changed");
  if (next === current) {
    opts.out.out(`Crontab block '${opts.job}' is already installed and up to date.`);
    return;
  }
  // Read again: the preflight took a while, and a crontab edited meanwhile must not be lost.
  if ((await readCrontab(bin)) !== current) {
    throw new UserError(
      "The crontab changed while setup-cron ran; nothing was written. Run setup-cron again.",
    );
  }
  await writeCrontab(bin, next);
  if (previous !== undefined) {
    const why = kept !== undefined && body[0]!.startsWith(`${kept} `)
      ? ` (its schedule '${kept}' is kept; --cron/--interval/--at change it)`
      : "";
    opts.out.out(`Replaced crontab block '${opts.job}'${why}. It was:`);
    for (const line of previous) opts.out.out(`  ${line}`);
  }
  opts.out.out(`Installed crontab block '${opts.job}':`);
  for (const line of body) opts.out.out(`  ${line}`);
}
