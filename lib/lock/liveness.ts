// Proof of death for a recorded lock holder: host, boot id, PID, start time (docs/lock.md#who-holds-the-lock).
import { readBootId, readProcessStat } from "../process/child_process.ts";

export interface HolderIdentity {
  pid: number;
  host?: string | undefined;
  bootId?: string | undefined;
  /** /proc/<pid>/stat field 22 at record time. */
  starttime?: string | undefined;
  /** Legacy records carry only this (UTC text as written). */
  started?: string | undefined;
}

export interface LocalIdentity {
  host: string;
  bootId: string | null;
}

/** What a probe of one PID found. */
export type ProcessProbe =
  | { kind: "missing" }
  | { kind: "eperm" }
  | { kind: "present"; state: string; startTime: string; startEpochSeconds: number | null }
  | { kind: "error"; reason: string };

export interface Liveness {
  verdict: "alive" | "dead";
  /** How it was decided, for status output and --json. */
  reason: string;
}

/** The decision itself, pure so that unit tests can drive every branch. */
export function decideLiveness(
  holder: HolderIdentity,
  local: LocalIdentity,
  probe: ProcessProbe,
): Liveness {
  const pid = holder.pid;
  if (holder.host && holder.host !== local.host) {
    return {
      verdict: "alive",
      reason: `recorded on host ${holder.host}, not ${local.host}: never reclaimed automatically`,
    };
  }
  if (holder.bootId && local.bootId && holder.bootId !== local.bootId) {
    return { verdict: "dead", reason: `recorded before a reboot (boot_id ${holder.bootId})` };
  }
  switch (probe.kind) {
    case "missing":
      return { verdict: "dead", reason: `no process with pid ${pid}` };
    case "eperm":
      return { verdict: "alive", reason: `pid ${pid} exists (EPERM: owned by another user)` };
    case "error":
      return {
        verdict: "alive",
        reason: `cannot probe pid ${pid} (${probe.reason}); assuming alive`,
      };
    case "present":
      break;
  }
  if (probe.state === "Z" || probe.state === "X") {
    return { verdict: "dead", reason: `pid ${pid} is a zombie (exited, not yet reaped)` };
  }
  if (holder.starttime !== undefined) {
    return probe.startTime === holder.starttime
      ? { verdict: "alive", reason: `pid ${pid} has the recorded start time ${holder.starttime}` }
      : {
        verdict: "dead",
        reason:
          `pid ${pid} was reused (start time ${probe.startTime}, recorded ${holder.starttime})`,
      };
  }
  const startedMs = holder.started ? Date.parse(holder.started) : NaN;
  if (Number.isFinite(startedMs) && probe.startEpochSeconds !== null) {
    // The legacy runner writes `started` after it started, so its own start is never later;
    // 2 s absorbs the tick rounding of /proc start times.
    if (probe.startEpochSeconds * 1000 > startedMs + 2000) {
      return {
        verdict: "dead",
        reason: `pid ${pid} was reused (started after the recorded ${holder.started})`,
      };
    }
    return {
      verdict: "alive",
      reason: `pid ${pid} is running and started before ${holder.started}`,
    };
  }
  return { verdict: "alive", reason: `pid ${pid} is running (no start time recorded to compare)` };
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on every mainstream Linux build
let bootEpochSeconds: number | null | undefined;

function readBootEpochSeconds(): number | null {
  if (bootEpochSeconds !== undefined) return bootEpochSeconds;
  bootEpochSeconds = null;
  try {
    const match = /^btime (\d+)$/m.exec(Deno.readTextFileSync("/proc/stat"));
    if (match?.[1]) bootEpochSeconds = Number(match[1]);
  } catch { /* not Linux: no legacy comparison */ }
  return bootEpochSeconds;
}

/** Probes a PID for real: signal 0 first (ESRCH/EPERM), then /proc/<pid>/stat. */
export function probeProcess(pid: number): ProcessProbe {
  try {
    Deno.kill(pid, 0 as unknown as Deno.Signal);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { kind: "missing" };
    if (err instanceof Deno.errors.PermissionDenied) return { kind: "eperm" };
    return { kind: "error", reason: err instanceof Error ? err.message : String(err) };
  }
  let stat;
  try {
    stat = readProcessStat(pid);
  } catch (err) {
    return { kind: "error", reason: err instanceof Error ? err.message : String(err) };
  }
  if (stat === null) return { kind: "missing" };
  const boot = readBootEpochSeconds();
  return {
    kind: "present",
    state: stat.state,
    startTime: stat.startTime,
    startEpochSeconds: boot === null
      ? null
      : boot + Number(stat.startTime) / CLOCK_TICKS_PER_SECOND,
  };
}

let localIdentity: LocalIdentity | undefined;

export function readLocalIdentity(): LocalIdentity {
  localIdentity ??= { host: Deno.hostname(), bootId: readBootId() };
  return localIdentity;
}

/** Whether a record names a process of this machine and this boot: only then is its PID ours to probe. */
export function recordedHere(holder: HolderIdentity, local: LocalIdentity): boolean {
  const foreign = !!holder.host && holder.host !== local.host;
  const rebooted = !!(holder.bootId && local.bootId && holder.bootId !== local.bootId);
  return !foreign && !rebooted;
}

/** Probes a recorded process; a PID of another machine or boot names someone else, so it is not probed. */
export function probeRecorded(holder: HolderIdentity, local: LocalIdentity): ProcessProbe {
  return recordedHere(holder, local) ? probeProcess(holder.pid) : { kind: "missing" };
}

/** Probes and decides for one recorded process. */
export function judgeProcess(holder: HolderIdentity, local = readLocalIdentity()): Liveness {
  return decideLiveness(holder, local, probeRecorded(holder, local));
}

/**
 * Whether any live process is left in the process group `pgid` (the group a runner's child
 * leads): a grandchild that escaped the parent-death signal keeps the group alive. Zombies do
 * not count: in a container nobody may reap them for a while.
 */
export function groupHasMembers(pgid: number): boolean | null {
  try {
    Deno.kill(-pgid, 0 as unknown as Deno.Signal);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    if (err instanceof Deno.errors.PermissionDenied) return true;
    return null;
  }
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      let stat;
      try {
        stat = readProcessStat(Number(entry.name));
      } catch {
        continue; // gone, or hidden from us: it cannot be told a member
      }
      if (stat?.pgrp === pgid && stat.state !== "Z" && stat.state !== "X") return true;
    }
    return false;
  } catch {
    return true; // cannot look: fail closed
  }
}
