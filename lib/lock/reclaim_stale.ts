// --reclaim-stale: clears a lock whose holder is provably dead, under the guard, never unlinking the lock file.
import { UserError } from "../cli/errors.ts";
import { parseLockFile } from "./lock_record.ts";
import { metaPathOf, readFromFile, readMeta } from "./lock_meta.ts";
import { openExistingLockFile } from "./lock_path_safety.ts";
import { takeGuard } from "./reclaim_guard.ts";
import { tryFlock } from "./flock.ts";
import { holderFrom, judgeHolder } from "./holder.ts";
import { type LocalIdentity, readLocalIdentity } from "./liveness.ts";

export interface ReclaimResult {
  /** Lines to print: `removed …`, then the final `state: …`. */
  lines: string[];
}

/** Refused reclaim: exit 2, as the bash tool did. */
export class ReclaimRefusedError extends UserError {
  constructor(message: string) {
    super(message, { exitCode: 2 });
    this.name = "ReclaimRefusedError";
  }
}

export async function reclaimStale(
  path: string,
  local: LocalIdentity = readLocalIdentity(),
): Promise<ReclaimResult> {
  const file = openExistingLockFile(path);
  if (file === null) return { lines: ["state: free (nothing to reclaim)"] };
  let guard = null;
  try {
    guard = await takeGuard(path);
    // Under the guard no acquirer of ours can race us; the flock shuts out legacy tools too.
    const locked = tryFlock(file, path); // no flock support: takeGuard() has refused already
    if (!locked) throw new ReclaimRefusedError("Cannot reclaim: scrape lock is actively held.");
    const size = file.statSync().size;
    const parsed = size > 4096
      ? { kind: "garbage" as const, reason: "too large" }
      : parseLockFile(readFromFile(file, 4096));
    const meta = readMeta(path);
    const holder = holderFrom(parsed, meta);
    const lines: string[] = [];
    if (holder !== null) {
      const judged = judgeHolder(holder, local);
      if (judged.verdict !== "dead") {
        throw new ReclaimRefusedError(
          `Cannot reclaim: lock holder pid is still running (${judged.reason}).`,
        );
      }
    }
    if (meta !== null) {
      Deno.removeSync(metaPathOf(path));
      lines.push(`removed stale lock meta: ${metaPathOf(path)}`);
    }
    if (size > 0) {
      file.truncateSync(0); // in place: unlinking a lockable file would open the two-inode race
      lines.push(`cleared unheld lock file: ${path} (kept on disk, never unlinked)`);
    }
    lines.push(
      holder !== null
        ? "state: free (stale lock reclaimed)"
        : "state: free (orphan lock reclaimed)",
    );
    return { lines };
  } finally {
    file.close();
    guard?.release();
  }
}
