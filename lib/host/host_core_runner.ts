// Adapts the scrape core (lib/scrape/run_core.ts) to the host runner: direct exporter and salvage run in-process.

import { runCore } from "../scrape/run_core.ts";
import type { CoreRequest } from "./host_run_options.ts";

/** Runs the core with the runner's environment, log sink, abort signal and export-child hook. */
export async function runHostCore(request: CoreRequest): Promise<number> {
  const result = await runCore({
    mode: request.mode,
    configPath: request.configPath,
    targets: request.targets,
    guilds: request.guilds,
    channels: request.channels,
    env: request.env,
    cliBin: request.cliBin,
    log: request.log,
    signal: request.signal,
    onExportChild: request.onExportChild,
  });
  return result.exitCode;
}
