// Adapts the scrape core to the host runner's CoreRunner (direct exporter and salvage run in this process).

import { UserError } from "../cli/errors.ts";
import type { CoreRequest } from "./host_run.ts";

/**
 * TEMPORARY until the core's runCore lands in this tree: the direct exporter and salvage are not
 * available yet, and say so. (Compose-backed preflight/scrape do not need it.)
 */
export function runHostCore(request: CoreRequest): Promise<number> {
  return Promise.reject(
    new UserError(
      `The scrape core is not available in this checkout yet; '${request.mode}' with the direct exporter or salvage cannot run. Use --exporter compose for preflight/scrape.`,
    ),
  );
}
