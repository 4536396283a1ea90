// The workflows' lock gate: asks lib/lock directly whether a scrape may start, and tells "held" apart from
// "cannot tell" (docs/bash-suite.md#h8-any-error-means-held: the bash gate reported any status error, even a broken config, as "held").
import { join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { lockSkipped } from "../lock/acquire_lock.ts";
import { holderLines } from "../lock/holder.ts";
import { readLockStatus } from "../lock/read_lock_status.ts";
import { resolveLockPath } from "../lock/resolve_lock_path.ts";
import { resolveSettings } from "../config/resolve_settings.ts";
import type { OpsOutput } from "./ops_log.ts";

/** The lock is held by a live scrape: exit 1 with the marker line other tools and tests match. */
export class LockHeldError extends UserError {
  constructor(readonly lockPath: string, inspect: string) {
    super(`Scrape lock is held; another scrape may be running. Inspect: ${inspect}`);
    this.name = "LockHeldError";
  }
}

export type GateResult = "skipped" | "free" | "stale";

export interface GateOptions {
  configPath: string;
  repoRoot: string;
  env: Record<string, string | undefined>;
}

function reader(env: Record<string, string | undefined>) {
  return { get: (name: string) => env[name] };
}

/**
 * Passes when the lock is free or provably stale (the host runner reclaims a stale lock when it
 * acquires). Throws LockHeldError when held, and a UserError naming the reason when the lock cannot
 * be inspected (broken config, hostile lock path). Read-only: never takes the lock, not even briefly.
 */
export function checkLockGate(out: OpsOutput, opts: GateOptions): GateResult {
  if (lockSkipped(reader(opts.env), (line) => out.err(line))) return "skipped";
  const inspect = `${join(opts.repoRoot, "dce")} scrape-lock-status --config ${opts.configPath}`;
  let path: string;
  try {
    const resolved = resolveLockPath({
      configPath: opts.configPath,
      repoRoot: opts.repoRoot,
      lockFile: resolveSettings({ env: opts.env, repoRoot: opts.repoRoot }).lockFile,
    });
    if (resolved.warning) out.err(resolved.warning);
    path = resolved.path;
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    throw new UserError(
      `Cannot check the scrape lock (this is not "lock held"): ${err.message}`,
    );
  }
  let status;
  try {
    status = readLockStatus(path);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    throw new UserError(
      `Cannot check the scrape lock ${path} (this is not "lock held"): ${err.message}`,
    );
  }
  if (status.state === "held") {
    out.err(`lock: ${path}`);
    out.err(`state: ${status.stateLine}`);
    if (status.holder) {
      const running = status.judgement?.verdict !== "dead";
      for (const line of holderLines(status.holder, running)) out.err(line);
    }
    throw new LockHeldError(path, inspect);
  }
  if (status.state === "stale") {
    out.err(`lock: ${path}: ${status.stateLine}; the scrape will reclaim it.`);
    return "stale";
  }
  return "free";
}
