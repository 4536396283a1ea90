// The host runner (run-scrape-host): settings, config, exporter, token, disk gate, plan, lock, run + one auth retry.

import { join, resolve } from "node:path";
import { whichOnPath } from "../process/child_process.ts";
import { EXIT, UserError, UserErrorList } from "../cli/errors.ts";
import { alreadyShown, unlessShown } from "../cli/shown_facts.ts";
import { secretFileWarnings, writeAccessProblems } from "./write_access.ts";
import { loadConfig } from "../config/load_config.ts";
import { selectTargets } from "../config/select_targets.ts";
import type { ScrapeConfig } from "../config/scrape_config.ts";
import { acquireLock, type LockHandle, lockSkipped } from "../lock/acquire_lock.ts";
import { inheritsLock } from "../lock/inherited_lock.ts";
import { resolveLockPath } from "../lock/resolve_lock_path.ts";
import { resolveSettings } from "../config/resolve_settings.ts";
import { checkDisk } from "./disk_check.ts";
import { containerMemoryFor, formatRunPlan } from "./run_plan.ts";
import {
  fileStamp,
  hasContent,
  parseSummaryLine,
  writeSummaryFile,
} from "../scrape/run_summary.ts";
import { DEFAULT_CLI_BIN } from "../scrape/core_options.ts";
import {
  chooseCompose,
  type ComposeProbes,
  type ComposeProgram,
  composeRunArgv,
  systemComposeProbes,
} from "./compose_command.ts";
import {
  composeEnvText,
  removeComposeEnvFile,
  rewriteComposeEnvFile,
  sweepStaleEnvFiles,
  writeComposeEnvFile,
} from "./compose_env_file.ts";
import { loadEnvFile } from "./env_file.ts";
import {
  coreArgv,
  type ExporterKind,
  type HostArgs,
  type HostSubcommand,
  parseExporter,
} from "./host_args.ts";
import { isAuthFailure } from "./host_auth_failure.ts";
import { effectiveEnv, withoutToken } from "./host_env.ts";
import { type ChunkSink, OutputTail } from "./host_output_tail.ts";
import { containerConfigPath, containerSummaryPath, hostSummaryPath } from "./host_paths.ts";
import { type HostSignals, Interrupted, signalExitCode } from "../process/signals.ts";
import { runStreamedChild } from "./host_stream_child.ts";
import type { ChildHook } from "../dce/run_dce.ts";
import { exists } from "./token_file.ts";
import { runReauthCommand, validateReauthCommand } from "./token_reauth_command.ts";
import { type ResolvedToken, resolveToken } from "./token_source.ts";

/** What the runner needs from the scrape core (lib/scrape's runCore), so tests can inject a fake. */
export interface CoreRequest {
  mode: HostSubcommand;
  configPath: string;
  targets: string[];
  guilds: string[];
  channels: string[];
  env: Record<string, string>;
  cliBin: string;
  log: (line: string) => void;
  signal: AbortSignal;
  onExportChild: ChildHook;
  strict: boolean;
}
export type CoreRunner = (request: CoreRequest) => Promise<number>;

/** Line output of the runner itself (diagnostics → err, plan/disk report → out). */
export interface HostOutput {
  out(line: string): void;
  err(line: string): void;
}

export interface HostRunOptions {
  args: HostArgs & { subcommand: HostSubcommand };
  /** The process environment as exported by the operator (or cron). */
  exported: Record<string, string>;
  repoRoot: string;
  cwd: string;
  home: string | undefined;
  tmpDir: string;
  /** stdin and stdout are terminals (DCE_REAUTH_COMMAND then gets the terminal). */
  interactive: boolean;
  output: HostOutput;
  /** Raw sinks for the exporter's live output. */
  stdout: ChunkSink;
  stderr: ChunkSink;
  signals: HostSignals;
  runCore: CoreRunner;
  composeProbes?: ComposeProbes;
  /** Recorded (redacted) in the lock's `cmd=`. */
  argv: string[];
}

