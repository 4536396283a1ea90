// Fail-closed file replacement: a hidden temp beside the target, fsync, rename over, fsync the folder.
// A crash at any instant leaves the target exactly old or exactly new; the temp is swept next time.
import { basename, dirname, join } from "node:path";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function randomSuffix(length = 6): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let s = "";
  for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
  return s;
}

/** The prefix of every replace-temp of `target` (`.<name>.dce-replace.`), as in the bash suite. */
export function replaceTempPrefix(target: string): string {
  return `.${basename(target)}.dce-replace.`;
}

/** The prefix of the external-sort work folder of `target` (`.<name>.dce-sort.`). */
export function sortTempPrefix(target: string): string {
  return `.${basename(target)}.dce-sort.`;
}

export interface SiblingTemp {
  path: string;
  file: Deno.FsFile;
}

/** Creates `.<name>.dce-replace.XXXXXX` next to `target`, exclusively (never reuses a name). */
export async function createSiblingTemp(target: string, mode = 0o644): Promise<SiblingTemp> {
  const dir = dirname(target);
  for (let attempt = 0;; attempt++) {
    const path = join(dir, replaceTempPrefix(target) + randomSuffix());
    try {
      const file = await Deno.open(path, { write: true, createNew: true, mode });
      return { path, file };
    } catch (err) {
      if (err instanceof Deno.errors.AlreadyExists && attempt < 20) continue;
      throw err;
    }
  }
}

/** fsync + close the temp, rename it over `target`, fsync the folder so the rename is durable. */
export async function commitSiblingTemp(temp: SiblingTemp, target: string): Promise<void> {
  await temp.file.sync();
  temp.file.close();
  await Deno.rename(temp.path, target);
  await syncDir(dirname(target));
}

/** Best-effort removal of a temp after a failure (closing it first). */
export async function discardSiblingTemp(temp: SiblingTemp): Promise<void> {
  try {
    temp.file.close();
  } catch { /* already closed */ }
  await Deno.remove(temp.path).catch(() => {});
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}

/**
 * Removes replace-temps and sort folders of `target` left by a killed run. Only names with our exact prefix and a
 * 6-character suffix are touched. Call it only while holding the archive-root lock: every writer of an archive
 * holds it (the scrape, merge-export, salvage-truncated-export), so no temp here is live
 * (docs/lock.md#every-writer-takes-the-lock). Without the lock it would delete a live writer's temp.
 */
export async function sweepSiblingTemps(target: string): Promise<string[]> {
  const dir = dirname(target);
  const prefixes = [replaceTempPrefix(target), sortTempPrefix(target)];
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const prefix = prefixes.find((p) => entry.name.startsWith(p));
    if (prefix === undefined) continue;
    const suffix = entry.name.slice(prefix.length);
    if (!/^[A-Za-z0-9]{6}$/.test(suffix)) continue;
    const path = join(dir, entry.name);
    await Deno.remove(path, { recursive: entry.isDirectory }).catch(() => {});
    removed.push(path);
  }
  return removed;
}
