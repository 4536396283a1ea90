// What the scrape core needs from the archive engine beyond merge: channel map, destinations, stale-temp salvage.

export interface SalvageRequest {
  outputDir: string;
  channelId: string;
  /** The channel's archive path when known (it may not exist yet), else null. */
  destination: string | null;
  minAgeSeconds: number;
  includeActive: boolean;
  now: Date;
  log: (line: string) => void;
}

export interface SalvageOutcome {
  /** Messages added to the archive from stale temps. */
  appended: number;
  before: number;
  after: number;
  /** Whether any temp was merged or turned into a new archive. */
  merged: boolean;
}

export interface ArchiveOps {
  /** Records map entries for seeded archives not mapped yet (§8.4 bootstrap); returns how many. */
  bootstrapChannelMap(outputDir: string, log: (line: string) => void): Promise<number>;
  /** Channel ids present in the map (salvage looks at them without Discord). */
  mappedChannelIds(outputDir: string): Promise<string[]>;
  /**
   * The channel's archive: mapped path (must be inside outputDir), else the one file named
   * `…[<id>].json` (validated: JSON, right channel.id), else null (not known yet). Throws ArchiveError.
   */
  resolveDestination(outputDir: string, channelId: string): Promise<string | null>;
  /** Names a new archive from an export's header (§6), checks it stays inside outputDir, maps it. */
  deriveDestination(outputDir: string, channelId: string, exportPath: string): Promise<string>;
  /** Stale-temp salvage for one channel (§10.1). */
  salvageStaleTemps(request: SalvageRequest): Promise<SalvageOutcome>;
}
