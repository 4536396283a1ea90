// Where the archive-root lock lives: DCE_SCRAPE_LOCK_FILE, else {archive_root}/.dce-scrape.lock, else per checkout.
import { isAbsolute, join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { ConfigError, MissingConfigError } from "../config/config_error.ts";
import { readSmallTextFileSync, SIZE_CAP } from "../fs/read_small_file.ts";

export const LOCK_FILE_NAME = ".dce-scrape.lock";

export interface ResolvedLockPath {
  path: string;
  source: "env" | "config" | "fallback";
  /** The archive root from the config, when the path came from it. */
  archiveRoot?: string;
  /** Set for the fallback: a per-checkout lock does not serialise two checkouts. */
  warning?: string;
}

/** Exit 2 for a config the lock cannot be found from: the status tool's 1 means "held". */
const LOCK_TOOL_EXIT = { exitCode: 2 };

/** Reads and parses the config; a missing or broken file is a ConfigError. */
export function readConfigJson(configPath: string): unknown {
  let text: string;
  try {
    text = readSmallTextFileSync(configPath, { what: "Config", maxBytes: SIZE_CAP.settings });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new MissingConfigError(configPath);
    if (err instanceof UserError) throw new ConfigError([err.message], LOCK_TOOL_EXIT);
    if (err instanceof Deno.errors.IsADirectory) {
      throw new ConfigError(
        [`Cannot read config ${configPath}: it is a directory, not a JSON file`],
        LOCK_TOOL_EXIT,
      );
    }
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError([`Cannot read config ${configPath}: ${reason}`], LOCK_TOOL_EXIT);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(
      [`Invalid JSON config: ${configPath} (${reason}); fix the file`],
      LOCK_TOOL_EXIT,
    );
  }
}

/**
 * The lock path every tool must agree on for a given config: `lockFile` (DCE_SCRAPE_LOCK_FILE, from
 * resolveSettings), else `<archive_root>/.dce-scrape.lock`, else a per-checkout fallback.
 */
export function resolveLockPath(
  opts: { configPath: string; repoRoot: string; lockFile?: string | undefined },
): ResolvedLockPath {
  if (opts.lockFile) return { path: opts.lockFile, source: "env" };
  const config = readConfigJson(opts.configPath);
  const root = config !== null && typeof config === "object" && !Array.isArray(config)
    ? (config as Record<string, unknown>).archive_root
    : undefined;
  let problem: string | null = null;
  if (root === undefined || root === null) problem = "archive_root is missing";
  else if (typeof root !== "string") problem = "archive_root is not a string";
  else if (root.trim() === "") problem = "archive_root is empty";
  else if (!isAbsolute(root)) problem = `archive_root "${root}" is not an absolute path`;
  if (problem !== null || typeof root !== "string") {
    const path = join(opts.repoRoot, LOCK_FILE_NAME);
    return {
      path,
      source: "fallback",
      warning:
        `WARN: config ${opts.configPath}: ${problem}; using the per-checkout lock ${path}, ` +
        `which does not serialise scrapes started from other checkouts. Set archive_root.`,
    };
  }
  // join() normalises, so "/srv/archive/" gives "/srv/archive/.dce-scrape.lock" (no "//").
  return { path: join(root, LOCK_FILE_NAME), source: "config", archiveRoot: root };
}
