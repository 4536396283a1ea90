// A sign of life while one export runs: every interval, the time so far and the bytes the export
// file has grown to (a first export of a busy channel takes hours; silence looks like a hang).
import { humanSize } from "../fs/free_space.ts";
import type { CoreLog } from "./core_log.ts";

/** DCE_HEARTBEAT_SECONDS when unset: often enough to see it move, rare enough not to flood a log. */
export const DEFAULT_HEARTBEAT_SECONDS = 60;

export interface HeartbeatOptions {
  /** The export file DCE is writing (it may not exist yet). */
  path: string;
  /** What the line names, e.g. "channel 111 [3/12]". */
  what: string;
  intervalSeconds: number;
  log: CoreLog;
  now?: () => number;
}

/** Starts the heartbeat; disposing it stops it. An interval of 0 means none. */
export function startHeartbeat(opts: HeartbeatOptions): Disposable {
  if (opts.intervalSeconds <= 0) return { [Symbol.dispose]() {} };
  const now = opts.now ?? Date.now;
  const started = now();
  const timer = setInterval(() => {
    let size = 0;
    try {
      size = Deno.statSync(opts.path).size;
    } catch {
      // Not created yet: DCE writes the file once the first messages arrive.
    }
    opts.log(
      `  … still exporting ${opts.what}: ${elapsed(now() - started)}, ${
        humanSize(BigInt(size))
      } written so far`,
    );
  }, opts.intervalSeconds * 1000);
  return { [Symbol.dispose]: () => clearInterval(timer) };
}

/** `45s`, `3m 05s`, `2h 07m`. */
export function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}
