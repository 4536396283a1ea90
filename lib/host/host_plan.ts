// The host runner's plan: settings, config, exporter, token and disk gate, all decided before the lock.

import { join, resolve } from "node:path";
import { UserError, UserErrorList } from "../cli/errors.ts";
import { alreadyShown, unlessShown } from "../cli/shown_facts.ts";
import { exists, isDirectory, isFile } from "../fs/file_predicates.ts";
import { fsReason } from "../fs/fs_reason.ts";
import { whichOnPath } from "../process/child_process.ts";
import { loadConfig } from "../config/load_config.ts";
import { selectTargets } from "../config/select_targets.ts";
import type { ScrapeConfig } from "../config/scrape_config.ts";
import { resolveSettings } from "../config/resolve_settings.ts";
import { DEFAULT_CLI_BIN } from "../scrape/core_options.ts";
import { chooseCompose, type ComposeProgram, systemComposeProbes } from "./compose_command.ts";
import { sweepStaleEnvFiles } from "./compose_env_file.ts";
import { checkDisk } from "./disk_check.ts";
import { loadEnvFile } from "./env_file.ts";
import {
  type ExporterKind,
  type HostArgs,
  type HostSubcommand,
  parseExporter,
} from "./host_args.ts";
import { effectiveEnv } from "./host_env.ts";
import { containerConfigPath, hostSummaryPath } from "./host_paths.ts";
import type { HostRunOptions } from "./host_run_options.ts";
import { formatRunPlan } from "./run_plan.ts";
import { secretFileWarnings, writeAccessProblems } from "./write_access.ts";
import { resolveLockPath } from "../lock/resolve_lock_path.ts";
import { validateReauthCommand } from "./token_reauth_command.ts";
import { type ResolvedToken, resolveToken } from "./token_source.ts";

/** Everything the runner decided before the first attempt. */
export interface HostPlan {
  sub: HostSubcommand;
  args: HostArgs;
  repoRoot: string;
  exporter: ExporterKind;
  envFilePath: string;
  envFile: Map<string, string> | null;
  env: Record<string, string>;
  config: ScrapeConfig;
  configPath: string;
  compose?: { program: ComposeProgram; file: string; containerConfig: string };
  cliBin: string;
  reauth: string | null;
  summaryFile: string | null;
}

