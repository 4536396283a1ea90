// Decides what a finished `export` run means, from the DCE contract's exit model and exact texts (docs/bash-suite.md#h18-loose-skip-patterns).
import type { TailLine } from "./run_dce.ts";

export type ExportOutcome =
  /** Exit 0: the file is complete (possibly empty: 2.45+ writes an empty file for an empty range). */
  | { kind: "ok" }
  /** Pre-2.45 "no messages in the specified period" (exit 1, no file): nothing new, not a failure. */
  | { kind: "empty-range"; reason: string }
  /** 403 / 404 on the channel: skip it (SKIPPED). */
  | { kind: "access"; reason: string }
  /** A forum channel: `channels` lists it, but only its threads can be exported. Skip it (SKIPPED). */
  | { kind: "forum"; reason: string }
  /** Token rejected: stop, print the auth marker (the host runner may refresh the token and retry). */
  | { kind: "auth"; reason: string }
  /** The disk is full: stop the whole run, never skip silently (docs/bash-suite.md#h18-loose-skip-patterns). */
  | { kind: "disk-full"; reason: string }
  /** Interrupted (SIGINT/SIGTERM/SIGHUP, 130/143/129, DCE's own cancellation, or our abort): skip, keep the partial temp. */
  | { kind: "aborted"; exitCode: number; reason: string }
  /** Killed hard (SIGKILL/SIGABRT/SIGSEGV, 134/137/139 — typically the OOM killer): skip, keep the temp. */
  | { kind: "oom"; exitCode: number; reason: string }
  /**
   * Discord or the network failed after DCE's own retries (5xx, 429, 408, DNS, connection, TLS,
   * HttpClient timeout): worth another try of this channel a little later.
   */
  | { kind: "network"; reason: string }
  /** Anything else (bugs, a CLI we do not understand): this channel failed. */
  | { kind: "failed"; reason: string };

export interface ExportRun {
  code: number;
  signal: Deno.Signal | null;
  tail: readonly TailLine[];
  aborted?: boolean;
}

// Exact contract texts (docs/dce-cli.md#what-our-code-matches), matched on stderr lines and anchored to the end of the line where the
// text ends there, so a channel name or message id cannot trigger them (the bash `403`/`OOM` bug).
const AUTH = /Authentication token is invalid\.$/;
const DISK_FULL = /No space left on device|There is not enough space on the disk|\bENOSPC\b/;
const ACCESS = [
  /Request to '[^']*' failed: (forbidden|not found)\.$/,
  /: Access is forbidden\.$/, // before 2.40.2
  /Requested resource \(.*\) does not exist\.$/, // before 2.40.2
];
const EMPTY_RANGE = [
  // 2.40.2 – 2.44; "matching" is thrown after the message loop when nothing was written.
  /does not contain any (matching )?messages( within the specified period)?\.$/,
  /Channel is empty or contains no messages for the specified period\.$/, // 2.38 – 2.40.1
];
// SIGINT makes DCE cancel cooperatively: an ERROR dump naming the cancellation, exit 1 (docs/dce-cli.md#signals-and-cancellation).
// (An HttpClient timeout is a TaskCanceledException too, with another message: a failure.)
const CANCELLED =
  /^\s*System\.(OperationCanceledException: The operation was canceled|Threading\.Tasks\.TaskCanceledException: A task was canceled)\.$/;
const FORUM =
  /is a forum and cannot be exported directly\. You need to pull its threads and export them individually\.$/;
// DCE retries these itself (docs/dce-cli.md#network-errors-and-retries), then gives up with one of these texts: a transport
// exception, or the status text of a 408/429/5xx answer.
const NETWORK = [
  /^\s*System\.Net\.Http\.HttpRequestException: /,
  /^\s*System\.Net\.Sockets\.SocketException\b/,
  /^\s*System\.(TimeoutException|IO\.IOException: Unable to read data from the transport)/,
  /^\s*System\.Threading\.Tasks\.TaskCanceledException: The request was canceled due to the configured HttpClient\.Timeout/,
  /^\s*System\.Security\.Authentication\.AuthenticationException: /,
  /Request to '[^']*' failed: (too many requests|request timeout|internal server error|bad gateway|service unavailable|gateway timeout|[a-z ]*server error)\.$/,
];
const ABORT_CODES = new Set([129, 130, 143]);
const OOM_CODES = new Set([134, 137, 139]);
const ABORT_SIGNALS = new Set<Deno.Signal>(["SIGHUP", "SIGINT", "SIGTERM", "SIGQUIT"]);

export function classifyExport(run: ExportRun): ExportOutcome {
  if (run.code === 0 && !run.aborted) return { kind: "ok" };
  const errLines = run.tail.filter((t) => t.stream === "stderr").map((t) => t.line.trimEnd());
  const find = (re: RegExp) => errLines.find((l) => re.test(l));

  const disk = find(DISK_FULL);
  if (disk) return { kind: "disk-full", reason: disk.trim() };
  const auth = find(AUTH);
  if (auth) return { kind: "auth", reason: "Authentication token is invalid." };

  if (
    run.aborted || (run.signal && ABORT_SIGNALS.has(run.signal)) || ABORT_CODES.has(run.code) ||
    find(CANCELLED)
  ) {
    return {
      kind: "aborted",
      exitCode: run.code,
      reason: run.aborted
        ? "stopped by the scrape run"
        : `export process aborted, exit ${run.code}`,
    };
  }
  if (run.signal || OOM_CODES.has(run.code)) {
    return { kind: "oom", exitCode: run.code, reason: `export process aborted, exit ${run.code}` };
  }
  const empty = errLines.find((l) => EMPTY_RANGE.some((re) => re.test(l)));
  if (empty) return { kind: "empty-range", reason: empty.trim() };
  const access = errLines.find((l) => ACCESS.some((re) => re.test(l)));
  if (access) return { kind: "access", reason: access.trim() };
  const forum = find(FORUM);
  if (forum) return { kind: "forum", reason: forum.trim() };
  const network = errLines.find((l) => NETWORK.some((re) => re.test(l)));
  if (network) return { kind: "network", reason: network.trim() };
  const last = errLines.filter((l) => l.trim() !== "" && !/^\s+at /.test(l)).slice(-3).join(" / ");
  return { kind: "failed", reason: last || `exit ${run.code}` };
}
