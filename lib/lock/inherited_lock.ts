// A tool started by a run that already holds the lock (run-documents-scrape → run-scrape-host) works
// under its parent's lock instead of failing on it: the parent hands down the lock's token.
import { UserError } from "../cli/errors.ts";
import { readLockStatus } from "./read_lock_status.ts";
import { HELD_TOKEN_ENV } from "./held_lock_env.ts";

/** Set by the holder for its children: the 32-hex token its lock record carries. */
export const INHERITED_LOCK_ENV = HELD_TOKEN_ENV;

/**
 * True when the environment names a token and the lock at `path` is held right now with exactly
 * that token; false when no token is named. A named token that is not the holder's (the parent
 * is gone, or the variable leaked into another shell) is refused: running unlocked would be the
 * one thing the lock exists to prevent.
 */
export function inheritsLock(
  path: string,
  env: { get(name: string): string | undefined },
): boolean {
  const token = env.get(INHERITED_LOCK_ENV);
  if (!token) return false;
  const status = readLockStatus(path);
  if (status.state === "held" && status.holder?.token === token) return true;
  throw new UserError(
    `${INHERITED_LOCK_ENV} is set, but the scrape lock ${path} is not held with that token (state: ${status.stateLine}); unset it, or run this from the workflow that holds the lock.`,
  );
}
