// The host runner (run-scrape-host): plan, then under the lock one attempt and at most one auth retry;
// the token env file and the lock are undone on every way out.

import { UserError } from "../cli/errors.ts";
import { fsReason } from "../fs/fs_reason.ts";
import { acquireLock, type LockHandle, lockSkipped } from "../lock/acquire_lock.ts";
import { resolveLockPath } from "../lock/resolve_lock_path.ts";
import { resolveSettings } from "../config/resolve_settings.ts";
import { Interrupted, signalExitCode } from "../process/signals.ts";
import { recoverSummaryFile } from "../scrape/run_summary.ts";
import { removeComposeEnvFile } from "./compose_env_file.ts";
import { loadEnvFile } from "./env_file.ts";
import { runAttempt, type RunState } from "./host_attempt.ts";
import { isAuthFailure } from "./host_auth_failure.ts";
import { effectiveEnv, withoutToken } from "./host_env.ts";
import { OutputTail } from "./host_output_tail.ts";
import { type HostPlan, prepareHostPlan, requireToken } from "./host_plan.ts";
import type { HostRunOptions } from "./host_run_options.ts";
import { runReauthCommand } from "./token_reauth_command.ts";

/** Runs one subcommand and returns the exit code (0, 1, or 128+n after a signal). */
export async function runHost(opts: HostRunOptions): Promise<number> {
  const state: RunState = { lock: null, envPath: null };
  try {
    const plan = await prepareHostPlan(opts);
    opts.signals.checkpoint();
    await runWithLock(opts, plan, state);
    return 0;
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

async function runWithLock(
  opts: HostRunOptions,
  plan: HostPlan,
  state: RunState,
): Promise<void> {
  const envReader = { get: (name: string) => plan.env[name] };
  if (plan.sub !== "preflight" && !lockSkipped(envReader, opts.output.err)) {
    const resolved = resolveLockPath({
      configPath: plan.configPath,
      repoRoot: opts.repoRoot,
      lockFile: resolveSettings({ cwd: opts.cwd, repoRoot: opts.repoRoot, env: plan.env }).lockFile,
    });
    if (resolved.warning) opts.output.err(resolved.warning);
    state.lock = await acquireLock({
      path: resolved.path,
      cmd: ["run-scrape-host", ...opts.argv],
      tool: "run-scrape-host",
      checkout: opts.repoRoot,
      env: envReader,
      warn: opts.output.err,
    });
  }
  opts.signals.checkpoint();

  if (plan.sub === "salvage") {
    const code = await runAttempt({ opts, plan, state, tail: new OutputTail() }, null);
    if (code !== 0) {
      throw new UserError(`Salvage failed (exit ${code}); see the messages above.`);
    }
    return;
  }

  const tail = new OutputTail();
  const run = { opts, plan, state, tail };
  let token = await requireToken(opts, plan.envFile, plan.envFilePath);
  let code = await runAttempt(run, token);
  if (code !== 0 && opts.signals.received === null && isAuthFailure(tail.lines())) {
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
    token = await requireToken(opts, plan.envFile, plan.envFilePath);
    tail.clearLines();
    code = await runAttempt(run, token);
    if (code !== 0 && opts.signals.received === null) {
      throw new UserError(
        `${runLabel(plan)} failed for '${plan.sub}' after one auth refresh retry (exit ${code}).`,
      );
    }
  } else if (code !== 0 && opts.signals.received === null) {
    throw new UserError(
      `${runLabel(plan)} failed for '${plan.sub}' with a non-auth error (exit ${code}).`,
    );
  }
  opts.signals.checkpoint();
  // Only a scrape produces a run summary; preflight has nothing to recover (and must not warn).
  if (plan.sub === "scrape") await recoverSummary(opts, plan, tail);
}

function runLabel(plan: HostPlan): string {
  return plan.exporter === "compose" ? "Container run" : "Direct run";
}

async function recoverSummary(
  opts: HostRunOptions,
  plan: HostPlan,
  tail: OutputTail,
): Promise<void> {
  if (plan.summaryFile === null) return;
  const said = await recoverSummaryFile(plan.summaryFile, tail.summaryLine, {
    output: "the run output",
    log: "run log",
  });
  if (said !== undefined) opts.output.err(said);
}
