// setup-cron: installs, shows or removes the marked crontab block that runs the documents scrape on a schedule.
import { join, resolve } from "node:path";
import { UsageError, UserError } from "../cli/errors.ts";
import { loadConfig } from "../config/load_config.ts";
import { resolveSettings } from "../config/resolve_settings.ts";
import { selectTargets } from "../config/select_targets.ts";
import { exists } from "../fs/file_predicates.ts";
import { cronCommand } from "./cron_line.ts";
import { scheduleFor, scheduleOfBlock, validateCronExpression } from "./cron_expression.ts";
import { crontabDiff } from "./crontab_diff.ts";
import { installBlock, readBlock, removeBlock } from "./crontab_block.ts";
import { readCrontab, writeCrontab } from "./crontab_io.ts";
import type { OpsOutput } from "./ops_log.ts";
import { runTool } from "./run_child.ts";

export const DEFAULT_JOB = "discord-scrape";

export interface SetupCronOptions {
  job: string;
  interval?: string | undefined;
  at?: string | undefined;
  cron?: string | undefined;
  remove: boolean;
  dryRun: boolean;
  skipPreflight: boolean;
  salvageBeforeScrape: boolean;
  targets: string[];
  guilds: string[];
  channels: string[];
  /** One log every run appends to (the operator's own file, never pruned). */
  logFile?: string | undefined;
  /** Where each run writes its own log and summary (the default: DCE_LOG_DIR or <repo>/logs). */
  logDir?: string | undefined;
  configPath: string;
  envFile?: string | undefined;
  env: Record<string, string | undefined>;
  repoRoot: string;
  out: OpsOutput;
}

/** Settings the cron job must see that the operator may have exported while installing it. */
const CARRIED_ENV = [
  "DCE_EXPORTER",
  "DCE_CLI_BIN",
  "DCE_COMPOSE_BIN",
  "DCE_DOCKER_BIN",
  "DCE_MIN_FREE_MB",
] as const;

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

/**
 * The block's one line: schedule, then the command. An empty variable counts as unset, as in the
 * host runner. DCE_COMPOSE_FILE goes into the line only when the operator set it or the default file
 * exists: a set DCE_COMPOSE_FILE makes the host runner choose compose, so writing the default
 * unconditionally turned a host that runs the DCE CLI into one whose cron job needs docker.
 */
async function cronBlockBody(
  opts: SetupCronOptions,
  kept: string | undefined,
): Promise<string[]> {
  const env: Record<string, string> = {
    NO_COLOR: "1",
    DCE_COMPOSE_TTY: "0",
    DCE_ENV_FILE: resolveSettings({ envFile: opts.envFile, env: opts.env, repoRoot: opts.repoRoot })
      .envFilePath,
  };
  const defaultCompose = join(opts.repoRoot, "docker-compose.yml");
  const composeFile = opts.env["DCE_COMPOSE_FILE"] ||
    (await exists(defaultCompose) ? defaultCompose : undefined);
  if (composeFile !== undefined) env["DCE_COMPOSE_FILE"] = resolve(composeFile);
  for (const name of CARRIED_ENV) {
    const value = opts.env[name];
    if (value) env[name] = name.endsWith("_BIN") && value.includes("/") ? resolve(value) : value;
  }
  const selection = [
    ...opts.targets.flatMap((t) => ["--target", t]),
    ...opts.guilds.flatMap((g) => ["--guild", g]),
    ...opts.channels.flatMap((c) => ["--channel", c]),
  ];
  const { logFile, logDir } = cronLog(opts);
  env["DCE_LOG_DIR"] = logDir;
  const command = cronCommand({
    root: opts.repoRoot,
    config: opts.configPath,
    logFile,
    env,
    selection,
    salvageBeforeScrape: opts.salvageBeforeScrape,
  });
  return [`${schedule(opts, kept)} ${command}`];
}

/**
 * Where the cron job logs: by default one log per run in a folder (DCE_LOG_DIR in the line), which
 * retention keeps bounded; with --log-file (or DCE_LOG_FILE) one file the operator named, which
 * every run appends to and nothing prunes. The folder goes into the line in both cases: it is where
 * a run prunes old runs' files.
 */
function cronLog(opts: SetupCronOptions): { logFile: string | undefined; logDir: string } {
  if (opts.logDir && opts.logFile) {
    throw new UsageError("Use either --log-dir DIR or --log-file PATH, not both.");
  }
  const logFile = opts.logDir ? undefined : opts.logFile || opts.env["DCE_LOG_FILE"];
  return {
    logFile: logFile ? resolve(logFile) : undefined,
    logDir: resolve(opts.logDir || opts.env["DCE_LOG_DIR"] || join(opts.repoRoot, "logs")),
  };
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
  cronLog(opts);
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
    const diff = crontabDiff(current, next);
    if (diff.length === 0) opts.out.out("The crontab already holds exactly this block.");
    else {
      opts.out.out("");
      opts.out.out("The crontab would change like this:");
      for (const line of diff) opts.out.out(line);
    }
    return;
  }
  if (!opts.skipPreflight) {
    opts.out.out("Running host preflight before installing the cron job...");
    const args = [
      "preflight",
      "--config",
      opts.configPath,
      ...opts.targets.flatMap((t) => ["--target", t]),
    ];
    const code = await runTool(opts.out, opts.repoRoot, "run-scrape-host", args, {
      baseEnv: opts.env,
    });
    if (code !== 0) {
      throw new UserError(
        `Preflight failed (run-scrape-host exit ${code}); the crontab was not changed. Fix it, or pass --skip-preflight.`,
      );
    }
  }
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
