// Whether some process holds a flock on the lock file, learnt WITHOUT taking it (docs/bash-suite.md#h4-status-steals-the-lock): /proc/locks.
import { guardPathOf } from "./reclaim_guard.ts";
import { FlockUnsupportedError, flockUnsupportedText, tryFlock } from "./flock.ts";

export interface FlockObservation {
  /** null when it cannot be told without taking the lock. */
  held: boolean | null;
  /** "unsupported": flock(2) fails on this filesystem, so every acquisition here refuses. */
  method: "proc-locks" | "proc-locks-uncalibrated" | "unavailable" | "unsupported";
  /** PIDs /proc/locks names for the lock (the process that took it; may have exited since). */
  holderPids: number[];
  detail: string;
}

/** glibc major()/minor() of a userspace st_dev. */
export function splitDev(dev: number): { major: number; minor: number } {
  const big = BigInt(dev);
  const major = Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn));
  const minor = Number((big & 0xffn) | ((big >> 12n) & ~0xffn));
  return { major, minor };
}

/** The PIDs of flock(2) locks /proc/locks lists for (dev, ino); waiters ("->") are skipped. */
export function flockHoldersIn(
  procLocks: string,
  dev: number | null,
  ino: number | null,
): number[] {
  if (dev === null || ino === null) return [];
  const { major, minor } = splitDev(dev);
  const pids: number[] = [];
  for (const line of procLocks.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === "->" || fields[1] !== "FLOCK") continue;
    const pid = Number(fields[4]);
    const id = (fields[5] ?? "").split(":");
    if (id.length !== 3) continue;
    const [maj, min, inode] = id as [string, string, string];
    if (parseInt(maj, 16) === major && parseInt(min, 16) === minor && Number(inode) === ino) {
      pids.push(pid);
    }
  }
  return pids;
}

function readProcLocks(): string | null {
  try {
    return Deno.readTextFileSync("/proc/locks");
  } catch {
    return null;
  }
}

/**
 * Checks that /proc/locks names files the way stat() does on this filesystem (overlay and some
 * network filesystems report other device numbers): take the reclaim guard, which is ours and
 * held only for moments, and look for it. Returns null when there is no guard file to try, and
 * the error when flock fails on it.
 */
function calibrate(lockPath: string): boolean | null | FlockUnsupportedError {
  const guardPath = guardPathOf(lockPath);
  let file: Deno.FsFile;
  try {
    const info = Deno.lstatSync(guardPath);
    if (!info.isFile) return null;
    file = Deno.openSync(guardPath, { read: true });
  } catch {
    return null;
  }
  try {
    const info = file.statSync();
    const deadline = performance.now() + 200;
    while (performance.now() < deadline) {
      if (tryFlock(file, lockPath)) {
        const text = readProcLocks();
        file.unlockSync();
        return text !== null && flockHoldersIn(text, info.dev, info.ino).length > 0;
      }
      // Someone else holds the guard right now: seeing their entry calibrates just as well.
      const text = readProcLocks();
      if (text !== null && flockHoldersIn(text, info.dev, info.ino).length > 0) return true;
    }
    return null;
  } catch (err) {
    if (err instanceof FlockUnsupportedError) return err;
    throw err;
  } finally {
    file.close();
  }
}

/** Observes the flock on `info` (the lock file's lstat) without ever locking the lock file. */
export function observeFlock(lockPath: string, info: Deno.FileInfo): FlockObservation {
  const text = readProcLocks();
  if (text === null) {
    return {
      held: null,
      method: "unavailable",
      holderPids: [],
      detail: "/proc/locks is not readable; cannot tell without taking the lock",
    };
  }
  const pids = flockHoldersIn(text, info.dev, info.ino);
  if (pids.length > 0) {
    return {
      held: true,
      method: "proc-locks",
      holderPids: pids,
      detail: "flock listed in /proc/locks",
    };
  }
  const calibrated = calibrate(lockPath);
  if (calibrated instanceof FlockUnsupportedError) {
    return {
      held: null,
      method: "unsupported",
      holderPids: [],
      detail: flockUnsupportedText(calibrated.detail),
    };
  }
  if (calibrated === false) {
    return {
      held: null,
      method: "unavailable",
      holderPids: [],
      detail: "/proc/locks does not list this filesystem's flocks by stat() identity",
    };
  }
  return {
    held: false,
    method: calibrated ? "proc-locks" : "proc-locks-uncalibrated",
    holderPids: [],
    detail: "no flock listed in /proc/locks",
  };
}
