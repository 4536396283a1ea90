// The ArchiveOps the core uses by default: lib/archive's engine plus the channel map and destination rules.
import type { ArchiveOps } from "./archive_ops.ts";
import { bootstrapChannelMap } from "../archive/bootstrap_channel_map.ts";
import { readChannelMap } from "../archive/channel_map.ts";
import { deriveDestination } from "../archive/derive_destination.ts";
import { resolveDestination } from "../archive/resolve_destination.ts";
import { salvageStaleTemps } from "../archive/salvage_stale_temps.ts";

export const defaultArchiveOps: ArchiveOps = {
  bootstrapChannelMap,
  mappedChannelIds: async (outputDir) => Object.keys(await readChannelMap(outputDir)),
  resolveDestination,
  deriveDestination,
  salvageStaleTemps: (request) => salvageStaleTemps(request, { deriveDestination }),
};
