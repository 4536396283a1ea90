// Adapts the scrape core (lib/scrape/run_core.ts) to the host runner: direct exporter and salvage run in-process.

import { runCore } from "../scrape/run_core.ts";
import type { CoreRunner } from "./host_run_options.ts";

/** Runs the core with the runner's request (the core's own type); the runner needs its exit code. */
export const runHostCore: CoreRunner = async (request) => (await runCore(request)).exitCode;
