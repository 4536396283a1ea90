// What the host runner (run-scrape-host) is given: settings, output sinks, signals and its injection points.

import type { ScrapeConfig } from "../config/scrape_config.ts";
import type { CoreRequest } from "../scrape/core_options.ts";
import type { HostSignals } from "../process/signals.ts";
import type { ComposeProbes } from "./compose_command.ts";
import type { HostArgs, HostSubcommand } from "./host_args.ts";
import type { ChunkSink } from "./host_output_tail.ts";

/** The scrape core's own request type: the runner fills it, tests inject a fake core taking it. */
export type { CoreRequest };
export type CoreRunner = (request: CoreRequest) => Promise<number>;

/** Line output of the runner itself (diagnostics → err, plan/disk report → out). */
export interface HostOutput {
  out(line: string): void;
  err(line: string): void;
}

export interface HostRunOptions {
  args: HostArgs & { subcommand: HostSubcommand };
  /** The process environment as exported by the operator (or cron). */
  exported: Record<string, string>;
  repoRoot: string;
  cwd: string;
  home: string | undefined;
  tmpDir: string;
  /** stdin and stdout are terminals (DCE_REAUTH_COMMAND then gets the terminal). */
  interactive: boolean;
  output: HostOutput;
  /** Raw sinks for the exporter's live output. */
  stdout: ChunkSink;
  stderr: ChunkSink;
  signals: HostSignals;
  runCore: CoreRunner;
  composeProbes?: ComposeProbes;
  /** Recorded (redacted) in the lock's `cmd=`. */
  argv: string[];
  /** Filled in as the runner learns them, for what the tool does at the run's end. */
  seen?: HostSeen;
}

/** What the runner learned before it stopped (a run may stop at any point). */
export interface HostSeen {
  /** The exported environment with the env file's settings. */
  env?: Record<string, string>;
  config?: ScrapeConfig;
  summaryFile?: string | null;
  /** fileStamp() of the summary file before the scrape: a file still carrying it is not this run's. */
  summaryBaseline?: string | null;
}
