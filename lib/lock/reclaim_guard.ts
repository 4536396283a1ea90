// The reclaim guard: a flock on <lock>.reclaim, a file that is never deleted, so a dead owner frees it.
import { lockIoError, lstatRegular } from "./lock_path_safety.ts";
import { tryFlock } from "./flock.ts";

export interface Guard {
  release(): void;
}

/** How long we wait for the guard; it is held for milliseconds, so this only trips on a bug. */
const GUARD_DEADLINE_MS = 15_000;

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

/** Takes the guard, polling with a short jittered sleep (never a blocking lock(): see deno-notes). */
export async function takeGuard(lockPath: string): Promise<Guard> {
  const file = openGuard(lockPath);
  const deadline = performance.now() + GUARD_DEADLINE_MS;
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
      throw new Error(
        `Lock guard ${guardPathOf(lockPath)} stayed busy for ${GUARD_DEADLINE_MS / 1000} s; ` +
          `a process is stuck inside a reclaim or release (check with: fuser ${
            guardPathOf(lockPath)
          })`,
      );
    }
    await sleep(1 + Math.random() * 4);
  }
}