/** Everything the runner decided before the first attempt. */
interface Plan {
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

/** What must be undone on every way out: the lock held, the token env file written. */
interface RunState {
  lock: LockHandle | null;
  envPath: string | null;
}

/** Runs one subcommand and returns the exit code (0, 3 partial, 1, or 128+n after a signal). */
export async function runHost(opts: HostRunOptions): Promise<number> {
  const state: RunState = { lock: null, envPath: null };
  try {
    const plan = await prepare(opts);
    opts.signals.checkpoint();
    return await runWithLock(opts, plan, state);
  } catch (err) {
    if (err instanceof Interrupted) return signalExitCode(err.signal);
    // A signal that made the exporter fail is reported as the signal, not as an export failure.
    if (opts.signals.received !== null) return signalExitCode(opts.signals.received);
    throw err;
  } finally {
    // The lock is released even when the token file cannot be removed.
    try {
      if (state.envPath !== null) removeTokenFile(state.envPath);
    } finally {
      if (state.lock !== null) await releaseLock(opts, state.lock);
    }
  }
}

function removeTokenFile(path: string): void {
  try {
    removeComposeEnvFile(path);
  } catch (err) {
    throw new UserError(
      `Cannot remove the token env file ${path}: ${fsReason(err)}; delete it by hand.`,
    );
  }
}

async function releaseLock(opts: HostRunOptions, lock: LockHandle): Promise<void> {
  if ((await lock.release()) === "taken-over") {
    opts.output.err(
      `WARN: the scrape lock ${lock.path} was taken over by another process while this run held it; left it alone.`,
    );
  }
}

async function prepare(opts: HostRunOptions): Promise<Plan> {
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
  const settings = resolveSettings({ ...where, config: args.config, env });

  const composeExplicit = args.composeFile ?? (env["DCE_COMPOSE_FILE"] || undefined);
  const composeFile = resolve(opts.cwd, composeExplicit ?? join(repoRoot, "docker-compose.yml"));
  const exporter: ExporterKind = args.exporter ??
    (env["DCE_EXPORTER"] ? parseExporter(env["DCE_EXPORTER"], "DCE_EXPORTER") : undefined) ??
    (composeExplicit !== undefined || await exists(composeFile) ? "compose" : "cli");

  const configPath = settings.configPath;
  const config = await loadConfig(configPath);
  selectTargets(config, args.targets, { guilds: args.guilds, channels: args.channels });

  const plan: Plan = {
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

  if (sub !== "salvage") {
    if (exporter === "compose") {
      const program = await chooseCompose(
        env,
        opts.composeProbes ?? systemComposeProbes(env["PATH"]),
      );
      if (!(await isFile(composeFile))) throw new UserError(`Missing compose file: ${composeFile}`);
      const containerConfig = containerConfigPath(configPath, repoRoot);
      // §14.28: the archive must be bind-mounted at the same path, or the container writes into its
      // own throw-away filesystem. We cannot read the compose file, but we can check its variable.
      const mounted = env["DCE_ARCHIVE_ROOT"];
      if (mounted && resolve(mounted) !== config.archiveRoot) {
        throw new UserError(
          `DCE_ARCHIVE_ROOT (${mounted}) differs from archive_root in ${configPath} (${config.archiveRoot}); the container would write outside the archive. Make them the same path.`,
        );
      }
      // Checked now, not after the lock is taken: the token env file will be created there.
      await requireFolder(opts.tmpDir);
      plan.compose = { program, file: composeFile, containerConfig };
    } else {
      await requireExecutable(plan.cliBin, env["PATH"]);
    }
    plan.reauth = await validateReauthCommand(env["DCE_REAUTH_COMMAND"], repoRoot);
    // Fail before the disk check, plan and lock when there is no token at all.
    const token = await requireToken(envFile, envFilePath, opts);
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

async function requireToken(
  envFile: Map<string, string> | null,
  envFilePath: string,
  opts: HostRunOptions,
): Promise<ResolvedToken> {
  // Exported and env-file values separately: the precedence tells them apart.
  const token = await resolveToken({
    env: opts.exported,
    envFile,
    envFilePath,
    repoRoot: opts.repoRoot,
    home: opts.home,
  });
  if (token !== null) return token;
  const where = envFile !== null
    ? `in ${envFilePath}`
    : `in an env file (missing: ${envFilePath}; copy scrape.env.example to scrape.env)`;
  throw new UserError(
    `DISCORD_TOKEN is not set. Set DISCORD_TOKEN or DISCORD_TOKEN_FILE ${where}, export it in the shell, or place a token at ${
      join(opts.repoRoot, ".discord-token")
    } or ~/.config/discord-scrape/token.`,
  );
}

async function runWithLock(
  opts: HostRunOptions,
  plan: Plan,
  state: RunState,
): Promise<number> {
  const envReader = { get: (name: string) => plan.env[name] };
  if (plan.sub !== "preflight" && !lockSkipped(envReader, opts.output.err)) {
    const resolved = resolveLockPath({
      configPath: plan.configPath,
      repoRoot: opts.repoRoot,
      lockFile: resolveSettings({ cwd: opts.cwd, repoRoot: opts.repoRoot, env: plan.env }).lockFile,
    });
    if (resolved.warning) opts.output.err(resolved.warning);
    // Started by a workflow that holds the lock (run-documents-scrape): work under it.
    if (!inheritsLock(resolved.path, envReader)) {
      state.lock = await acquireLock({
        path: resolved.path,
        cmd: ["run-scrape-host", ...opts.argv],
        tool: "run-scrape-host",
        checkout: opts.repoRoot,
        waitSeconds: plan.args.waitSeconds ?? 0,
        env: envReader,
        warn: opts.output.err,
      });
    }
  }
  opts.signals.checkpoint();

  if (plan.sub === "salvage") {
    const code = await runCoreAttempt(opts, plan, state, null, new OutputTail());
    if (code !== 0) {
      throw new UserError(`Salvage failed (exit ${code}); see the messages above.`);
    }
    return 0;
  }

  const tail = new OutputTail();
  const baseline = plan.summaryFile === null ? null : await fileStamp(plan.summaryFile);
  // Partial (3): the run finished and says which channels it could not export; not a failure to retry.
  const failed = (code: number) =>
    code !== 0 && code !== EXIT.partial && opts.signals.received === null;
  let token = await requireToken(plan.envFile, plan.envFilePath, opts);
  let code = await attempt(opts, plan, state, token, tail);
  let failure: UserError | null = null;
  if (failed(code) && isAuthFailure(tail.lines())) {
    opts.output.err("Detected Discord auth failure. Refreshing token and retrying once...");
    if (plan.reauth !== null) {
      await runReauthCommand(plan.reauth, {
        env: withoutToken(plan.env),
        interactive: opts.interactive,
        log: opts.output.err,
      });
    }
    opts.signals.checkpoint();
    // Re-read everything after the reauth script ran: it may have rewritten scrape.env or the token file.
    plan.envFile = await loadEnvFile(plan.envFilePath);
    plan.env = effectiveEnv(opts.exported, plan.envFile);
    token = await requireToken(plan.envFile, plan.envFilePath, opts);
    tail.clearLines();
    code = await attempt(opts, plan, state, token, tail);
    if (failed(code)) {
      failure = new UserError(
        `${runLabel(plan)} failed for '${plan.sub}' after one auth refresh retry (exit ${code}).`,
      );
    }
  } else if (failed(code)) {
    failure = new UserError(
      `${runLabel(plan)} failed for '${plan.sub}' with a non-auth error (exit ${code}).`,
    );
  }
  opts.signals.checkpoint();
  // Only a scrape produces a run summary; preflight has nothing to recover (and must not warn).
  // A failed scrape's summary (what was done before it stopped) is recovered too.
  if (plan.sub === "scrape") await recoverSummary(opts, plan, tail, failure !== null, baseline);
  if (failure !== null) throw failure;
  return code;
}

function runLabel(plan: Plan): string {
  return plan.exporter === "compose" ? "Container run" : "Direct run";
}

function attempt(
  opts: HostRunOptions,
  plan: Plan,
  state: RunState,
  token: ResolvedToken,
  tail: OutputTail,
): Promise<number> {
  return plan.compose
    ? composeAttempt(opts, plan, state, token, tail)
    : runCoreAttempt(opts, plan, state, token, tail);
}

/** The variables the container gets through the env file (the token first). */
function composeEntries(plan: Plan, token: ResolvedToken, podman: boolean): [string, string][] {
  const env = plan.env;
  const entries: [string, string][] = [["DISCORD_TOKEN", token.token]];
  const userns = env["DCE_USERNS_MODE"] || (podman ? "keep-id" : "");
  if (userns) entries.push(["DCE_USERNS_MODE", userns]);
  for (const key of ["DCE_UID", "DCE_GID"]) if (env[key]) entries.push([key, env[key] as string]);
  entries.push([
    "DCE_CONTAINER_MEMORY",
    containerMemoryFor(env["DCE_CONTAINER_MEMORY"], plan.config.targets, plan.args.targets),
  ]);
  for (
    const key of [
      "DCE_STALE_TEMP_MIN_AGE_SECONDS",
      "DCE_SALVAGE_ACTIVE_TEMPS",
      "DCE_HEARTBEAT_SECONDS",
      "DCE_RETRY_DELAYS",
    ]
  ) {
    if (env[key]) entries.push([key, env[key] as string]);
  }
  const inContainer = plan.summaryFile !== null
    ? containerSummaryPath(plan.summaryFile, plan.repoRoot)
    : null;
  // With a summary file the marker line is always wanted: it is how the host fills a file the
  // container cannot write (a path outside logs/), §14.29.
  if (env["DCE_RUN_SUMMARY_JSON"] === "1" || plan.summaryFile !== null) {
    entries.push(["DCE_RUN_SUMMARY_JSON", "1"]);
  }
  if (inContainer !== null) entries.push(["DCE_RUN_SUMMARY_FILE", inContainer]);
  return entries;
}

async function composeAttempt(
  opts: HostRunOptions,
  plan: Plan,
  state: RunState,
  token: ResolvedToken,
  tail: OutputTail,
): Promise<number> {
  const compose = plan.compose as NonNullable<Plan["compose"]>;
  const entries = composeEntries(plan, token, compose.program.podman);
  const text = composeEnvText(entries);
  if (state.envPath === null) {
    try {
      state.envPath = await writeComposeEnvFile(opts.tmpDir, text);
    } catch (err) {
      throw new UserError(
        `Cannot create the token env file in ${opts.tmpDir}: ${
          fsReason(err)
        }; set TMPDIR to a writable folder.`,
      );
    }
  } else await rewriteComposeEnvFile(state.envPath, text);
  const argv = composeRunArgv(compose.program, {
    envFile: state.envPath,
    composeFile: compose.file,
    tty: plan.env["DCE_COMPOSE_TTY"] !== "0",
    subcommand: plan.sub,
    args: coreArgv(plan.args, compose.containerConfig),
  });
  // The compose client gets the settings (compose interpolates DCE_ARCHIVE_ROOT, DCE_UID, …) but
  // never the token: it reads that from the 0600 env file, so a stale exported DISCORD_TOKEN cannot
  // shadow the refreshed one either (compose prefers the shell over --env-file).
  const childEnv = withoutToken(plan.env);
  for (const [key, value] of entries) if (key !== "DISCORD_TOKEN") childEnv[key] = value;
  opts.signals.checkpoint();
  try {
    return await runStreamedChild(argv[0] as string, argv.slice(1), {
      env: childEnv,
      cwd: plan.repoRoot,
      stdin: plan.env["DCE_COMPOSE_TTY"] === "0" ? "null" : "inherit",
      stdout: opts.stdout,
      stderr: opts.stderr,
      tail,
      signals: opts.signals,
      onSpawn: (pid) => recordExportChild(opts, state.lock, pid),
    });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new UserError(`Required command '${argv[0]}' is missing (it vanished before the run).`);
    }
    throw err;
  }
}

/** Adds the exporter to the lock's holder record; a failed .meta write is a warning, not a crash. */
function recordExportChild(opts: HostRunOptions, lock: LockHandle | null, pid: number): void {
  lock?.recordChild(pid).catch((err) => {
    opts.output.err(`WARN: could not record export pid ${pid} in the lock: ${err}`);
  });
}

async function runCoreAttempt(
  opts: HostRunOptions,
  plan: Plan,
  state: RunState,
  token: ResolvedToken | null,
  tail: OutputTail,
): Promise<number> {
  const env = withoutToken(plan.env);
  if (token !== null) env["DISCORD_TOKEN"] = token.token;
  if (plan.summaryFile !== null) env["DCE_RUN_SUMMARY_FILE"] = plan.summaryFile;
  const abort = new AbortController();
  const run = opts.signals.forwardToRun(abort);
  try {
    opts.signals.checkpoint();
    return await opts.runCore({
      mode: plan.sub,
      configPath: plan.configPath,
      targets: plan.args.targets,
      guilds: plan.args.guilds,
      channels: plan.args.channels,
      env,
      cliBin: plan.cliBin,
      log: (line) => {
        opts.output.err(line);
        tail.push(line);
      },
      signal: abort.signal,
      strict: plan.args.strict === true,
      onExportChild: (pid) => {
        const ended = run.started(pid);
        recordExportChild(opts, state.lock, pid);
        return ended;
      },
    });
  } finally {
    run.stop();
  }
}

async function recoverSummary(
  opts: HostRunOptions,
  plan: Plan,
  tail: OutputTail,
  failed: boolean,
  baseline: string | null,
): Promise<void> {
  if (plan.summaryFile === null) return;
  // Written by this run (the core, or the container under logs/): nothing to recover. A file
  // still as it was before the run is an earlier run's summary: replaced.
  const untouched = (await fileStamp(plan.summaryFile)) === baseline;
  if (!untouched && await hasContent(plan.summaryFile)) return;
  const line = tail.summaryLine;
  if (line === null) {
    if (failed) return; // a run that stopped before any channel has no summary to recover
    opts.output.err(
      `WARN: no DCE_JSON_SUMMARY line in the run output; ${plan.summaryFile} was not written.`,
    );
    return;
  }
  try {
    await writeSummaryFile(plan.summaryFile, parseSummaryLine(line, "the run output"));
  } catch (err) {
    // The export itself succeeded and the archives are committed: report, do not fail the run.
    const reason = err instanceof UserError ? err.message : fsReason(err);
    opts.output.err(`WARN: could not write the run summary ${plan.summaryFile}: ${reason}`);
    return;
  }
  opts.output.err(`JSON summary recovered from run log: ${plan.summaryFile}`);
}

function fsReason(err: unknown): string {
  if (err instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (err instanceof Deno.errors.NotFound) return "the folder does not exist";
  if (err instanceof Deno.errors.AlreadyExists || err instanceof Deno.errors.NotADirectory) {
    return "a file is in the way of a folder";
  }
  return err instanceof Error ? err.message : String(err);
}

async function requireFolder(tmpDir: string): Promise<void> {
  let ok = false;
  try {
    ok = (await Deno.stat(tmpDir)).isDirectory;
  } catch { /* reported below */ }
  if (!ok) {
    throw new UserError(
      `Cannot create the token env file in ${tmpDir}: the folder does not exist; set TMPDIR to a writable folder.`,
    );
  }
}

async function makeFolder(path: string, what: string): Promise<void> {
  try {
    await Deno.mkdir(path, { recursive: true });
  } catch (err) {
    throw new UserError(`Cannot create ${what} ${path}: ${fsReason(err)}.`);
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
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
