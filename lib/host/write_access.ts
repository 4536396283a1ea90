// Before any work: can this user write the archive root, the lock files and the log folder, and are
// the secret files private? Found here, a wrong owner is one clear line instead of a lock error after
// the whole preflight.
import { basename, dirname, join } from "node:path";
import { currentUser, notWritable, readableByOthers } from "../fs/permissions.ts";
import { existsSync } from "../fs/file_predicates.ts";

export interface WriteTargets {
  archiveRoot: string;
  /** The lock file (resolveLockPath): it, its siblings `<lock>.*` and its folder must be writable. */
  lockPath?: string | undefined;
  /** Folders the run writes logs into. */
  logDirs?: readonly string[];
}

/** One problem line per place this user cannot write; empty when all is well. */
export function writeAccessProblems(targets: WriteTargets): string[] {
  const problems: string[] = [];
  const who = currentUser();
  const rootProblem = notWritable(targets.archiveRoot, "folder");
  // A missing archive root is the disk check's to report (it may be an unmounted disk).
  if (rootProblem !== undefined && existsSync(targets.archiveRoot, { follow: true })) {
    problems.push(
      `archive_root ${targets.archiveRoot} is not writable by ${who} (${rootProblem}); the scrape writes archives and its lock there. Run as the folder's owner, or give this user write access.`,
    );
  }
  const lockFolder = targets.lockPath === undefined ? undefined : dirname(targets.lockPath);
  if (
    lockFolder !== undefined && lockFolder !== targets.archiveRoot &&
    existsSync(lockFolder, { follow: true })
  ) {
    const problem = notWritable(lockFolder, "folder");
    if (problem) {
      problems.push(`Lock folder ${lockFolder} is not writable by ${who} (${problem}).`);
    }
  }
  for (const file of targets.lockPath === undefined ? [] : lockFiles(targets.lockPath)) {
    const problem = notWritable(file, "file");
    if (problem) {
      problems.push(
        `Lock file ${file} is not writable by ${who} (${problem}); it was left by another user. Run as that user, or chown the file.`,
      );
    }
  }
  for (const dir of targets.logDirs ?? []) {
    const problem = notWritable(dir, "folder");
    if (problem) problems.push(`Log folder ${dir} is not writable by ${who} (${problem}).`);
  }
  return problems;
}

/** `WARN: … chmod 600 <path>` for each secret file (env file, token file) others can read. */
export function secretFileWarnings(paths: readonly (string | undefined)[]): string[] {
  return [...new Set(paths)].flatMap((path) => {
    const warning = path === undefined ? undefined : readableByOthers(path);
    return warning === undefined ? [] : [warning];
  });
}

function lockFiles(lockPath: string): string[] {
  const name = basename(lockPath);
  try {
    return [...Deno.readDirSync(dirname(lockPath))]
      .filter((e) => e.isFile && (e.name === name || e.name.startsWith(`${name}.`)))
      .map((e) => join(dirname(lockPath), e.name))
      .sort();
  } catch {
    return [];
  }
}
