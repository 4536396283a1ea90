// The ArchiveOps the core uses by default: lib/archive's engine plus the channel map and destination rules.
import type { ArchiveOps } from "./archive_ops.ts";
import {
  bootstrapChannelMap,
  deriveDestination,
  resolveDestination,
} from "./archive_destination.ts";
import { readChannelMap } from "./channel_map.ts";
import { salvageStaleTemps } from "../archive/salvage_stale_temps.ts";

export const defaultArchiveOps: ArchiveOps = {
  bootstrapChannelMap,
  mappedChannelIds: async (outputDir) => Object.keys(await readChannelMap(outputDir)),
  resolveDestination,
  deriveDestination,
  salvageStaleTemps: (request) => salvageStaleTemps(request, { deriveDestination }),
};
