// Acquire and release of the archive-root lock (docs/lock.md#acquire): pidfile + flock + guarded reclaim.
import { dirname } from "node:path";
import { readProcessStartTime } from "../process/child_process.ts";
import { formatLockFile, newToken, type ParsedLockFile, parseLockFile } from "./lock_record.ts";
import {
  type LockMeta,
  metaPathOf,
  readFromFile,
  readMeta,
  redactCommand,
  utcStamp,
  writeMetaAtomic,
} from "./lock_meta.ts";
import {
  checkLockFolder,
  lockIoError,
  lockIoStep,
  LockPathError,
  lstatRegular,
  openExistingLockFile,
} from "./lock_path_safety.ts";
import { takeGuard } from "./reclaim_guard.ts";
import { nestedLockPaths } from "./nested_roots.ts";
import { deletedLockHolder } from "./deleted_lock_holder.ts";
import { enterOccupied, leaveOccupied } from "./occupied_marker_hook.ts";
import { LockBusyError } from "./lock_busy_error.ts";
import { SKIP_LOCK_ENV } from "./held_lock_env.ts";
import { tryFlock } from "./flock.ts";
import { type Holder, holderFrom, holderSummary, judgeHolder } from "./holder.ts";
import { type LocalIdentity, readLocalIdentity } from "./liveness.ts";
import { writeAll } from "../cli/output.ts";

export { LockBusyError };

/** Largest lock file we read; ours is about 120 bytes, anything bigger is garbage. */
const RECORD_CAP = 4096;

export interface AcquireOptions {
  path: string;
  /** The command this holder runs, recorded (redacted) as `cmd=`. */
  cmd: string[];
  /** Tool name and version, recorded as `tool=`. */
  tool: string;
  /** The holder's repo root, recorded as `checkout=`. */
  checkout: string;
  /** Keep retrying a busy lock until this many seconds have passed (0: fail at once). */
  waitSeconds?: number;
  /** Poll interval while waiting; default 100 ms. */
  pollMs?: number;
  env?: { get(name: string): string | undefined };
  /** Receives WARN lines (stderr in the tools). */
  warn?: (line: string) => void;
  /** Test hook: pid written as the holder (default: Deno.pid). */
  pid?: number;
  now?: () => Date;
  /** Stops a --wait early (a signal arrived): the last busy error is rethrown. */
  signal?: AbortSignal;
}

export interface LockHandle {
  readonly path: string;
  readonly token: string;
  /** Adds a child (the export) to .meta with its start time; it is then part of proof of death. */
  recordChild(pid: number): Promise<void>;
  /** Clears our record under the guard if it is still ours; idempotent. */
  release(): Promise<"released" | "taken-over">;
}

