// What a scheduler (cron or systemd) runs: the documents scrape's argv and the environment it needs,
// built once so the crontab line and the systemd service ask for the same run.
import { join, resolve } from "node:path";
import { EXIT, UsageError } from "../cli/errors.ts";
import { resolveSettings } from "../config/resolve_settings.ts";
import { exists } from "../fs/file_predicates.ts";

export interface ScheduledRunRequest {
  repoRoot: string;
  /** Absolute config path. */
  configPath: string;
  envFile?: string | undefined;
  /** One log every run appends to (the operator's own file, never pruned). */
  logFile?: string | undefined;
  /** Where each run writes its own log and summary (the default: DCE_LOG_DIR or <repo>/logs). */
  logDir?: string | undefined;
  /** A node_exporter textfile each run writes (absolute once resolved). */
  metricsFile?: string | undefined;
  targets: string[];
  guilds: string[];
  channels: string[];
  salvageBeforeScrape: boolean;
  /** The environment the installer runs in (settings exported while installing are carried over). */
  env: Record<string, string | undefined>;
}

/** Settings the scheduled run must see that the operator may have exported while installing it. */
const CARRIED_ENV = [
  "DCE_EXPORTER",
  "DCE_CLI_BIN",
  "DCE_COMPOSE_BIN",
  "DCE_DOCKER_BIN",
  "DCE_MIN_FREE_MB",
] as const;

/**
 * The variables a scheduled run is started with. An empty variable counts as unset, as in the host
 * runner. DCE_COMPOSE_FILE is set only when the operator set it or the default file exists: a set
 * DCE_COMPOSE_FILE makes the host runner choose compose, so writing the default unconditionally
 * turned a host that runs the DCE CLI into one whose scheduled job needs docker.
 */
export async function scheduledRunEnv(req: ScheduledRunRequest): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    NO_COLOR: "1",
    DCE_COMPOSE_TTY: "0",
    DCE_ENV_FILE: resolveSettings({ envFile: req.envFile, env: req.env, repoRoot: req.repoRoot })
      .envFilePath,
  };
  const defaultCompose = join(req.repoRoot, "docker-compose.yml");
  const composeFile = req.env["DCE_COMPOSE_FILE"] ||
    (await exists(defaultCompose) ? defaultCompose : undefined);
  if (composeFile !== undefined) env["DCE_COMPOSE_FILE"] = resolve(composeFile);
  for (const name of CARRIED_ENV) {
    const value = req.env[name];
    if (value) env[name] = name.endsWith("_BIN") && value.includes("/") ? resolve(value) : value;
  }
  env["DCE_LOG_DIR"] = scheduledRunLog(req).logDir;
  return env;
}

/**
 * Where a scheduled run logs: by default one log per run in a folder (DCE_LOG_DIR), which retention
 * keeps bounded; with --log-file (or DCE_LOG_FILE) one file the operator named, which every run
 * appends to and nothing prunes. The folder is set in both cases: it is where a run prunes old runs'
 * files. Both options at once is a usage error.
 */
export function scheduledRunLog(req: ScheduledRunRequest): { logFile?: string; logDir: string } {
  if (req.logDir && req.logFile) {
    throw new UsageError("Use either --log-dir DIR or --log-file PATH, not both.");
  }
  const logFile = req.logDir ? undefined : req.logFile || req.env["DCE_LOG_FILE"];
  const logDir = resolve(req.logDir || req.env["DCE_LOG_DIR"] || join(req.repoRoot, "logs"));
  return logFile ? { logFile: resolve(logFile), logDir } : { logDir };
}

/**
 * The command a scheduler runs, word by word, starting with the absolute ./dce. Quiet mode (nothing
 * on success, a digest on stderr when the run fails or is partial) and EX_TEMPFAIL (75), silently,
 * when another scrape holds the lock: what `chronic` and `flock -n -E 75` gave bash jobs.
 */
export function scheduledRunArgv(req: ScheduledRunRequest): string[] {
  const { logFile } = scheduledRunLog(req);
  return [
    join(req.repoRoot, "dce"),
    "run-documents-scrape",
    "--quiet",
    "--conflict-exit-code",
    String(EXIT.tempfail),
    "--config",
    req.configPath,
    ...(logFile === undefined ? [] : ["--log-file", logFile]),
    ...(req.metricsFile ? ["--metrics-file", resolve(req.metricsFile)] : []),
    ...req.targets.flatMap((t) => ["--target", t]),
    ...req.guilds.flatMap((g) => ["--guild", g]),
    ...req.channels.flatMap((c) => ["--channel", c]),
    ...(req.salvageBeforeScrape ? ["--salvage-before-scrape"] : []),
  ];
}
