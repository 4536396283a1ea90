// The reclaim guard: a flock on <lock>.reclaim, a file that is never deleted, so a dead owner frees it.
import { lockIoError, lstatRegular } from "./lock_path_safety.ts";
import { tryFlock } from "./flock.ts";
import { LockBusyError } from "./lock_busy_error.ts";

export interface Guard {
  release(): void;
}

/** Test hook (smokes only): a shorter guard deadline, so a stuck guard is tested in seconds. */
export const GUARD_DEADLINE_HOOK = "DCE_OPS_TEST_GUARD_DEADLINE_MS";

/** How long we wait for the guard; it is held for milliseconds, so this only trips on a bug. */
function guardDeadlineMs(): number {
  try {
    const hook = Number(Deno.env.get(GUARD_DEADLINE_HOOK));
    return hook > 0 ? hook : 15_000;
  } catch {
    return 15_000; // no env permission: not a test run
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function guardPathOf(lockPath: string): string {
  return `${lockPath}.reclaim`;
}

/** Opens the guard file (creating it if needed) without ever truncating or writing it. */
function openGuard(lockPath: string): Deno.FsFile {
  const path = guardPathOf(lockPath);
  lstatRegular(path, "Lock guard"); // a symlink, FIFO or directory there is refused
  try {
    return Deno.openSync(path, { read: true, write: true, create: true });
  } catch (err) {
    throw lockIoError(path, "open lock guard", err);
  }
}

/** Takes the guard, polling with a short jittered sleep (never a blocking lock(): docs/development.md#deno-facts-we-rely-on). */
export async function takeGuard(lockPath: string): Promise<Guard> {
  const file = openGuard(lockPath);
  const deadlineMs = guardDeadlineMs();
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    let got: boolean;
    try {
      got = tryFlock(file, lockPath); // no flock here: FlockUnsupportedError, never a run unguarded
    } catch (err) {
      file.close();
      throw err;
    }
    if (got) {
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          file.close(); // closing drops the flock
        },
      };
    }
    if (performance.now() > deadline) {
      file.close();
      // Busy, not a crash: --wait retries it, and a cron run ends with one line.
      throw new LockBusyError(
        `Lock guard ${guardPathOf(lockPath)} stayed busy for ${deadlineMs / 1000} s: ` +
          `another process is stuck inside a claim or release of this lock; find it with: fuser ${
            guardPathOf(lockPath)
          }`,
        null,
      );
    }
    await sleep(1 + Math.random() * 4);
  }
}
