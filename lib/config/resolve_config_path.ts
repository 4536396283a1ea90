// Which config file the scrape core reads when --config is absent: DCE_PRIMARY_CONFIG, else DCE_FALLBACK_CONFIG.
import { join } from "node:path";

export interface Env {
  get(name: string): string | undefined;
}

export const DEFAULT_FALLBACK_CONFIG = "/opt/dce-config/scrape-targets.json";

/**
 * As the bash core (§8.4): the primary config if that file exists, else the fallback if it exists.
 * When neither exists the primary is returned, so the "Required file not found" error names it.
 * On the host the primary defaults to `<repo>/config/scrape-targets.json`.
 */
export async function resolveConfigPath(env: Env, repoRoot: string): Promise<string> {
  const primary = env.get("DCE_PRIMARY_CONFIG") || join(repoRoot, "config", "scrape-targets.json");
  if (await isFile(primary)) return primary;
  const fallback = env.get("DCE_FALLBACK_CONFIG") || DEFAULT_FALLBACK_CONFIG;
  if (await isFile(fallback)) return fallback;
  return primary;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
