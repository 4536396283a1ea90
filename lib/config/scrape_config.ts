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

export interface ScrapeConfig {
  /** The config file as given (absolute when loaded through loadConfig). */
  path: string;
  /** Absolute, normalised: no trailing slash (except "/"), no "." or ".." segments. */
  archiveRoot: string;
  defaults: ConfigDefaults;
  targets: TargetConfig[];
}
