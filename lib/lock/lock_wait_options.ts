// --wait SECONDS and --conflict-exit-code N: one reading for every tool that takes the lock.
import { UsageError } from "../cli/errors.ts";

/** Seconds to keep retrying a busy lock; absent: 0 (fail at once). */
export function parseWaitSeconds(text: string | undefined): number {
  const value = text ?? "0";
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(seconds)) {
    throw new UsageError(`Invalid --wait "${value}": give a number of seconds, e.g. --wait 30`);
  }
  return seconds;
}

/** The exit status for a lock that stays busy; absent: 1. */
export function parseConflictExitCode(text: string | undefined): number {
  const value = text ?? "1";
  const code = Number(value);
  if (!/^\d{1,3}$/.test(value) || code < 1 || code > 255) {
    throw new UsageError(`Invalid --conflict-exit-code "${value}": give 1 to 255`);
  }
  return code;
}
