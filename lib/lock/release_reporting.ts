// Releasing a scrape's lock at the end of a run: a failure is one ERROR line and a false result, so
// the caller keeps its run's own exit code and turns only a clean 0 into 1
// (docs/lock.md#when-releasing-fails-at-the-end-of-a-scrape).
import type { LockHandle } from "./acquire_lock.ts";

/** False when releasing failed: the record left behind names a dead process, reclaimed next run. */
export async function releaseReporting(
  lock: LockHandle,
  log: (line: string) => void,
): Promise<boolean> {
  let result;
  try {
    result = await lock.release();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    log(
      `ERROR: could not release the scrape lock ${lock.path} (${why}); the next run reclaims it.`,
    );
    return false;
  }
  if (result === "taken-over") {
    log(
      `WARN: the scrape lock ${lock.path} was taken over by another process while this run held it; left it alone.`,
    );
  }
  return true;
}

/** The exit code of a run whose lock release succeeded or not: only a clean 0 becomes 1. */
export function exitAfterRelease(code: number, released: boolean): number {
  return code === 0 && !released ? 1 : code;
}
