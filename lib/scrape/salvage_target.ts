// `salvage` mode for one target (docs/scrape.md#salvage-mode): merge stale temps into archives; never runs the DCE CLI.
import { deriveDestination } from "../archive/derive_destination.ts";
import { resolveDestination } from "../archive/resolve_destination.ts";
import { ensureTempRoot, salvageStaleTemps } from "../archive/salvage_stale_temps.ts";
import { findTempChannelIds } from "../archive/find_temp_channel_ids.ts";
import { DiskFullError } from "../dce/export_errors.ts";
import type { CoreLog } from "./core_log.ts";
import type { ResolvedTarget } from "./resolve_channels.ts";

export async function salvageTarget(
  resolved: ResolvedTarget,
  opts: { minAgeSeconds: number; includeActive: boolean; now: () => Date; log: CoreLog },
): Promise<void> {
  const { target, channelIds } = resolved;
  const { log } = opts;
  log(
    `Target '${target.name}': salvaging stale temp exports for ${channelIds.length} channel(s) under ${target.outputDir} (no Discord export).`,
  );
  // Only channels with a partial export are looked at: with nothing to salvage, no archive is read
  // (a salvage must not fail on an archive it would not touch).
  const withTemps = new Set(await findTempChannelIds(target.outputDir));
  for (const channelId of channelIds) {
    if (!withTemps.has(channelId)) {
      log(`  Nothing to salvage for channel ${channelId}.`);
      continue;
    }
    const destination = await resolveDestination(target.outputDir, channelId);
    await ensureTempRoot(target.outputDir);
    const result = await salvageStaleTemps({
      outputDir: target.outputDir,
      channelId,
      destination,
      minAgeSeconds: opts.minAgeSeconds,
      includeActive: opts.includeActive,
      now: opts.now(),
      log,
    }, { deriveDestination });
    if (result.diskFull.length > 0) {
      // Scrape mode stops at its next export; salvage mode must not end "completed" either.
      throw new DiskFullError(
        `Disk full: the stale temp ${
          result.diskFull[0]
        } could not be merged into its archive and is kept for the next run. Free space under ${target.outputDir} and rerun salvage.`,
      );
    }
    const after = destination ?? (await resolveDestination(target.outputDir, channelId));
    if (result.merged) {
      log(
        `  Salvage appended ${result.appended} messages for channel ${channelId} (${result.before} → ${result.after}).`,
      );
    } else if (after === null) {
      log(
        `  No archive path for channel ${channelId}; salvage skipped or created nothing mergeable.`,
      );
    } else {
      log(`  No salvage merge for channel ${channelId}.`);
    }
  }
  log(`Target '${target.name}': salvage completed.`);
}
