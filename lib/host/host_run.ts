// The host runner (run-scrape-host): plan, then under the lock one attempt and at most one auth retry;
// the token env file and the lock are undone on every way out.

import { EXIT, UserError } from "../cli/errors.ts";
import { fsReason } from "../fs/fs_reason.ts";
import { acquireLock, lockSkipped } from "../lock/acquire_lock.ts";
import { inheritsLock } from "../lock/inherited_lock.ts";
import { exitAfterRelease, releaseReporting } from "../lock/release_reporting.ts";
import { HELD_TOKEN_ENV, heldLockEnv, SKIP_LOCK_ENV } from "../lock/held_lock_env.ts";
import { resolveLockPath } from "../lock/resolve_lock_path.ts";
import { resolveSettings } from "../config/resolve_settings.ts";
import { Interrupted, signalExitCode } from "../process/signals.ts";
import { fileStamp, recoverSummaryFile } from "../scrape/run_summary.ts";
import { removeComposeEnvFile } from "./compose_env_file.ts";
import { loadEnvFile } from "./env_file.ts";
import { runAttempt, type RunState } from "./host_attempt.ts";
import { isAuthFailure } from "./host_auth_failure.ts";
import { effectiveEnv, withoutToken } from "./host_env.ts";
import { OutputTail } from "./host_output_tail.ts";
import { type HostPlan, prepareHostPlan, requireToken } from "./host_plan.ts";
import type { HostRunOptions } from "./host_run_options.ts";
import { runReauthCommand } from "./token_reauth_command.ts";

/**
 * Runs one subcommand and returns the exit code (0, 3 partial, 1, or 128+n after a signal). A lock
 * release or token-file removal that fails afterwards never hides that result: one ERROR line, and
 * only a clean 0 becomes 1 (docs/lock.md#when-releasing-fails-at-the-end-of-a-scrape).
 */
export async function runHost(opts: HostRunOptions): Promise<number> {
  const state: RunState = { lock: null, envPath: null, coreLockEnv: {} };
  let cleanedUp = true;
  let code: number;
  try {
    code = await runReportingSignals(opts, state);
  } finally {
    // The lock is released even when the token file cannot be removed.
    if (state.envPath !== null) cleanedUp = removeTokenFile(state.envPath, opts.output.err);
    if (state.lock !== null) {
      cleanedUp = await releaseReporting(state.lock, opts.output.err) && cleanedUp;
    }
  }
  return exitAfterRelease(code, cleanedUp);
}

async function runReportingSignals(opts: HostRunOptions, state: RunState): Promise<number> {
  try {
    const plan = await prepareHostPlan(opts);
    opts.signals.checkpoint();
    return await runWithLock(opts, plan, state);
  } catch (err) {
    if (err instanceof Interrupted) return signalExitCode(err.signal);
    // A signal that made the exporter fail is reported as the signal, not as an export failure.
    if (opts.signals.received !== null) return signalExitCode(opts.signals.received);
    throw err;
  }
}

/**
 * Removes the token env file; when it cannot, one ERROR line (the token is left on disk, which the
 * operator must know) and false. Like a failed release it never hides a partial, failed or
 * interrupted result; only a clean 0 becomes 1.
 */
function removeTokenFile(path: string, err: (line: string) => void): boolean {
  try {
    removeComposeEnvFile(path);
    return true;
  } catch (error) {
    err(`ERROR: Cannot remove the token env file ${path}: ${fsReason(error)}; delete it by hand.`);
    return false;
  }
}

async function runWithLock(
  opts: HostRunOptions,
  plan: HostPlan,
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
    if (inheritsLock(resolved.path, envReader)) {
      state.coreLockEnv = heldLockEnv(resolved.path, envReader.get(HELD_TOKEN_ENV) as string);
    } else {
      state.lock = await acquireLock({
        path: resolved.path,
        cmd: ["run-scrape-host", ...opts.argv],
        tool: "run-scrape-host",
        checkout: opts.repoRoot,
        waitSeconds: plan.args.waitSeconds ?? 0,
        env: envReader,
        warn: opts.output.err,
      });
      state.coreLockEnv = heldLockEnv(state.lock.path, state.lock.token);
    }
  } else if (plan.sub !== "preflight") state.coreLockEnv = { [SKIP_LOCK_ENV]: "1" };
  opts.signals.checkpoint();

  if (plan.sub === "salvage") {
    const code = await runAttempt({ opts, plan, state, tail: new OutputTail() }, null);
    if (code !== 0) {
      throw new UserError(`Salvage failed (exit ${code}); see the messages above.`);
    }
    return 0;
  }

  const tail = new OutputTail();
  const run = { opts, plan, state, tail };
  const baseline = plan.summaryFile === null ? null : await fileStamp(plan.summaryFile);
  if (opts.seen) opts.seen.summaryBaseline = baseline;
  // Partial (3): the run finished and says which channels it could not export; not a failure to retry.
  const failed = (code: number) =>
    code !== 0 && code !== EXIT.partial && opts.signals.received === null;
  let token = await requireToken(opts, plan.envFile, plan.envFilePath);
  let code = await runAttempt(run, token);
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
    token = await requireToken(opts, plan.envFile, plan.envFilePath);
    tail.clearLines();
    code = await runAttempt(run, token);
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

function runLabel(plan: HostPlan): string {
  return plan.exporter === "compose" ? "Container run" : "Direct run";
}

async function recoverSummary(
  opts: HostRunOptions,
  plan: HostPlan,
  tail: OutputTail,
  failed: boolean,
  baseline: string | null,
): Promise<void> {
  if (plan.summaryFile === null) return;
  // A run that stopped before any channel has no summary to recover.
  if (failed && tail.summaryLine === null) return;
  // A file still as it was before the run is an earlier run's summary: replaced. One this run
  // wrote (the core, or the container under logs/) is left alone.
  const untouched = (await fileStamp(plan.summaryFile)) === baseline;
  const said = await recoverSummaryFile(plan.summaryFile, tail.summaryLine, {
    output: "the run output",
    log: "run log",
  }, untouched);
  if (said !== undefined) opts.output.err(said);
}
