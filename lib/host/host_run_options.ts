// What the host runner (run-scrape-host) is given: settings, output sinks, signals and its injection points.

import type { ChildHook } from "../dce/run_dce.ts";
import type { HostSignals } from "../process/signals.ts";
import type { ComposeProbes } from "./compose_command.ts";
import type { HostArgs, HostSubcommand } from "./host_args.ts";
import type { ChunkSink } from "./host_output_tail.ts";

/** What the runner needs from the scrape core (lib/scrape's runCore), so tests can inject a fake. */
export interface CoreRequest {
  mode: HostSubcommand;
  configPath: string;
  targets: string[];
  guilds: string[];
  channels: string[];
  env: Record<string, string>;
  cliBin: string;
  log: (line: string) => void;
  signal: AbortSignal;
  onExportChild: ChildHook;
}
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
}
