// Which channels a target covers (in the order of docs/scrape.md#channels-of-a-target): DM listing, channel_ids, guilds (ids or name patterns) + archive-seeded.
import { UserError } from "../cli/errors.ts";
import type { TargetConfig } from "../config/scrape_config.ts";
import type { Overrides } from "../config/select_targets.ts";
import { compareIds } from "../archive/snowflake.ts";
import { type DceCli, listChannels, listDms, listGuilds } from "../dce/dce_listings.ts";
import { DiscoveryError } from "../dce/export_errors.ts";
import type { ListingEntry } from "../dce/parse_listing.ts";
import { guildNameMatches } from "./guild_name_match.ts";
import { findSeededArchives } from "../archive/find_seeded_archives.ts";
import { findTempChannelIds } from "../archive/find_temp_channel_ids.ts";

export interface ResolvedTarget {
  target: TargetConfig;
  /** Sorted (numerically), unique. */
  channelIds: string[];
  /** The plan's "Server scope" text. */
  scope: string;
  /** Guild id → name, from the guilds listing when it was read. */
  guildNames: Map<string, string>;
  /** Channel id → `<guild name> [<guild id>]` for channels found through a guild listing. */
  channelGuilds: Map<string, string>;
  /** Number of seeded archive files under output_dir. */
  seededCount: number;
}

