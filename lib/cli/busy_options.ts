// --wait SECONDS and --conflict-exit-code N: what a tool does when another scrape holds the lock.
import { UsageError } from "./errors.ts";

/** Seconds to keep trying a busy lock; default 0 (give up at once). */
export function parseWaitSeconds(text: string | undefined): number {
  const raw = text ?? "0";
  const wait = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(wait)) {
    throw new UsageError(`Invalid --wait "${raw}": give a number of seconds, e.g. --wait 30`);
  }
  return wait;
}

/** The exit status when the lock stays busy; default 1 (the older suite's). */
export function parseConflictExitCode(text: string | undefined): number {
  const raw = text ?? "1";
  const code = Number(raw);
  if (!/^\d{1,3}$/.test(raw) || code < 1 || code > 255) {
    throw new UsageError(`Invalid --conflict-exit-code "${raw}": give 1 to 255`);
  }
  return code;
}
