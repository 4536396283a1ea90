// The one resolution of the files every tool works from — config, env file, lock override — with one
// precedence (docs/cli.md "Which config, env file and lock"). Every tool calls this; none reads the
// variables below itself.
import { isAbsolute, join, resolve } from "node:path";
import { isFileSync } from "../fs/file_predicates.ts";

export type Env = Readonly<Record<string, string | undefined>>;

export interface SettingsRequest {
  /** --config as typed, if given. */
  config?: string | undefined;
  /** --env-file as typed, if given. */
  envFile?: string | undefined;
  /** The environment the tool runs with (exported, or exported + env file for the host runner). */
  env: Env;
  /** Where relative paths start: the folder the operator typed the command in (default: this process's). */
  cwd?: string;
  repoRoot: string;
  /** Whether a regular file exists at a path; injected so the precedence table is tested in memory. */
  isFile?: (path: string) => boolean;
}

export type ConfigSource =
  | "--config"
  | "DCE_CONFIG_FILE"
  | "DCE_PRIMARY_CONFIG"
  | "default"
  | "DCE_FALLBACK_CONFIG";
export type EnvFileSource = "--env-file" | "DCE_ENV_FILE" | "default";

export interface Settings {
  /** Absolute path of the targets config. */
  configPath: string;
  configSource: ConfigSource;
  /** Absolute path of the env file (NAME=value settings, the token). */
  envFilePath: string;
  /**
   * Only an env file named on the command line must exist: DCE_ENV_FILE is written into every cron
   * line, also on hosts that keep the token elsewhere.
   */
  envFileRequired: boolean;
  envFileSource: EnvFileSource;
  /** DCE_SCRAPE_LOCK_FILE, absolute; undefined: the lock lives in the config's archive_root. */
  lockFile?: string;
  /** DCE_SKIP_SCRAPE_LOCK=1 (exactly "1"): run without the lock and its gates. */
  skipLock: boolean;
}

export const DEFAULT_FALLBACK_CONFIG = "/opt/dce-config/scrape-targets.json";
/** The folder the container mounts `<repo>/config` at. */
export const CONTAINER_CONFIG_DIR = "/config";

/**
 * Config: --config, else DCE_CONFIG_FILE, else DCE_PRIMARY_CONFIG, else `<repo>/config/scrape-targets.json`;
 * when that default (nothing named) does not exist, DCE_FALLBACK_CONFIG (default
 * /opt/dce-config/scrape-targets.json, the file baked into the container image) if it exists.
 * Env file: --env-file, else DCE_ENV_FILE, else `<repo>/scrape.env`.
 * Lock: DCE_SCRAPE_LOCK_FILE, else `<archive_root>/.dce-scrape.lock` (lib/lock).
 * Every relative path, from an option or a variable, starts at `cwd`. An empty variable is unset.
 * A `/config/<x>` that does not exist here is the container's name for `<repo>/config/<x>`.
 */
export function resolveSettings(request: SettingsRequest): Settings {
  const { env, repoRoot } = request;
  const cwd = request.cwd ?? Deno.cwd();
  const isFile = request.isFile ?? isFileSync;
  const set = (name: string): string | undefined => env[name] || undefined;
  const absolute = (path: string): string => {
    const full = resolve(cwd, path);
    if (full.startsWith(`${CONTAINER_CONFIG_DIR}/`) && !isFile(full)) {
      return join(repoRoot, "config", full.slice(CONTAINER_CONFIG_DIR.length + 1));
    }
    return full;
  };

  let configPath: string;
  let configSource: ConfigSource;
  const named: [ConfigSource, string | undefined][] = [
    ["--config", request.config || undefined],
    ["DCE_CONFIG_FILE", set("DCE_CONFIG_FILE")],
    ["DCE_PRIMARY_CONFIG", set("DCE_PRIMARY_CONFIG")],
  ];
  const first = named.find(([, value]) => value !== undefined);
  if (first) {
    configSource = first[0];
    configPath = absolute(first[1] as string);
  } else {
    configSource = "default";
    configPath = join(repoRoot, "config", "scrape-targets.json");
    const fallback = resolve(cwd, set("DCE_FALLBACK_CONFIG") ?? DEFAULT_FALLBACK_CONFIG);
    if (!isFile(configPath) && isFile(fallback)) {
      configSource = "DCE_FALLBACK_CONFIG";
      configPath = fallback;
    }
  }

  const envFileNamed = request.envFile || set("DCE_ENV_FILE");
  const envFileSource: EnvFileSource = request.envFile
    ? "--env-file"
    : envFileNamed
    ? "DCE_ENV_FILE"
    : "default";
  const settings: Settings = {
    configPath,
    configSource,
    envFilePath: envFileNamed ? resolve(cwd, envFileNamed) : join(repoRoot, "scrape.env"),
    envFileRequired: envFileSource === "--env-file",
    envFileSource,
    skipLock: env["DCE_SKIP_SCRAPE_LOCK"] === "1",
  };
  const lockFile = set("DCE_SCRAPE_LOCK_FILE");
  // An absolute override is kept verbatim: the lock's path checks judge what the operator wrote.
  if (lockFile !== undefined) {
    settings.lockFile = isAbsolute(lockFile) ? lockFile : resolve(cwd, lockFile);
  }
  return settings;
}