/** Listing results shared by every target of one run (each CLI listing runs at most once). */
export class ListingCache {
  #guilds: Promise<ListingEntry[]> | null = null;
  #channels = new Map<string, Promise<ListingEntry[]>>();
  #dms: Promise<ListingEntry[]> | null = null;
  constructor(readonly cli: DceCli) {}
  guilds(): Promise<ListingEntry[]> {
    return (this.#guilds ??= listGuilds(this.cli));
  }
  dms(): Promise<ListingEntry[]> {
    return (this.#dms ??= listDms(this.cli));
  }
  channels(guildId: string, includeVc: boolean, threads: TargetConfig["includeThreads"]) {
    const key = `${guildId}|${includeVc}|${threads}`;
    let entry = this.#channels.get(key);
    if (!entry) {
      entry = listChannels(this.cli, guildId, includeVc, threads);
      this.#channels.set(key, entry);
    }
    return entry;
  }
}

function sortedUnique(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort(compareIds);
}

/**
 * Resolution for `scrape` and `preflight` (uses the CLI listings). Overrides must be subsets of
 * what the target covers; a `--guild` needs a target that is scoped by guilds.
 */
export async function resolveTargetChannels(
  target: TargetConfig,
  overrides: Overrides,
  listings: ListingCache,
  warn: (line: string) => void,
): Promise<ResolvedTarget> {
  const seeded = await findSeededArchives(target.outputDir);
  const seededIds = sortedUnique(seeded.map((s) => s.channelId));
  const guildNames = new Map<string, string>();
  const channelGuilds = new Map<string, string>();
  let allowed: string[];
  let scope: string;

  if (target.kind === "dms") {
    allowed = sortedUnique((await listings.dms()).map((e) => e.id));
    for (const id of allowed) channelGuilds.set(id, "Direct Messages [0]");
    scope = `DM target (${allowed.length} channel(s))`;
  } else if (target.channelIds.length > 0) {
    allowed = sortedUnique(target.channelIds);
    scope = `${allowed.length} explicit channel id(s)`;
  } else {
    let guildIds = [...target.guildIds];
    if (guildIds.length > 0 || target.guildNamePatterns.length > 0) {
      let guilds: ListingEntry[] = [];
      try {
        guilds = await listings.guilds();
      } catch (err) {
        // Names are only labels when ids are configured; patterns cannot work without the list.
        if (!(err instanceof DiscoveryError) || guildIds.length === 0) throw err;
        warn(`WARN: could not list guilds for names (${err.message}); using ids only.`);
      }
      for (const g of guilds) guildNames.set(g.id, g.name);
      if (guildIds.length === 0) guildIds = matchPatterns(target, guilds, warn);
    }
    if (overrides.guilds.length > 0) {
      if (guildIds.length === 0) {
        throw new UserError(
          `--guild cannot be used with target '${target.name}': it has no guild_ids or guild_name_patterns (archive-seeded targets are scoped by their files).`,
        );
      }
      const unknown = overrides.guilds.filter((g) => !guildIds.includes(g));
      if (unknown.length > 0) {
        throw new UserError(
          `--guild ${unknown.join(", ")} is not one of target '${target.name}''s guilds (${
            guildIds.join(", ")
          }).`,
        );
      }
      guildIds = guildIds.filter((g) => overrides.guilds.includes(g));
    }
    if (guildIds.length > 0) {
      const ids: string[] = [];
      for (const guildId of guildIds) {
        const entries = await listings.channels(
          guildId,
          target.includeVoiceChannels,
          target.includeThreads,
        );
        ids.push(...entries.map((e) => e.id));
        const label = `${guildNames.get(guildId) ?? "unknown guild"} [${guildId}]`;
        for (const e of entries) channelGuilds.set(e.id, label);
      }
      // Seeded archives of these guilds stay covered even when the listing no longer shows them
      // (a channel the token lost access to is then SKIPPED, not silently forgotten). With a --guild
      // override only that guild's listing counts.
      allowed = sortedUnique(overrides.guilds.length > 0 ? ids : [...ids, ...seededIds]);
      scope = guildIds.map((id) => `${guildNames.get(id) ?? "unknown guild"} [${id}]`).join("; ");
    } else if (seededIds.length > 0) {
      allowed = seededIds;
      scope = `archive-seeded (${seeded.length} channel file(s))`;
    } else {
      allowed = [];
      scope = "no guild/channel resolution (check config or token)";
    }
  }

  let channelIds = allowed;
  if (overrides.channels.length > 0) {
    const unknown = overrides.channels.filter((c) => !allowed.includes(c));
    if (unknown.length > 0) {
      throw new UserError(
        `--channel ${
          unknown.join(", ")
        } is not among the ${allowed.length} channel(s) resolved for target '${target.name}' (${scope}).`,
      );
    }
    channelIds = sortedUnique(overrides.channels);
  }
  return { target, channelIds, scope, guildNames, channelGuilds, seededCount: seeded.length };
}

function matchPatterns(
  target: TargetConfig,
  guilds: ListingEntry[],
  warn: (line: string) => void,
): string[] {
  const ids: string[] = [];
  for (const pattern of target.guildNamePatterns) {
    const matches = guilds.filter((g) => guildNameMatches(pattern, g.name));
    if (matches.length > 1) {
      throw new UserError(
        `Guild name pattern '${pattern}' of target '${target.name}' matches ${matches.length} guilds: ${
          matches.map((g) => `${g.name} [${g.id}]`).join(", ")
        }. Use guild_ids to pick one.`,
      );
    }
    if (matches.length === 0) {
      warn(`WARN: guild name pattern '${pattern}' of target '${target.name}' matched no guild.`);
      continue;
    }
    ids.push((matches[0] as ListingEntry).id);
  }
  return [...new Set(ids)];
}

/**
 * Resolution for `salvage`: no Discord access. Every channel the target's files know about:
 * channel_ids, seeded archives, channel-map entries and leftover temps (docs/bash-suite.md#h17-non-atomic-salvage: temps of channels
 * no longer listed are still salvaged).
 */
export async function resolveLocalChannels(
  target: TargetConfig,
  overrides: Overrides,
  mappedIds: readonly string[],
): Promise<ResolvedTarget> {
  const seeded = await findSeededArchives(target.outputDir);
  const temps = await findTempChannelIds(target.outputDir);
  const allowed = sortedUnique([
    ...target.channelIds,
    ...seeded.map((s) => s.channelId),
    ...mappedIds,
    ...temps,
  ]);
  let channelIds = allowed;
  if (overrides.channels.length > 0) channelIds = sortedUnique(overrides.channels);
  return {
    target,
    channelIds,
    scope:
      `local archives (${seeded.length} seeded file(s), ${temps.length} channel(s) with temps)`,
    guildNames: new Map(),
    channelGuilds: new Map(),
    seededCount: seeded.length,
  };
}
