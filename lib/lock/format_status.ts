// Turns a LockStatus into the status tool's text report (legacy lines first) or its --json object.
import type { LockStatus } from "./read_lock_status.ts";
import { holderLines } from "./holder.ts";

export function statusHeader(configPath: string, lockPath: string): string[] {
  return ["Scrape lock status", "==================", `config: ${configPath}`, `lock: ${lockPath}`];
}

/** `state:` line, holder lines, then our extra `note:` and `decided by:` lines. */
export function statusBody(status: LockStatus): string[] {
  const lines = [`state: ${status.stateLine}`];
  if (status.holder !== null) {
    const running = status.judgement?.holder.verdict === "alive";
    lines.push(...holderLines(status.holder, running));
  }
  for (const note of status.notes) lines.push(`note: ${note}`);
  lines.push(`decided by: ${status.decidedBy}`);
  return lines;
}

export function statusJson(
  status: LockStatus,
  extra: {
    config: string;
    source: string;
    warning?: string;
    exitCode: number;
    reclaimed?: string[];
  },
): Record<string, unknown> {
  const h = status.holder;
  return {
    config: extra.config,
    path: status.path,
    meta_path: status.metaPath,
    path_source: extra.source,
    ...(extra.warning ? { warning: extra.warning } : {}),
    state: status.state,
    state_line: status.stateLine,
    exit_code: extra.exitCode,
    lock_file_exists: status.lockFileExists,
    folder_exists: status.folderExists,
    record: status.record,
    flock: status.flock === null ? null : {
      held: status.flock.held,
      method: status.flock.method,
      holder_pids: status.flock.holderPids,
      detail: status.flock.detail,
    },
    holder: h === null ? null : {
      pid: h.pid,
      running: status.judgement?.holder.verdict === "alive",
      started: h.started ?? null,
      cmd: h.cmd ?? null,
      host: h.host ?? null,
      checkout: h.checkout ?? null,
      tool: h.tool ?? null,
      boot_id: h.bootId ?? null,
      starttime: h.starttime ?? null,
      record_source: h.source,
      children: status.judgement?.children.map((c) => ({
        pid: c.pid,
        alive: c.liveness.verdict === "alive",
        reason: c.liveness.reason,
      })) ?? [],
    },
    liveness: status.judgement === null ? null : {
      verdict: status.judgement.verdict,
      reason: status.judgement.reason,
    },
    decided_by: status.decidedBy,
    notes: status.notes,
    ...(extra.reclaimed ? { reclaimed: extra.reclaimed } : {}),
  };
}
