// Standalone writers of an archive (merge-export, salvage-truncated-export) hold the archive-root lock
// while they write: which lock, inheriting the one a parent holds, and holding it around the work.
import { dirname, join, resolve } from "node:path";
import { isLexicallyWithin } from "../fs/path_within_root.ts";
import { type AcquireOptions, lockSkipped } from "./acquire_lock.ts";
import { LOCK_FILE_NAME, readConfigJson } from "./resolve_lock_path.ts";
import { withHeldLock } from "./hold_lock.ts";
import { recordedToken } from "./recorded_token.ts";
import { HELD_LOCK_ENV, HELD_TOKEN_ENV } from "./held_lock_env.ts";
import { existsSync } from "../fs/file_predicates.ts";

type Env = { get(name: string): string | undefined };

/** The config's archive_root when it is an absolute path; null when there is no usable config. */
function configArchiveRoot(configPath: string | undefined): string | null {
  if (configPath === undefined || !existsSync(configPath)) return null;
  try {
    const root = (readConfigJson(configPath) as Record<string, unknown> | null)?.archive_root;
    return typeof root === "string" && root.startsWith("/") ? resolve(root) : null;
  } catch {
    return null; // a broken config is the scrape's to report; the archive folder still locks
  }
}

/**
 * The lock that guards `archivePath` (docs/lock.md#every-writer-takes-the-lock): DCE_SCRAPE_LOCK_FILE;
 * else the nearest folder above the archive that holds `.dce-scrape.lock` (the archive root a scrape
 * locked); else the config's archive_root when the archive lies in it; else the archive's own folder.
 */
export function writerLockPath(
  opts: { archivePath: string; configPath?: string | undefined; lockFile?: string | undefined },
): string {
  if (opts.lockFile) return opts.lockFile;
  const folder = dirname(resolve(opts.archivePath));
  for (let dir = folder;; dir = dirname(dir)) {
    if (existsSync(join(dir, LOCK_FILE_NAME))) return join(dir, LOCK_FILE_NAME);
    if (dir === dirname(dir)) break;
  }
  const root = configArchiveRoot(opts.configPath);
  if (root !== null && isLexicallyWithin(folder, root)) return join(root, LOCK_FILE_NAME);
  return join(folder, LOCK_FILE_NAME);
}

/**
 * True when our parent (with-scrape-lock) holds a lock that covers `archivePath`: the lock it names
 * still carries its token, and the archive lies in that lock's folder. Taking it again would
 * only report our own parent as busy.
 */
function inheritedLock(env: Env, archivePath: string, lockPath: string): boolean {
  const held = env.get(HELD_LOCK_ENV);
  const token = env.get(HELD_TOKEN_ENV);
  if (!held || !token) return false;
  if (held !== lockPath && !isLexicallyWithin(resolve(archivePath), dirname(held))) return false;
  return recordedToken(held) === token;
}

export interface ArchiveWriterLockOptions
  extends Pick<AcquireOptions, "cmd" | "tool" | "checkout" | "waitSeconds" | "warn"> {
  archivePath: string;
  configPath?: string | undefined;
  lockFile?: string | undefined;
  env: Env;
  /** Exit status when the lock stays busy (--conflict-exit-code); default 1. */
  conflictExitCode?: number;
}

/**
 * Nothing can be written at `archivePath` (its folder is missing, or a folder, FIFO, … is there):
 * the writer refuses on its own, and locking would only create lock files in a random folder.
 */
function nothingToGuard(archivePath: string): boolean {
  try {
    if (!Deno.statSync(dirname(resolve(archivePath))).isDirectory) return true;
  } catch {
    return true;
  }
  try {
    return !Deno.statSync(archivePath).isFile;
  } catch {
    return false; // absent: the writer creates it
  }
}

/** Runs `work` while holding the archive's lock (unless skipped or held by our parent). */
export async function withArchiveLock<T>(
  opts: ArchiveWriterLockOptions,
  work: () => Promise<T>,
): Promise<T> {
  const warn = opts.warn ?? ((line: string) => console.error(line));
  if (nothingToGuard(opts.archivePath)) return await work();
  const path = writerLockPath(opts);
  if (lockSkipped(opts.env, warn) || inheritedLock(opts.env, opts.archivePath, path)) {
    return await work();
  }
  return await withHeldLock({ ...opts, path, warn }, work);
}
