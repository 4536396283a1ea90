// The scrape core's public request/result types (the host runner's direct backend calls runCore with these).
import type { ChildHook } from "../dce/run_dce.ts";
import type { RunSummary } from "./scrape_summary.ts";
import type { RetryPolicy } from "./channel_retry.ts";

export type CoreMode = "scrape" | "preflight" | "salvage";

export interface CoreRequest {
  mode: CoreMode;
  /** Config file, absolute; when undefined, resolveSettings' default. */
  configPath?: string;
  targets: string[];
  guilds: string[];
  channels: string[];
  /** The complete environment the core and the DCE CLI see (DISCORD_TOKEN, DCE_*, PATH, TMPDIR…). */
  env: Record<string, string>;
  /** DCE CLI executable; default env DCE_CLI_BIN, else /opt/app/DiscordChatExporter.Cli. */
  cliBin?: string;
  /** Receives every log line, already formatted `[<UTC ts>] <text>` (the script writes them to stderr). */
  log: (line: string) => void;
  /** Abort = stop now: the running export's process group gets SIGTERM, its partial temp is kept. */
  signal?: AbortSignal;
  /**
   * Called with the pid (= process group id) of each export the core starts; the function it may
   * return is called when that export has exited.
   */
  onExportChild?: ChildHook;
  /**
   * Called once the config, token and selection are checked, before the first DCE CLI call or
   * write: run-scrape takes the archive-root lock here, so a bad config leaves the root untouched.
   */
  beforeWork?: () => Promise<void>;
  /** Any skipped channel makes the run partial (exit 3), not only the ones the config names. */
  strict?: boolean;
  /** Retries of a channel after a transient failure; default from DCE_RETRY_DELAYS. */
  retry?: RetryPolicy;
  /** Clock (tests). */
  now?: () => Date;
  /** Repository root, for the default config path (default: this checkout). */
  repoRoot?: string;
}

export interface CoreResult {
  /** 0 ok, 3 partial, 1 any failure (as the bash core's `die`), 128+n after an abort named by signal n. */
  exitCode: number;
  /** Scrape mode: the run summary (also when the run stopped early: what was done so far); else null. */
  summary: RunSummary | null;
}

export const DEFAULT_CLI_BIN = "/opt/app/DiscordChatExporter.Cli";