/** `Another scrape is already running (lock: L). Holder pid …` plus host and checkout. */
export function busyMessage(path: string, holder: Holder | null, running: boolean): string {
  const head = `Another scrape is already running (lock: ${path}).`;
  if (holder === null) {
    // No record (the bash suite, or a holder between its flock and its record): the flock is the
    // proof. Deleting the file would not free it, only let a second holder in beside this one.
    return `${head} Its holder left no record yet; wait for it to finish (the lock frees itself ` +
      `when its holder exits; see who holds it with: fuser ${path}).`;
  }
  return `${head} ${holderSummary(holder, running)} [host: ${holder.host || "unknown"}; checkout: ${
    holder.checkout || "unknown"
  }]`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Acquires the lock, retrying while busy until `waitSeconds` have passed. */
export async function acquireLock(opts: AcquireOptions): Promise<LockHandle> {
  const deadline = performance.now() + (opts.waitSeconds ?? 0) * 1000;
  const poll = opts.pollMs ?? 100;
  for (;;) {
    try {
      return await tryAcquireOnce(opts);
    } catch (err) {
      const left = deadline - performance.now();
      if (!(err instanceof LockBusyError) || left <= 0 || opts.signal?.aborted) throw err;
      await sleep(Math.min(poll, left));
      if (opts.signal?.aborted) throw err;
    }
  }
}

function readHolderAt(path: string, file: Deno.FsFile | null): Holder | null {
  let parsed: ParsedLockFile = { kind: "empty" };
  try {
    if (file !== null) {
      parsed = file.statSync().size > RECORD_CAP
        ? { kind: "garbage", reason: "larger than a lock record" }
        : parseLockFile(readFromFile(file, RECORD_CAP));
    }
    return holderFrom(parsed, readMeta(path));
  } catch {
    return null; // unreadable record: still held, just without details
  }
}

/** Replaces the whole content of the (locked, never unlinked) lock file in place. */
function rewriteInPlace(file: Deno.FsFile, text: string): void {
  const bytes = new TextEncoder().encode(text);
  file.seekSync(0, Deno.SeekMode.Start);
  writeAll(file, bytes);
  file.truncateSync(bytes.length);
}

/**
 * After the flock: the path must still name the inode we locked. Someone who deleted or replaced the
 * file between our open and our flock left us holding a lock nobody else can see.
 */
function checkStillNamed(path: string, file: Deno.FsFile): void {
  const atPath = lstatRegular(path);
  const ours = lockIoStep(path, "inspect lock file", () => file.statSync());
  if (atPath === null || atPath.ino !== ours.ino || atPath.dev !== ours.dev) {
    throw new LockBusyError(
      `Lock file ${path} was deleted or replaced while we were locking it; retry`,
      null,
    );
  }
}

/**
 * Deleting the lock file AND .meta under a live holder leaves nothing on disk: that holder still
 * holds its flock on the deleted file, which only the kernel shows (docs/lock.md#a-deleted-lock-file-does-not-make-a-second-holder).
 */
function checkNoDeletedHolder(path: string, file: Deno.FsFile): void {
  const ours = lockIoStep(path, "inspect lock file", () => file.statSync());
  if (ours.ino === null) return;
  const pid = deletedLockHolder(path, ours.dev, ours.ino);
  if (pid === null) return;
  throw new LockBusyError(
    `Another scrape is already running (lock: ${path}). Holder pid ${pid} still holds this lock ` +
      `through a lock file that was deleted under it (with its .meta); wait for it to finish ` +
      `(see it with: ls -l /proc/${pid}/fd). Never delete lock files by hand.`,
    null,
  );
}

/**
 * Roots inside each other share archives, so they take turns: busy while the lock of a root above
 * or below ours is held (its flock taken, or its record names a holder not proven dead). We hold
 * our own flock before looking, and so does the other side: of two that start together, the later
 * look sees the other's flock, so at most one runs (docs/lock.md#nested-archive-roots).
 */
function checkNestedRoots(path: string, local: LocalIdentity): void {
  for (const other of nestedLockPaths(path)) {
    const file = openExistingLockFile(other);
    if (file === null) continue;
    try {
      // When free, the flock is ours for a moment; closing the file drops it.
      const flocked = !tryFlock(file, other);
      const holder = readHolderAt(other, file);
      const judged = holder === null ? null : judgeHolder(holder, local);
      if (flocked || (judged !== null && judged.verdict !== "dead")) {
        const running = judged === null || judged.holder.verdict === "alive";
        throw new LockBusyError(
          `${busyMessage(other, holder, running)} (archive root ${dirname(other)} is nested with ` +
            `${dirname(path)}: nested roots share archives, so they take turns)`,
          holder,
        );
      }
    } finally {
      file.close();
    }
  }
}

/**
 * The legacy reclaim line, byte for byte, when the holder's pid is simply gone; otherwise the
 * same start with the true reason (a reused pid is running, just not as our holder).
 */
export function reclaimWarning(pid: number, reason: string): string {
  if (reason === `no process with pid ${pid}`) {
    return `WARN: reclaiming scrape lock; previous holder pid ${pid} is not running.`;
  }
  return `WARN: reclaiming scrape lock; previous holder pid ${pid} has ended (${reason}).`;
}

async function tryAcquireOnce(opts: AcquireOptions): Promise<LockHandle> {
  const { path } = opts;
  const warn = opts.warn ?? ((line: string) => console.error(line));
  checkLockFolder(path);
  lstatRegular(path); // refuse a symlink/FIFO/directory before touching the guard
  const local: LocalIdentity = readLocalIdentity();
  const guard = await takeGuard(path);
  let file: Deno.FsFile | null = null;
  try {
    let created = false;
    try {
      // O_EXCL: never follows a symlink, fails with EEXIST when anything is at the path.
      file = Deno.openSync(path, { read: true, write: true, createNew: true, mode: 0o644 });
      created = true;
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) {
        throw lockIoError(path, "create lock file", err);
      }
      file = openExistingLockFile(path);
      if (file === null) {
        throw new LockBusyError(`Lock file ${path} vanished while being opened; retry`, null);
      }
    }
    // Where flock fails, takeGuard() has refused already; tryFlock() would refuse the same way.
    const locked = tryFlock(file, path);
    if (!locked) {
      const holder = readHolderAt(path, file);
      const running = holder === null
        ? true
        : judgeHolder(holder, local).holder.verdict === "alive";
      throw new LockBusyError(busyMessage(path, holder, running), holder);
    }
    checkStillNamed(path, file);
    checkNestedRoots(path, local);
    // A fresh file has no record, but .meta may still name a live holder whose lock file was
    // deleted under it: that holder runs on, so the lock is busy, not free.
    const holder = readHolderAt(path, file);
    if (holder !== null) {
      const judged = judgeHolder(holder, local);
      if (judged.verdict !== "dead") {
        const deleted = created ? "; its lock file had been deleted and was recreated empty" : "";
        throw new LockBusyError(
          `${
            busyMessage(path, holder, judged.holder.verdict === "alive")
          } (${judged.reason}${deleted})`,
          holder,
        );
      }
      warn(reclaimWarning(holder.pid, judged.reason));
    }
    checkNoDeletedHolder(path, file);
    const pid = opts.pid ?? Deno.pid;
    const token = newToken();
    const starttime = readProcessStartTime(pid) ?? undefined;
    const record = {
      pid,
      token,
      host: local.host,
      ...(local.bootId ? { bootId: local.bootId } : {}),
    };
    try {
      rewriteInPlace(file, formatLockFile(starttime ? { ...record, starttime } : record));
    } catch (err) {
      throw lockIoError(path, "write lock file", err);
    }
    const meta: LockMeta = {
      pid,
      started: utcStamp((opts.now ?? (() => new Date()))()),
      cmd: redactCommand(opts.cmd, (opts.env ?? Deno.env).get("DISCORD_TOKEN")),
      host: local.host,
      token,
      checkout: opts.checkout,
      tool: opts.tool,
      children: [],
    };
    if (local.bootId) meta.bootId = local.bootId;
    if (starttime) meta.starttime = starttime;
    try {
      writeMetaAtomic(path, meta, token);
    } catch (err) {
      rewriteInPlace(file, ""); // leave no record that claims a lock we are giving up
      throw lockIoError(metaPathOf(path), "write lock meta", err);
    }
    enterOccupied();
    const handle = new Handle(path, token, file, meta);
    file = null; // owned by the handle now
    return handle;
  } finally {
    file?.close();
    guard.release();
  }
}

