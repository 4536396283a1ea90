// The failure hook: the operator's command, run by /bin/sh when a run fails, with the digest on its
// stdin and the outcome in its environment, killed (its whole process group) when it overruns.
import { signalGroup, spawnGuarded } from "../process/child_process.ts";
import { pumpLines } from "../process/line_pump.ts";
import { withoutToken } from "../host/host_env.ts";
import type { HistoryRecord } from "./run_history.ts";

export interface HookRun {
  command: string;
  timeoutSeconds: number;
  /** The hook's working folder: the repository. */
  cwd: string;
  /** The environment the run had; the token variables are left out, the DCE_RUN_* ones added. */
  env: Record<string, string | undefined>;
  /** The run the hook reports: what goes into its environment. */
  record: HistoryRecord;
  archiveRoot: string | undefined;
  /** Lines for the hook's stdin. */
  digest: readonly string[];
  /** Gets each line the hook prints (stdout and stderr). */
  output: (line: string) => void;
}

export type HookOutcome =
  | { kind: "ok" }
  | { kind: "failed"; exitCode: number; lastLine: string | undefined }
  | { kind: "timeout"; lastLine: string | undefined };

/** How long the hook's output may stay open after the shell ended (a child it left behind). */
const DRAIN_MS = 2000;

/** The DCE_RUN_* variables the hook gets: the outcome of the run it reports. */
export function hookVariables(
  record: HistoryRecord,
  archiveRoot: string | undefined,
): Record<string, string> {
  let failed = 0, skipped = 0, appended = 0;
  for (const t of Object.values(record.targets)) {
    failed += t.failed;
    skipped += t.skipped;
    appended += t.appended;
  }
  const vars: Record<string, string> = {
    DCE_RUN_TOOL: record.tool,
    DCE_RUN_RESULT: record.result,
    DCE_RUN_EXIT_CODE: String(record.exit_code),
    DCE_RUN_START: record.start,
    DCE_RUN_END: record.end,
    DCE_RUN_DURATION_SECONDS: String(record.duration_s),
    DCE_RUN_HOST: record.host,
    DCE_RUN_TARGETS: Object.keys(record.targets).join(" "),
    DCE_RUN_FAILED: String(failed),
    DCE_RUN_SKIPPED: String(skipped),
    DCE_RUN_APPENDED: String(appended),
    DCE_RUN_LOG: record.log ?? "",
    DCE_RUN_SUMMARY: record.summary ?? "",
  };
  if (archiveRoot !== undefined) vars["DCE_ARCHIVE_ROOT"] = archiveRoot;
  return vars;
}

function hookEnv(run: HookRun): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [key, value] of Object.entries(run.env)) if (value !== undefined) base[key] = value;
  // A monitoring command has no use for the Discord token; a hook that posts its environment
  // somewhere must not post that.
  return { ...withoutToken(base), ...hookVariables(run.record, run.archiveRoot) };
}

/** Whether `promise` settled within `ms` (the timer is cleared: it must not keep the process up). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the hook to its end or its timeout; never throws for what the hook does. */
export async function runFailureHook(run: HookRun): Promise<HookOutcome> {
  const { child, pid } = spawnGuarded("/bin/sh", ["-c", run.command], {
    env: hookEnv(run),
    clearEnv: true,
    cwd: run.cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  });
  let lastLine: string | undefined;
  const onLine = (line: string) => {
    if (line.trim() !== "") lastLine = line;
    run.output(line);
  };
  const pumps = Promise.all([
    pumpLines(child.stdout, onLine, { maxLine: 4096, overlong: "truncate" }),
    pumpLines(child.stderr, onLine, { maxLine: 4096, overlong: "truncate" }),
  ]).catch(() => {});
  // A hook that never reads its stdin (or dies first) must not hold the run up: errors are dropped.
  const feed = (async () => {
    const writer = child.stdin.getWriter();
    try {
      await writer.write(new TextEncoder().encode(run.digest.map((l) => `${l}\n`).join("")));
      await writer.close();
    } catch { /* EPIPE: the hook did not want it */ }
  })();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signalGroup(pid, "SIGKILL");
  }, run.timeoutSeconds * 1000);
  let status: Deno.CommandStatus;
  try {
    status = await child.status;
  } finally {
    clearTimeout(timer);
  }
  // Whatever the hook left running in its group goes too: the run is over and must end promptly.
  if (!(await within(pumps, DRAIN_MS))) {
    signalGroup(pid, "SIGKILL");
    await within(pumps, DRAIN_MS);
  }
  await within(feed, DRAIN_MS);
  if (timedOut) return { kind: "timeout", lastLine };
  if (status.code !== 0) return { kind: "failed", exitCode: status.code, lastLine };
  return { kind: "ok" };
}

/** The WARN line for a hook that did not succeed, or undefined. */
export function hookWarning(outcome: HookOutcome, timeoutSeconds: number): string | undefined {
  if (outcome.kind === "ok") return undefined;
  const said = outcome.lastLine === undefined ? "" : `; it said: ${outcome.lastLine.slice(0, 200)}`;
  if (outcome.kind === "timeout") {
    return `WARN: the failure hook did not finish within ${timeoutSeconds} s (hook_timeout_seconds) and was killed${said}.`;
  }
  return `WARN: the failure hook exited ${outcome.exitCode}${said}.`;
}

/** When the hook reports on a run: not for success nor for a busy lock (the holder reports). */
export function hookWanted(record: HistoryRecord): boolean {
  return record.result === "failed" || record.result === "partial" ||
    record.result === "interrupted";
}
