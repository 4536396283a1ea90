// The ownership token a lock file carries right now: how a child proves its parent still holds it.
import { readCapped } from "./lock_meta.ts";
import { parseLockFile } from "./lock_record.ts";

/** The token in the lock file at `path`; null when it holds no record or cannot be read. */
export function recordedToken(path: string): string | null {
  try {
    const parsed = parseLockFile(readCapped(path, 4096) ?? "");
    return parsed.kind === "record" ? parsed.record.token : null;
  } catch {
    return null;
  }
}
