// A holder whose lock file was deleted under it, .meta included, leaves nothing on disk to see it by;
// the kernel still does: /proc/locks lists its flock, and its descriptor reads "<lock> (deleted)".
import { basename, dirname, join } from "node:path";
import { splitDev } from "./flock_probe.ts";

/** The flocks /proc/locks lists on device `dev`, other than on inode `exceptIno`. */
function otherFlocksOnDevice(procLocks: string, dev: number, exceptIno: number | null) {
  const { major, minor } = splitDev(dev);
  const found: { pid: number; ino: number }[] = [];
  for (const line of procLocks.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== "FLOCK") continue; // "->" marks a waiter, not a holder
    const [maj, min, inode] = (fields[5] ?? "").split(":");
    if (inode === undefined || parseInt(maj!, 16) !== major || parseInt(min!, 16) !== minor) {
      continue;
    }
    if (Number(inode) !== exceptIno) found.push({ pid: Number(fields[4]), ino: Number(inode) });
  }
  return found;
}

/** True when `pid` has `deletedName` open as the inode (dev, ino). False when we may not look. */
function holdsDeleted(pid: number, deletedName: string, dev: number, ino: number): boolean {
  const fds = `/proc/${pid}/fd`;
  try {
    for (const entry of Deno.readDirSync(fds)) {
      const fd = join(fds, entry.name);
      try {
        if (Deno.readLinkSync(fd) !== deletedName) continue;
        const info = Deno.statSync(fd); // the open file itself, deleted or not
        if (info.dev === dev && info.ino === ino) return true;
      } catch { /* closed meanwhile */ }
    }
  } catch { /* the process ended, or it is another user's and we are not root */ }
  return false;
}

/**
 * The pid of a live process that holds a flock on a DELETED file that was this lock (`path`), on
 * device `dev`, other than the file now at the path (inode `currentIno`, null when there is none):
 * a second lock beside it would make two holders. Null when there is none, or when /proc cannot
 * tell (no /proc/locks; another user's process, unless root).
 */
export function deletedLockHolder(
  path: string,
  dev: number,
  currentIno: number | null,
): number | null {
  let procLocks: string;
  let folder: string;
  try {
    procLocks = Deno.readTextFileSync("/proc/locks");
    folder = Deno.realPathSync(dirname(path)); // the kernel names files by their real path
  } catch {
    return null;
  }
  const deletedName = `${join(folder, basename(path))} (deleted)`;
  for (const { pid, ino } of otherFlocksOnDevice(procLocks, dev, currentIno)) {
    if (holdsDeleted(pid, deletedName, dev, ino)) return pid;
  }
  return null;
}
