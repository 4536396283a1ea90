// A workflow takes the archive-root lock itself, before any work, and hands it down to the tools it
// runs: a second run then sees the first from its very start (the read-only gate left a window in
// which both passed it and probed Discord).
import { join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { acquireLock, LockBusyError, type LockHandle, lockSkipped } from "../lock/acquire_lock.ts";
import { holderLines } from "../lock/holder.ts";
import { INHERITED_LOCK_ENV, inheritsLock } from "../lock/inherited_lock.ts";
import { resolveLockPath } from "../lock/resolve_lock_path.ts";
import { resolveSettings } from "../config/resolve_settings.ts";
import type { OpsOutput } from "./ops_log.ts";

/** Another scrape holds the lock: the marker line other tools and wrappers match. */
export class LockHeldError extends UserError {
  constructor(readonly lockPath: string, inspect: string) {
    super(`Scrape lock is held; another scrape may be running. Inspect: ${inspect}`);
    this.name = "LockHeldError";
  }
}

export interface WorkflowLockOptions {
  configPath: string;
  repoRoot: string;
  /** The settings as the host runner sees them (exported + env file): DCE_SCRAPE_LOCK_FILE, … */
  env: Record<string, string | undefined>;
  /** Keep trying a busy lock this long (0: at once). */
  waitSeconds: number;
  /** Recorded as the holder's `tool=` and `cmd=`. */
  tool: string;
  argv: string[];
}

/** The lock this workflow holds, and the variables its children need to work under it. */
export interface WorkflowLock {
  handle: LockHandle | null;
  childEnv: Record<string, string>;
  release(out: OpsOutput): Promise<void>;
}

/** The lock of the config's archive root, DCE_SCRAPE_LOCK_FILE (exported or in the env file) first. */
export function workflowLockPath(
  opts: { configPath: string; repoRoot: string; env: Record<string, string | undefined> },
): { path: string; warning?: string } {
  return resolveLockPath({
    configPath: opts.configPath,
    repoRoot: opts.repoRoot,
    lockFile: resolveSettings({ env: opts.env, repoRoot: opts.repoRoot }).lockFile,
  });
}

/**
 * Acquires the lock (or notes DCE_SKIP_SCRAPE_LOCK=1), or works under the lock of the workflow that
 * started this one (run-operator-proof → run-documents-scrape) when it handed its token down. Busy: prints the holder and throws
 * LockHeldError with the marker line wrappers grep (`Scrape lock is held`).
 */
export async function takeWorkflowLock(
  out: OpsOutput,
  opts: WorkflowLockOptions,
): Promise<WorkflowLock> {
  const env = { get: (name: string) => opts.env[name] };
  if (lockSkipped(env, (line) => out.err(line))) {
    return { handle: null, childEnv: {}, release: () => Promise.resolve() };
  }
  const resolved = workflowLockPath(opts);
  if (resolved.warning) out.err(resolved.warning);
  if (inheritsLock(resolved.path, env)) {
    const inherited = { [INHERITED_LOCK_ENV]: env.get(INHERITED_LOCK_ENV)! };
    return { handle: null, childEnv: inherited, release: () => Promise.resolve() };
  }
  let handle: LockHandle;
  try {
    handle = await acquireLock({
      path: resolved.path,
      cmd: [opts.tool, ...opts.argv],
      tool: opts.tool,
      checkout: opts.repoRoot,
      waitSeconds: opts.waitSeconds,
      env,
      warn: (line) => out.err(line),
    });
  } catch (err) {
    if (!(err instanceof LockBusyError)) {
      if (!(err instanceof UserError)) throw err;
      // A lock path that is a folder, a symlink, unwritable: never reported as "held" (docs/bash-suite.md#h8-any-error-means-held).
      throw new UserError(
        `Cannot take the scrape lock ${resolved.path} (this is not "lock held"): ${err.message}`,
      );
    }
    out.err(`lock: ${resolved.path}`);
    if (err.holder) { for (const line of holderLines(err.holder, true)) out.err(line); }
    const inspect = `${join(opts.repoRoot, "dce")} scrape-lock-status --config ${opts.configPath}`;
    throw new LockHeldError(resolved.path, inspect);
  }
  return {
    handle,
    childEnv: { [INHERITED_LOCK_ENV]: handle.token },
    async release(out: OpsOutput) {
      if ((await handle.release()) === "taken-over") {
        out.err(
          `WARN: the scrape lock ${handle.path} was taken over by another process while this run held it; left it alone.`,
        );
      }
    },
  };
}
