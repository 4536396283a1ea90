// The config a workflow works on: --config, else the tool's env variable, else the checkout's config; made
// absolute once so every step and every child sees the same file (§14.24).
import { join, resolve } from "node:path";

export type ConfigEnvVar = "DCE_CONFIG_FILE" | "DCE_PRIMARY_CONFIG";

/**
 * The bash tools disagreed on the variable (§3: DCE_CONFIG_FILE for handoff/verify/validation/proof,
 * DCE_PRIMARY_CONFIG for documents/verify-archives). Each tool still reads its own first, then the other,
 * so one exported variable configures the whole suite.
 */
export function opsConfigPath(
  explicit: string | undefined,
  env: Record<string, string | undefined>,
  repoRoot: string,
  first: ConfigEnvVar,
): string {
  const second: ConfigEnvVar = first === "DCE_CONFIG_FILE"
    ? "DCE_PRIMARY_CONFIG"
    : "DCE_CONFIG_FILE";
  const chosen = explicit || env[first] || env[second] ||
    join(repoRoot, "config", "scrape-targets.json");
  return resolve(chosen);
}
