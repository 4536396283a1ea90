// Puts an archive's original bytes back from its backup, after a salvage whose result failed its check.
import { dirname, join } from "node:path";
import { linkOrCopyNew } from "../fs/link_or_copy_new.ts";
import { ArchiveError } from "./archive_error.ts";
import { randomSuffix, syncDir } from "./atomic_replace.ts";
import { reason } from "./export_reader.ts";

/**
 * Makes `path` the original again: the backup gets a new name beside it, created exclusively (a hard
 * link, else a copy into a new file), which is renamed over `path`. A name someone planted there (a
 * link out of the archive root) is refused, never written through; the backup is left as it is.
 */
export async function restoreOriginal(
  path: string,
  backupPath: string,
  tempName = `.restore.${randomSuffix()}`,
): Promise<void> {
  const temp = join(dirname(path), tempName);
  try {
    await linkOrCopyNew(backupPath, temp);
  } catch (err) {
    const why = err instanceof Deno.errors.AlreadyExists
      ? `'${temp}' is already there (never overwritten nor followed)`
      : reason(err);
    throw new ArchiveError(
      err instanceof Deno.errors.AlreadyExists ? "unsafe-path" : "write-failed",
      `Cannot restore '${path}': ${why}; the original is kept at '${backupPath}'.`,
    );
  }
  // rename replaces the name itself: a link at `path` is replaced, never followed.
  await Deno.rename(temp, path);
  await syncDir(dirname(path));
}
