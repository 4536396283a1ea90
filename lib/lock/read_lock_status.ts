// Read-only report of the lock (scrape-lock-status): never takes the lock, not even for a moment.
import { dirname } from "node:path";
import { type ParsedLockFile, parseLockFile } from "./lock_record.ts";
import { metaPathOf, readCapped, readMeta } from "./lock_meta.ts";
import { lstatRegular } from "./lock_path_safety.ts";
import { type FlockObservation, observeFlock } from "./flock_probe.ts";
import { type Holder, holderFrom, type HolderJudgement, judgeHolder } from "./holder.ts";
import { type LocalIdentity, readLocalIdentity } from "./liveness.ts";
import { deletedLockHolder } from "./deleted_lock_holder.ts";

export type LockState = "free" | "held" | "stale";

export interface LockStatus {
  path: string;
  metaPath: string;
  /** free / held / stale: exit 0 / 1 / 0. */
  state: LockState;
  /** The text after `state: `, e.g. `free (no lock file)`. */
  stateLine: string;
  lockFileExists: boolean;
  folderExists: boolean;
  record: ParsedLockFile["kind"] | "absent" | "unreadable";
  flock: FlockObservation | null;
  holder: Holder | null;
  /** Proof-of-death result for the recorded holder (and children), when there is one. */
  judgement: HolderJudgement | null;
  /** How the state was decided, in one line. */
  decidedBy: string;
  notes: string[];
}

const RECORD_CAP = 4096;

function folderExists(path: string): boolean {
  try {
    return Deno.statSync(dirname(path)).isDirectory;
  } catch {
    return false;
  }
}

/**
 * A live process still holding a flock on this lock's file after it was deleted (with its .meta):
 * nothing on disk shows it, but it is scraping, and acquirers report busy for it.
 */
function holderOfDeletedLock(path: string, currentIno: number | null): number | null {
  try {
    return deletedLockHolder(path, Deno.statSync(dirname(path)).dev, currentIno);
  } catch {
    return null;
  }
}

function deletedHolderState(pid: number): Pick<LockStatus, "state" | "stateLine" | "decidedBy"> {
  return {
    state: "held",
    stateLine: `held (pid ${pid} holds a lock file that was deleted under it)`,
    decidedBy: "flock on the deleted lock file (/proc/locks)",
  };
}

export function readLockStatus(
  path: string,
  local: LocalIdentity = readLocalIdentity(),
): LockStatus {
  const base = {
    path,
    metaPath: metaPathOf(path),
    folderExists: folderExists(path),
    notes: [] as string[],
  };
  const info = lstatRegular(path); // symlink/FIFO/directory → LockPathError (exit 2)
  if (info === null) {
    if (!base.folderExists) {
      base.notes.push(`lock folder ${dirname(path)} does not exist yet (no scrape has run here)`);
    }
    const deleted = base.folderExists ? holderOfDeletedLock(path, null) : null;
    return {
      ...base,
      state: "free",
      stateLine: "free (no lock file)",
      lockFileExists: false,
      record: "absent",
      flock: null,
      holder: null,
      judgement: null,
      decidedBy: "no lock file",
      ...(deleted === null ? {} : deletedHolderState(deleted)),
    };
  }
  const flock = observeFlock(path, info);
  let parsed: ParsedLockFile | null = null;
  let record: LockStatus["record"] = "unreadable";
  try {
    if (info.size > RECORD_CAP) {
      parsed = { kind: "garbage", reason: `${info.size} bytes, too large` };
    } else {
      const text = readCapped(path, RECORD_CAP);
      parsed = text === null ? { kind: "empty" } : parseLockFile(text);
    }
    record = parsed.kind;
  } catch (err) {
    base.notes.push(`cannot read lock file: ${err instanceof Error ? err.message : String(err)}`);
  }
  let holder: Holder | null = null;
  try {
    holder = holderFrom(parsed ?? { kind: "empty" }, readMeta(path));
  } catch (err) {
    base.notes.push(`cannot read lock meta: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (parsed?.kind === "garbage") {
    base.notes.push(`lock file content is not a record: ${parsed.reason}`);
  }
  const judgement = holder === null ? null : judgeHolder(holder, local);
  const common = { ...base, lockFileExists: true, record, flock, holder, judgement };

  if (flock.held === true) {
    if (judgement?.verdict === "dead") {
      base.notes.push(
        `the recorded holder is gone but flock is held by pid ${
          flock.holderPids.join(",")
        } (a legacy runner's child keeps it)`,
      );
    }
    return {
      ...common,
      state: "held",
      stateLine: "held (active scrape)",
      decidedBy: `flock held (${flock.method})`,
    };
  }
  if (flock.method === "unsupported") {
    base.notes.push(
      `${flock.detail} Scrapes refuse to start here; this report decides by the PID record`,
    );
  } else if (flock.held === null) {
    base.notes.push(`flock state unknown: ${flock.detail}; deciding by the PID record`);
  }
  if (record === "unreadable") {
    return {
      ...common,
      state: "held",
      stateLine: "held (lock record unreadable; assuming a scrape runs)",
      decidedBy: "unreadable record counts as held",
    };
  }
  if (holder === null || judgement === null) {
    if (flock.held === null && record === "garbage") {
      return {
        ...common,
        state: "held",
        stateLine: "held (unreadable record and no way to observe the flock)",
        decidedBy: "unreadable record counts as held",
      };
    }
    const deleted = holderOfDeletedLock(path, info.ino);
    return {
      ...common,
      state: "free",
      stateLine: "free (lock file present but not held)",
      decidedBy: `${flock.held === false ? "no flock" : "flock unknown"} and no holder record`,
      ...(deleted === null ? {} : deletedHolderState(deleted)),
    };
  }
  if (judgement.verdict === "dead") {
    return {
      ...common,
      state: "stale",
      stateLine: `stale (reclaimable; holder pid ${holder.pid} is not running)`,
      decidedBy: `${flock.held === false ? "no flock; " : ""}proof of death: ${judgement.reason}`,
    };
  }
  return {
    ...common,
    state: "held",
    stateLine: "held (active scrape)",
    decidedBy: `no flock, but no proof of death: ${judgement.reason}`,
  };
}
