// One attempt of the host runner: the exporter run once, in a container (compose) or in-process (CLI).

import { UserError } from "../cli/errors.ts";
import { fsReason } from "../fs/fs_reason.ts";
import type { LockHandle } from "../lock/acquire_lock.ts";
import { composeRunArgv } from "./compose_command.ts";
import { composeEnvText, rewriteComposeEnvFile, writeComposeEnvFile } from "./compose_env_file.ts";
import { coreArgv } from "./host_args.ts";
import { withoutToken } from "./host_env.ts";
import type { OutputTail } from "./host_output_tail.ts";
import { containerSummaryPath } from "./host_paths.ts";
import type { HostPlan } from "./host_plan.ts";
import type { HostRunOptions } from "./host_run_options.ts";
import { runStreamedChild } from "./host_stream_child.ts";
import { containerMemoryFor } from "./run_plan.ts";
import type { ResolvedToken } from "./token_source.ts";

/** What must be undone on every way out: the lock held, the token env file written. */
export interface RunState {
  lock: LockHandle | null;
  envPath: string | null;
  /**
   * What the core in a container needs to work under this run's lock instead of taking it again
   * (which would find this run holding it): the lock's path and token, or the skip.
   */
  coreLockEnv: Record<string, string>;
}

/** What every attempt of one run shares: the options, the plan, what to undo, the output tail. */
export interface AttemptContext {
  opts: HostRunOptions;
  plan: HostPlan;
  state: RunState;
  tail: OutputTail;
}

/** Runs the exporter once (no token: salvage, in-process) and returns its exit code. */
export function runAttempt(run: AttemptContext, token: ResolvedToken | null): Promise<number> {
  return run.plan.compose && token !== null ? composeAttempt(run, token) : coreAttempt(run, token);
}

/** The variables the container gets through the env file (the token first). */
function composeEntries(plan: HostPlan, token: ResolvedToken, podman: boolean): [string, string][] {
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
  // container cannot write (a path outside logs/), docs/bash-suite.md#h29-summary-path-mapping.
  if (env["DCE_RUN_SUMMARY_JSON"] === "1" || plan.summaryFile !== null) {
    entries.push(["DCE_RUN_SUMMARY_JSON", "1"]);
  }
  if (inContainer !== null) entries.push(["DCE_RUN_SUMMARY_FILE", inContainer]);
  return entries;
}

async function composeAttempt(
  { opts, plan, state, tail }: AttemptContext,
  token: ResolvedToken,
): Promise<number> {
  const compose = plan.compose as NonNullable<HostPlan["compose"]>;
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
    containerEnv: state.coreLockEnv,
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

async function coreAttempt(
  { opts, plan, state, tail }: AttemptContext,
  token: ResolvedToken | null,
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
