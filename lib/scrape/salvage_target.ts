// `salvage` mode for one target (§8.4): merge stale temps into archives; never runs the DCE CLI.
import { join } from "node:path";
import { deriveDestination } from "../archive/derive_destination.ts";
import { resolveDestination } from "../archive/resolve_destination.ts";
import { salvageStaleTemps } from "../archive/salvage_stale_temps.ts";
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
  log(`  Server scope: ${resolved.scope}`);
  for (const channelId of channelIds) {
    const destination = await resolveDestination(target.outputDir, channelId);
    await Deno.mkdir(join(target.outputDir, ".dce-temp"), { recursive: true });
    const result = await salvageStaleTemps({
      outputDir: target.outputDir,
      channelId,
      destination,
      minAgeSeconds: opts.minAgeSeconds,
      includeActive: opts.includeActive,
      now: opts.now(),
      log,
    }, { deriveDestination });
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
