// An archive root proves it is one before a scrape writes there: an unplugged disk leaves its empty
// mount point behind, and scraping that re-downloads everything onto the system disk
// (docs/guarantees.md#the-archive-root-marker).
import { dirname, join } from "node:path";
import { randomSuffix } from "./atomic_replace.ts";
import { UserError } from "../cli/errors.ts";
import { ioStep } from "../fs/io_error.ts";
import { lstatOrNull, NotFollowedError, writeNewFile } from "../fs/no_follow.ts";
import { readSmallTextFile, SIZE_CAP } from "../fs/read_small_file.ts";

export const ARCHIVE_ROOT_MARKER = ".dce-archive-root";

/** Our own files that say nothing about the archive: the lock (taken before this check) and its kin. */
function isLockFile(name: string): boolean {
  return name.startsWith(".dce-scrape.lock");
}

export class ArchiveRootLooksEmptyError extends UserError {
  constructor(root: string) {
    super(
      `Archive root ${root} looks empty — is the disk mounted? (No ${ARCHIVE_ROOT_MARKER} and no archives, but this checkout scraped it before. If it really is new again, create ${
        join(root, ARCHIVE_ROOT_MARKER)
      } and rerun.)`,
    );
    this.name = "ArchiveRootLooksEmptyError";
  }
}

/** The marker was there when the run started and is gone now: the disk went away mid-run. */
export class ArchiveRootVanishedError extends UserError {
  constructor(root: string) {
    super(
      `Archive root ${root} vanished during the run (its ${ARCHIVE_ROOT_MARKER} is gone) — was the disk unmounted? The run stopped; mount it and rerun (partial exports on it are salvaged then).`,
    );
    this.name = "ArchiveRootVanishedError";
  }
}

/** True when a root proven at the start of the run no longer shows its marker (any failure to look counts). */
export async function archiveRootVanished(root: string): Promise<boolean> {
  try {
    return !(await Deno.lstat(join(root, ARCHIVE_ROOT_MARKER))).isFile;
  } catch {
    return true;
  }
}

export interface ProveArchiveRootOptions {
  archiveRoot: string;
  /** This checkout's memory of the roots it has marked, one path a line (kept off the archive disk). */
  knownRootsFile: string;
  now: Date;
  log: (line: string) => void;
}

async function knownRoots(file: string): Promise<Set<string>> {
  try {
    const text = await readSmallTextFile(file, {
      what: "Known archive roots",
      maxBytes: SIZE_CAP.settings,
    });
    return new Set(text.split("\n").filter((l) => l !== ""));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return new Set();
    throw err;
  }
}

/**
 * Adds `root` to the memory, dropping roots whose parent folder is gone (removed sandboxes; an
 * unplugged disk's mount point keeps its parent). Replaced atomically; a lost race only forgets.
 */
async function remember(file: string, known: Set<string>, root: string): Promise<void> {
  const kept: string[] = [];
  for (const r of known) if (await lstatOrNull(dirname(r))) kept.push(r);
  kept.push(root);
  await ioStep("remember the archive root in", file, async () => {
    await Deno.mkdir(dirname(file), { recursive: true });
    const temp = `${file}.${randomSuffix()}`;
    await writeNewFile(temp, new TextEncoder().encode(kept.map((r) => `${r}\n`).join("")));
    await Deno.rename(temp, file);
  });
}

/**
 * The marker is there: go on. No marker but something in the root: an archive root from before the
 * marker, marked now. Nothing at all: a first run, marked, unless this checkout has marked the root
 * before (then the disk is not mounted, and the run stops with one line).
 */
export async function proveArchiveRoot(opts: ProveArchiveRootOptions): Promise<void> {
  const root = opts.archiveRoot;
  const marker = join(root, ARCHIVE_ROOT_MARKER);
  const known = await knownRoots(opts.knownRootsFile);
  const found = await ioStep("check the archive root marker", marker, () => lstatOrNull(marker));
  if (found && !found.isFile) {
    throw new NotFollowedError(marker, found.isSymlink ? "a symlink" : "not a regular file");
  }
  if (!found) {
    const entries = await ioStep("list the archive root", root, async () => {
      try {
        return await Array.fromAsync(Deno.readDir(root));
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
        if (known.has(root)) throw new ArchiveRootLooksEmptyError(root);
        await Deno.mkdir(root, { recursive: true }); // a first run may name a folder not made yet
        return [];
      }
    });
    const holdsSomething = entries.some((e) => !isLockFile(e.name));
    if (!holdsSomething && known.has(root)) throw new ArchiveRootLooksEmptyError(root);
    const stamp = opts.now.toISOString().replace(/\.\d+Z$/, "Z");
    await ioStep("write the archive root marker", marker, () =>
      writeNewFile(
        marker,
        new TextEncoder().encode(`dce-ops archive root, marked ${stamp}. Keep this file.\n`),
      ));
    opts.log(
      holdsSomething
        ? `Archive root ${root}: marked with ${ARCHIVE_ROOT_MARKER} (it held files but no marker yet).`
        : `Archive root ${root}: new, marked with ${ARCHIVE_ROOT_MARKER}.`,
    );
  }
  if (!known.has(root)) await remember(opts.knownRootsFile, known, root);
}
