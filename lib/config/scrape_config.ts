// The validated shape of scrape-targets.json that every tool works with (never the raw JSON).

export type TargetKind = "guild" | "dms";
export type ThreadMode = "none" | "active" | "all";

export interface ConfigDefaults {
  includeThreads: ThreadMode;
  includeVoiceChannels: boolean;
}

export interface TargetConfig {
  name: string;
  kind: TargetKind;
  /** Absolute, without a trailing slash, lexically (and, where it exists, physically) inside archiveRoot. */
  outputDir: string;
  /** Only a literal `false` in the file disables a target. */
  enabled: boolean;
  channelIds: string[];
  guildIds: string[];
  guildNamePatterns: string[];
  includeThreads: ThreadMode;
  includeVoiceChannels: boolean;
  containerMemory?: string;
  disabledReason?: string;
}

/**
 * What an unattended run does at its end (docs/unattended.md): the failure hook and how long logs,
 * summaries and history are kept. Every field has a default; the environment overrides the file
 * (lib/config/unattended_settings.ts).
 */
export interface UnattendedConfig {
  /** A shell command run (by /bin/sh -c) when a run fails or is partial; undefined: none. */
  failureHook?: string;
  /** The hook is killed after this many seconds. */
  hookTimeoutSeconds: number;
  /** A successful run's log and summary are pruned after this many days. */
  keepDays: number;
  /** A failed or partial run's log and summary are kept this many days. */
  keepFailedDays: number;
  /** At most this many runs' logs/summaries and history records are kept, whatever their age. */
  keepRuns: number;
}

export const UNATTENDED_DEFAULTS: Readonly<UnattendedConfig> = {
  hookTimeoutSeconds: 60,
  keepDays: 30,
  keepFailedDays: 90,
  keepRuns: 1000,
};

export interface ScrapeConfig {
  /** The config file as given (absolute when loaded through loadConfig). */
  path: string;
  /** Absolute, normalised: no trailing slash (except "/"), no "." or ".." segments. */
  archiveRoot: string;
  defaults: ConfigDefaults;
  targets: TargetConfig[];
  /** The file's "unattended" section over UNATTENDED_DEFAULTS (without the environment). */
  unattended: UnattendedConfig;
}
