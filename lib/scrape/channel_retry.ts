// How often and how long to wait before exporting a channel again after a transient failure.
import { UserError } from "../cli/errors.ts";
import type { ExportOutcome } from "../dce/classify_export.ts";

export interface RetryPolicy {
  /** The wait before each further attempt, in ms; its length is the number of retries. */
  delaysMs: readonly number[];
  /** Waits `ms`, or less when `signal` aborts (tests inject an instant one). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * 30 s, then 2 min: DCE has already retried each request for about 4.4 minutes (docs/dce-cli.md#network-errors-and-retries),
 * so what is left is an outage or a killed exporter, and two more tries spaced out are enough.
 */
export const DEFAULT_RETRY_DELAYS = "30,120";

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * DCE_RETRY_DELAYS: seconds between attempts, comma-separated ("30,120": up to 2 retries), or
 * "none" for no retry. Unset or empty: the default.
 */
export function retryPolicyFromEnv(env: Record<string, string | undefined>): RetryPolicy {
  const raw = (env["DCE_RETRY_DELAYS"] || DEFAULT_RETRY_DELAYS).trim();
  if (raw === "none") return { delaysMs: [], sleep: abortableSleep };
  const parts = raw.split(",").map((p) => p.trim());
  if (parts.length > 10 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p) || Number(p) > 3600)) {
    throw new UserError(
      `DCE_RETRY_DELAYS must be up to 10 comma-separated waits in seconds (each at most 3600), or "none"; got '${raw}'.`,
    );
  }
  return { delaysMs: parts.map((p) => Math.round(Number(p) * 1000)), sleep: abortableSleep };
}

/**
 * A failure that another attempt may not meet: Discord or the network gave up, or the exporter
 * was killed by something other than us (the OOM killer, a signal we did not send). Our own stop
 * (`stoppedByUs`) never is: the run is ending.
 */
export function isTransient(outcome: ExportOutcome, stoppedByUs: boolean): boolean {
  if (stoppedByUs) return false;
  return outcome.kind === "network" || outcome.kind === "oom" || outcome.kind === "aborted";
}
