// Every flock this suite takes goes through here: where flock(2) itself fails, we refuse to lock (docs/bash-suite.md#h1-fail-open-without-flock).
import { UserError } from "../cli/errors.ts";

/**
 * flock(2) threw (ENOLCK, EOPNOTSUPP, … on some network filesystems): exit 2. We refuse instead of
 * deciding by the PID record alone, because without flock nothing guarantees exactly one
 * reclaimer (the guard is a flock), nor excludes the bash suite's `flock -n` holders.
 */
export class FlockUnsupportedError extends UserError {
  /** Why flock failed, e.g. `Operation not supported (os error 95)`. */
  readonly detail: string;
  constructor(lockPath: string, detail: string) {
    super(`Cannot lock ${lockPath}: ${flockUnsupportedText(detail)}`, { exitCode: 2 });
    this.name = "FlockUnsupportedError";
    this.detail = detail;
  }
}

/** The reason and the remedy, one line: the acquire error and the status note both say it. */
export function flockUnsupportedText(detail: string): string {
  return `flock is not supported on this filesystem (${detail}); put the archive root on a local ` +
    "filesystem, or set DCE_SCRAPE_LOCK_FILE to a path on a local disk shared by every checkout.";
}

/** Test hook (smokes only; there is no flock-less filesystem to test on): every flock throws. */
export const FLOCK_UNSUPPORTED_HOOK = "DCE_OPS_TEST_FLOCK_UNSUPPORTED";

function hookSet(): boolean {
  try {
    return Deno.env.get(FLOCK_UNSUPPORTED_HOOK) === "1";
  } catch {
    return false; // no env permission: not a test run
  }
}

/** Non-blocking exclusive flock on `file` (of the lock at `lockPath`): true if taken, false if busy. */
export function tryFlock(file: Deno.FsFile, lockPath: string): boolean {
  try {
    if (hookSet()) throw new Error("Operation not supported (simulated by the test hook)");
    return file.tryLockSync(true);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new FlockUnsupportedError(lockPath, detail.replace(/\s+/g, " ").trim());
  }
}
