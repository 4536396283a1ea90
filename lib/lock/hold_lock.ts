// Holding the lock around one piece of work: acquire (a busy lock exits with the caller's conflict
// code), run, and release without letting a release failure replace the work's own outcome.
import {
  acquireLock,
  type AcquireOptions,
  LockBusyError,
  type LockHandle,
} from "./acquire_lock.ts";
import { releaseKeepingStatus } from "./run_under_lock.ts";

export interface HoldLockOptions extends AcquireOptions {
  /** Exit status when the lock stays busy (--conflict-exit-code); default 1. */
  conflictExitCode?: number | undefined;
}

/** acquireLock, with a lock that stays busy reported under the caller's conflict exit code. */
export async function acquireOrConflict(opts: HoldLockOptions): Promise<LockHandle> {
  try {
    return await acquireLock(opts);
  } catch (err) {
    if (!(err instanceof LockBusyError) || opts.conflictExitCode === undefined) throw err;
    throw new LockBusyError(err.message, err.holder, opts.conflictExitCode);
  }
}

/** Runs `work` while holding the lock at `opts.path`. */
export async function withHeldLock<T>(opts: HoldLockOptions, work: () => Promise<T>): Promise<T> {
  const warn = opts.warn ?? ((line: string) => console.error(line));
  const handle = await acquireOrConflict({ ...opts, warn });
  try {
    return await work();
  } finally {
    await releaseKeepingStatus(handle, warn);
  }
}
