// The variables a lock holder hands to the processes it starts, so a writer among them works under
// the holder's lock instead of waiting for its own parent; and the one that turns the lock off.
export const HELD_LOCK_ENV = "DCE_SCRAPE_LOCK_HELD";
export const HELD_TOKEN_ENV = "DCE_SCRAPE_LOCK_TOKEN";
export const SKIP_LOCK_ENV = "DCE_SKIP_SCRAPE_LOCK";

/** The variables that let a process we start work under the lock at `path` that we hold. */
export function heldLockEnv(path: string, token: string): Record<string, string> {
  return { [HELD_LOCK_ENV]: path, [HELD_TOKEN_ENV]: token };
}
