// The disk gate: archive_root must exist and its filesystem (and the checkout's) must have DCE_MIN_FREE_MB free.
import { UserError } from "../cli/errors.ts";
import { freeSpace, toMiB } from "../fs/free_space.ts";
import type { OpsOutput } from "../cli/output.ts";
import { isDirectory } from "../fs/file_predicates.ts";

export const DEFAULT_MIN_FREE_MB = 1024;

/** DCE_MIN_FREE_MB as a whole number of MiB; unset or empty means the default (docs/bash-suite.md#h35-disk-check: words are errors). */
export function parseMinFreeMb(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_MIN_FREE_MB;
  if (!/^\s*-?\d+\s*$/.test(raw)) {
    throw new UserError(
      `DCE_MIN_FREE_MB must be a whole number of MiB (e.g. 1024, or 0 to skip the disk check), got '${raw}'.`,
    );
  }
  return Number(raw.trim());
}

/** The one sentence for a missing archive root (the disk gate and the archive table both find it). */
export class MissingArchiveRootError extends UserError {
  constructor(archiveRoot: string, configPath: string) {
    super(
      `archive_root "${archiveRoot}" (config ${configPath}) does not exist or is not a folder. Mount or create it before scraping; a missing archive folder often means an unmounted disk.`,
    );
    this.name = "MissingArchiveRootError";
  }
}

/**
 * Fails when archive_root is missing (an unmounted disk would otherwise be scraped into the mount point's
 * parent filesystem) or not a folder, and when either filesystem has less than the minimum free.
 */
export async function checkDisk(
  out: OpsOutput,
  opts: {
    archiveRoot: string;
    configPath: string;
    repoRoot: string;
    minFreeRaw: string | undefined;
  },
): Promise<void> {
  const min = parseMinFreeMb(opts.minFreeRaw);
  if (!(await isDirectory(opts.archiveRoot))) {
    throw new MissingArchiveRootError(opts.archiveRoot, opts.configPath);
  }
  if (min <= 0) {
    out.out(`disk: check skipped (DCE_MIN_FREE_MB=${opts.minFreeRaw ?? ""})`);
    return;
  }
  const seen = new Set<string>();
  for (const path of [opts.archiveRoot, opts.repoRoot]) {
    if (!(await isDirectory(path))) continue;
    let space;
    try {
      space = await freeSpace(path);
    } catch (err) {
      throw new UserError(
        `Could not read free space for ${path}: ${
          (err as Error).message
        }. Check the mount, or set DCE_MIN_FREE_MB=0 to skip the check.`,
      );
    }
    if (seen.has(space.mountPoint)) continue;
    seen.add(space.mountPoint);
    const free = toMiB(space.availableBytes);
    if (free < min) {
      throw new UserError(
        `Insufficient disk space on ${space.mountPoint}: ${free} MiB free, need at least ${min} MiB under archive_root (${opts.archiveRoot}). Free space before scraping.`,
      );
    }
    out.out(`disk: ${space.mountPoint} has ${free} MiB free (need ${min} MiB)`);
  }
}