class Handle implements LockHandle {
  readonly path: string;
  readonly token: string;
  #file: Deno.FsFile;
  #meta: LockMeta;
  #released: Promise<"released" | "taken-over"> | null = null;

  constructor(path: string, token: string, file: Deno.FsFile, meta: LockMeta) {
    this.path = path;
    this.token = token;
    this.#file = file;
    this.#meta = meta;
  }

  recordChild(pid: number): Promise<void> {
    try {
      this.#meta.children.push({ pid, starttime: readProcessStartTime(pid) });
      writeMetaAtomic(this.path, this.#meta, this.token);
    } catch (err) {
      // Callers stop the child: an export the record does not name would be invisible to
      // the proof of death. A rejection, never a throw: callers chain .catch().
      return Promise.reject(lockIoError(metaPathOf(this.path), "record the child in", err));
    }
    return Promise.resolve();
  }

  release(): Promise<"released" | "taken-over"> {
    this.#released ??= this.#release();
    return this.#released;
  }

  async #release(): Promise<"released" | "taken-over"> {
    let guard = null;
    try {
      guard = await takeGuard(this.path);
      // Is the file at the path still the inode we hold, carrying our token?
      let mine = false;
      const atPath = (() => {
        try {
          return lstatRegular(this.path);
        } catch (err) {
          if (err instanceof LockPathError) return null;
          throw err;
        }
      })();
      const ours = this.#file.statSync();
      if (atPath !== null && atPath.ino === ours.ino && atPath.dev === ours.dev) {
        const parsed = parseLockFile(readFromFile(this.#file, RECORD_CAP));
        // Still our inode and our flock: an emptied file is ours too (a failing legacy
        // `exec 9>L` truncates it); another token on it means someone overrode us.
        mine = parsed.kind === "empty" ||
          (parsed.kind === "record" && parsed.record.token === this.token);
      }
      const meta = readMeta(this.path);
      if (mine) leaveOccupied();
      if (mine) {
        rewriteInPlace(this.#file, ""); // truncate in place: the inode is never unlinked
        if (meta?.token === this.token) Deno.removeSync(metaPathOf(this.path));
      } else if (meta?.token === this.token) {
        // Our meta beside someone else's lock would mislead the next reader.
        Deno.removeSync(metaPathOf(this.path));
      }
      return mine ? "released" : "taken-over";
    } catch (err) {
      throw lockIoError(this.path, "release lock", err);
    } finally {
      this.#file.close(); // drop the flock last, still under the guard
      guard?.release();
    }
  }
}

/** DCE_SKIP_SCRAPE_LOCK=1 (exactly "1") turns the lock and the gates off, and says so. */
export function lockSkipped(
  env: { get(name: string): string | undefined },
  warn: (line: string) => void = (line) => console.error(line),
): boolean {
  if (env.get(SKIP_LOCK_ENV) !== "1") return false;
  warn("WARN: DCE_SKIP_SCRAPE_LOCK=1: running without the archive-root scrape lock.");
  return true;
}
