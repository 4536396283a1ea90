// Archive roots nested inside each other must not run at once: the lock files of the roots above
// and below ours (docs/lock.md#nested-archive-roots).
import { basename, dirname, join } from "node:path";
import { LOCK_FILE_NAME } from "./resolve_lock_path.ts";

/** How deep below our root we look for another root's lock file; targets sit one or two deep. */
export const NESTED_DEPTH = 4;
/** Folders we look into at most below our root: an acquire must stay cheap on a huge tree. */
export const NESTED_FOLDER_CAP = 10_000;

function isRegularFile(path: string): boolean {
  try {
    return Deno.lstatSync(path).isFile;
  } catch {
    return false;
  }
}

/** `.dce-scrape.lock` of every folder above `root`, nearest first. */
function ancestorLocks(root: string): string[] {
  const found: string[] = [];
  for (let dir = dirname(root);; dir = dirname(dir)) {
    const candidate = join(dir, LOCK_FILE_NAME);
    if (isRegularFile(candidate)) found.push(candidate);
    if (dir === dirname(dir)) return found;
  }
}

/**
 * `.dce-scrape.lock` of folders below `root`, breadth first, at most NESTED_DEPTH deep and
 * NESTED_FOLDER_CAP folders. Symlinks and hidden folders (our temps) are not entered.
 */
function descendantLocks(root: string): string[] {
  const found: string[] = [];
  let level = [root];
  let visited = 0;
  for (let depth = 1; depth <= NESTED_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      let entries: Deno.DirEntry[];
      try {
        entries = [...Deno.readDirSync(dir)];
      } catch {
        continue; // unreadable or gone: nothing of ours can be written there either
      }
      for (const entry of entries) {
        if (!entry.isDirectory || entry.name.startsWith(".")) continue;
        if (++visited > NESTED_FOLDER_CAP) return found;
        const sub = join(dir, entry.name);
        if (isRegularFile(join(sub, LOCK_FILE_NAME))) found.push(join(sub, LOCK_FILE_NAME));
        next.push(sub);
      }
    }
    level = next;
  }
  return found;
}

/**
 * The lock files of archive roots nested with the root of `lockPath` (above or below it). Only a
 * lock named `.dce-scrape.lock` sits in an archive root; a DCE_SCRAPE_LOCK_FILE elsewhere has none.
 */
export function nestedLockPaths(lockPath: string): string[] {
  if (basename(lockPath) !== LOCK_FILE_NAME) return [];
  const root = dirname(lockPath);
  return [...ancestorLocks(root), ...descendantLocks(root)];
}