/** Checks everything that can be checked without the lock, prints the disk report and the plan. */
export async function prepareHostPlan(opts: HostRunOptions): Promise<HostPlan> {
  const { args, exported, repoRoot, output } = opts;
  const sub = args.subcommand;
  // A runner SIGKILLed earlier could not delete its env file; its pid is in the name.
  for (const path of await sweepStaleEnvFiles(opts.tmpDir)) {
    output.err(`WARN: removed a token env file left by a killed run: ${path}`);
  }
  // The env file comes from the exported environment; the settings it holds (DCE_CONFIG_FILE,
  // DCE_SCRAPE_LOCK_FILE, ...) then count like exported ones for everything else.
  const where = { cwd: opts.cwd, repoRoot };
  const { envFilePath, envFileRequired } = resolveSettings({
    ...where,
    envFile: args.envFile,
    env: exported,
  });
  const envFile = await loadEnvFile(envFilePath);
  if (envFile === null && envFileRequired) {
    throw new UserError(`Missing env file: ${envFilePath} (given with --env-file).`);
  }
  const env = effectiveEnv(exported, envFile);
  if (opts.seen) opts.seen.env = env;
  const settings = resolveSettings({ ...where, config: args.config, env });

  const composeExplicit = args.composeFile ?? (env["DCE_COMPOSE_FILE"] || undefined);
  const composeFile = resolve(opts.cwd, composeExplicit ?? join(repoRoot, "docker-compose.yml"));
  const exporter: ExporterKind = args.exporter ??
    (env["DCE_EXPORTER"] ? parseExporter(env["DCE_EXPORTER"], "DCE_EXPORTER") : undefined) ??
    (composeExplicit !== undefined || await exists(composeFile) ? "compose" : "cli");

  const configPath = settings.configPath;
  const config = await loadConfig(configPath);
  if (opts.seen) opts.seen.config = config;
  selectTargets(config, args.targets, { guilds: args.guilds, channels: args.channels });

  const plan: HostPlan = {
    sub,
    args,
    repoRoot,
    exporter,
    envFilePath,
    envFile,
    env,
    config,
    configPath,
    cliBin: env["DCE_CLI_BIN"] || DEFAULT_CLI_BIN,
    reauth: null,
    summaryFile: env["DCE_RUN_SUMMARY_FILE"]
      ? hostSummaryPath(env["DCE_RUN_SUMMARY_FILE"], repoRoot)
      : null,
  };

  if (opts.seen) opts.seen.summaryFile = plan.summaryFile;
  if (sub !== "salvage") {
    if (exporter === "compose") {
      const program = await chooseCompose(
        env,
        opts.composeProbes ?? systemComposeProbes(env["PATH"]),
      );
      if (!(await isFile(composeFile))) throw new UserError(`Missing compose file: ${composeFile}`);
      const containerConfig = containerConfigPath(configPath, repoRoot);
      // docs/bash-suite.md#h28-bind-mount-mismatch: the archive must be bind-mounted at the same path, or the container writes into its
      // own throw-away filesystem. We cannot read the compose file, but we can check its variable.
      const mounted = env["DCE_ARCHIVE_ROOT"];
      if (mounted && resolve(mounted) !== config.archiveRoot) {
        throw new UserError(
          `DCE_ARCHIVE_ROOT (${mounted}) differs from archive_root in ${configPath} (${config.archiveRoot}); the container would write outside the archive. Make them the same path.`,
        );
      }
      // Checked now, not after the lock is taken: the token env file will be created there.
      if (!(await isDirectory(opts.tmpDir))) {
        throw new UserError(
          `Cannot create the token env file in ${opts.tmpDir}: the folder does not exist; set TMPDIR to a writable folder.`,
        );
      }
      plan.compose = { program, file: composeFile, containerConfig };
    } else {
      await requireExecutable(plan.cliBin, env["PATH"]);
    }
    plan.reauth = await validateReauthCommand(env["DCE_REAUTH_COMMAND"], repoRoot);
    // Fail before the disk check, plan and lock when there is no token at all.
    const token = await requireToken(opts, envFile, envFilePath);
    for (const warning of secretFileWarnings([envFilePath, token.file])) output.err(warning);
  }

  if (sub === "scrape") {
    // <repo>/logs is the container's /logs bind mount.
    if (exporter === "compose") await makeFolder(join(repoRoot, "logs"), "the logs folder");
    if (plan.summaryFile !== null) {
      await makeFolder(resolve(plan.summaryFile, ".."), "the folder of DCE_RUN_SUMMARY_FILE");
    }
  }

  opts.signals.checkpoint();
  if (env["DCE_SKIP_DISK_CHECK"] !== "1") {
    await checkDisk(unlessShown(env, "disk", output), {
      archiveRoot: config.archiveRoot,
      configPath,
      repoRoot,
      minFreeRaw: env["DCE_MIN_FREE_MB"],
    });
  }
  if (sub !== "preflight") {
    const lockPath = settings.skipLock
      ? undefined
      : resolveLockPath({ configPath, repoRoot, lockFile: settings.lockFile }).path;
    const problems = writeAccessProblems({ archiveRoot: config.archiveRoot, lockPath });
    if (problems.length > 0) throw new UserErrorList(problems);
  }
  if (!alreadyShown(env, "plan")) {
    for (const line of formatRunPlan(`Host ${sub}`, configPath, config.targets, args.targets)) {
      output.out(line);
    }
  }
  return plan;
}

/** The token by its precedence, or a UserError naming every place one could be put. */
export async function requireToken(
  opts: HostRunOptions,
  envFile: Map<string, string> | null,
  envFilePath: string,
): Promise<ResolvedToken> {
  // Exported and env-file values separately: the precedence tells them apart.
  const token = await resolveToken({
    env: opts.exported,
    envFile,
    envFilePath,
    repoRoot: opts.repoRoot,
    home: opts.home,
  });
  if (token !== null) {
    // Checked before the lock: under compose it would break the env file, directly the header.
    if (/[\r\n]/.test(token.token)) {
      throw new UserError(
        `The token (${token.source}) contains a line break; a Discord token is one line. Fix it and rerun.`,
      );
    }
    return token;
  }
  const where = envFile !== null
    ? `in ${envFilePath}`
    : `in an env file (missing: ${envFilePath}; copy scrape.env.example to scrape.env)`;
  throw new UserError(
    `DISCORD_TOKEN is not set. Set DISCORD_TOKEN or DISCORD_TOKEN_FILE ${where}, export it in the shell, or place a token at ${
      join(opts.repoRoot, ".discord-token")
    } or ~/.config/discord-scrape/token.`,
  );
}

async function makeFolder(path: string, what: string): Promise<void> {
  try {
    await Deno.mkdir(path, { recursive: true });
  } catch (err) {
    throw new UserError(`Cannot create ${what} ${path}: ${fsReason(err)}.`);
  }
}

/** Found as the core will run it: a path as is, a bare name on the settings' PATH. */
async function requireExecutable(bin: string, pathVar: string | undefined): Promise<void> {
  if (await whichOnPath(bin, pathVar) !== null) return;
  if (bin.includes("/") && await exists(bin)) {
    throw new UserError(`DCE CLI is not an executable file: ${bin} (DCE_CLI_BIN).`);
  }
  throw new UserError(
    `DCE CLI not found: ${bin} (DCE_CLI_BIN). Install DiscordChatExporter.Cli, set DCE_CLI_BIN, or use --exporter compose.`,
  );
}
