// Who the records say holds the lock: the lock file's PID/token joined with .meta, and how to show it.
import type { ParsedLockFile } from "./lock_record.ts";
import type { ChildRecord, LockMeta } from "./lock_meta.ts";
import {
  decideLiveness,
  groupHasMembers,
  type HolderIdentity,
  judgeProcess,
  type Liveness,
  type LocalIdentity,
  probeRecorded,
  readLocalIdentity,
  recordedHere,
} from "./liveness.ts";

export interface Holder extends HolderIdentity {
  token?: string | undefined;
  cmd?: string | undefined;
  checkout?: string | undefined;
  tool?: string | undefined;
  children: ChildRecord[];
  /** "lock-file" (ours) or "meta-only" (the older bash suite leaves the lock file empty). */
  source: "lock-file" | "meta-only";
}

/** Joins the lock file's record with .meta; .meta details count only when its token matches. */
export function holderFrom(parsed: ParsedLockFile, meta: LockMeta | null): Holder | null {
  if (parsed.kind === "record") {
    const r = parsed.record;
    const same = meta !== null && r.token !== "" && meta.token === r.token;
    return {
      pid: r.pid,
      token: r.token || undefined,
      host: r.host ?? (same ? meta.host : undefined),
      bootId: r.bootId ?? (same ? meta.bootId : undefined),
      starttime: r.starttime ?? (same ? meta.starttime : undefined),
      started: same ? meta.started : undefined,
      cmd: same ? meta.cmd : undefined,
      checkout: same ? meta.checkout : undefined,
      tool: same ? meta.tool : undefined,
      children: same ? meta.children : [],
      source: "lock-file",
    };
  }
  if (meta?.pid !== undefined) {
    return {
      pid: meta.pid,
      token: meta.token,
      host: meta.host,
      bootId: meta.bootId,
      starttime: meta.starttime,
      started: meta.started,
      cmd: meta.cmd,
      checkout: meta.checkout,
      tool: meta.tool,
      children: meta.children,
      source: "meta-only",
    };
  }
  return null;
}

export interface HolderJudgement {
  holder: Liveness;
  children: { pid: number; liveness: Liveness }[];
  /** Dead only when the holder AND every recorded child are proven dead. */
  verdict: "alive" | "dead";
  reason: string;
}

/** Proof of death covers the recorded children too: a twin export is what the lock prevents. */
export function judgeHolder(
  holder: Holder,
  local: LocalIdentity = readLocalIdentity(),
): HolderJudgement {
  const main = judgeProcess(holder, local);
  const children = holder.children.map((child) => {
    const identity = {
      pid: child.pid,
      host: holder.host,
      bootId: holder.bootId,
      starttime: child.starttime ?? undefined,
      started: holder.started,
    };
    const probe = probeRecorded(identity, local);
    let liveness = decideLiveness(identity, local, probe);
    // A group id is never handed out as a new PID while the group has members, so a PID that now
    // names another process proves the child's group emptied first; checking the group would
    // only find the newcomer's (a detached process leads its own) and hold the lock for it.
    const pidReused = probe.kind === "present" && probe.state !== "Z" && probe.state !== "X" &&
      child.starttime !== null && probe.startTime !== child.starttime;
    if (liveness.verdict === "dead" && recordedHere(identity, local) && !pidReused) {
      // The child led its own process group: a grandchild left in it is still the export.
      const members = groupHasMembers(child.pid);
      if (members !== false) {
        liveness = {
          verdict: "alive",
          reason: members === null
            ? `cannot probe process group ${child.pid}; assuming members remain`
            : `process group ${child.pid} of the dead child still has members`,
        };
      }
    }
    return { pid: child.pid, liveness };
  });
  const liveChild = children.find((c) => c.liveness.verdict === "alive");
  if (main.verdict === "alive") {
    return { holder: main, children, verdict: "alive", reason: main.reason };
  }
  if (liveChild) {
    return {
      holder: main,
      children,
      verdict: "alive",
      reason:
        `holder pid ${holder.pid} is gone but its child pid ${liveChild.pid} still runs (${liveChild.liveness.reason})`,
    };
  }
  return { holder: main, children, verdict: "dead", reason: main.reason };
}

/** `Holder pid P (running, started T): CMD` — the legacy summary, byte for byte. */
export function holderSummary(holder: Holder, running: boolean): string {
  return `Holder pid ${holder.pid} (${running ? "running" : "not running"}, started ${
    holder.started || "unknown"
  }): ${holder.cmd || "unknown"}`;
}

/** The status tool's holder lines: legacy two first, then ours. */
export function holderLines(holder: Holder, running: boolean): string[] {
  const lines = [
    `holder: pid ${holder.pid} (${running ? "running" : "not running"}, started ${
      holder.started || "unknown"
    })`,
  ];
  if (holder.cmd) lines.push(`cmd: ${holder.cmd}`);
  lines.push(`host: ${holder.host || "unknown"}`);
  lines.push(`checkout: ${holder.checkout || "unknown"}`);
  if (holder.tool) lines.push(`tool: ${holder.tool}`);
  for (const child of holder.children) {
    lines.push(`child: pid ${child.pid} (starttime ${child.starttime ?? "unknown"})`);
  }
  return lines;
}
