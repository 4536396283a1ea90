// Checks a parsed scrape-targets.json against docs/config.md#errors and collects EVERY problem, so one run shows them all.
import { isAbsolute, normalize } from "node:path";
import type {
  ConfigDefaults,
  ScrapeConfig,
  TargetConfig,
  TargetKind,
  ThreadMode,
  UnattendedConfig,
} from "./scrape_config.ts";
import { UNATTENDED_DEFAULTS } from "./scrape_config.ts";
import { isLexicallyWithin, stripTrailingSlashes } from "../fs/path_within_root.ts";
import { didYouMean } from "../cli/did_you_mean.ts";

export type Validation = { ok: true; config: ScrapeConfig } | { ok: false; problems: string[] };

const TOP_KEYS = ["archive_root", "defaults", "targets", "unattended"];
const UNATTENDED_KEYS = [
  "failure_hook",
  "hook_timeout_seconds",
  "keep_days",
  "keep_failed_days",
  "keep_runs",
];
const DEFAULTS_KEYS = ["include_threads", "include_voice_channels"];
const TARGET_KEYS = [
  "name",
  "kind",
  "output_dir",
  "enabled",
  "channel_ids",
  "guild_ids",
  "guild_name_patterns",
  "include_threads",
  "include_voice_channels",
  "container_memory",
  "disabled_reason",
];

/**
 * Every key the config does not know is an error, at every level, with the closest known key. No
 * warnings: under cron a warning is read by no one, and an ignored key changes what runs — a
 * misspelt "enabled" would run a disabled target, "guild_id" would drop the guild scope,
 * "include_thread" would export every thread. Keys starting with "_" or "$" ("_comment",
 * "$schema") are notes and are skipped.
 */
function unknownKeys(
  object: Record<string, Json>,
  known: readonly string[],
  where: string,
  problems: string[],
): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key) || key.startsWith("_") || key.startsWith("$")) continue;
    const hint = didYouMean(key, known) ||
      ` Known keys: ${known.join(", ")} (start a key with "_" to keep a note).`;
    problems.push(`Unknown key '${key}' ${where}.${hint}`);
  }
}

const THREAD_MODES: readonly ThreadMode[] = ["none", "active", "all"];
const KINDS: readonly TargetKind[] = ["guild", "dms"];
const SNOWFLAKE = /^[0-9]{1,25}$/;

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** null is treated like an absent key (as jq did), but `false` is a value (docs/bash-suite.md#h25-false-treated-as-missing). */
function present(value: Json): boolean {
  return value !== undefined && value !== null;
}

/** Absolute, "." / ".." resolved, no trailing slash: `/srv/archive/` and `/srv/archive` are one root (docs/bash-suite.md#h27-lexical-path-checks). */
export function normaliseArchiveRoot(root: string): string {
  return stripTrailingSlashes(normalize(root));
}

/** Folders the system owns: an archive there writes into /proc, /etc, … or locks the whole disk. */
const SYSTEM_FOLDERS = new Set([
  "/",
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/lib",
  "/lib32",
  "/lib64",
  "/proc",
  "/run",
  "/sbin",
  "/sys",
  "/usr",
  "/var",
]);
/** Kernel filesystems: nothing under them is a place for files of ours. */
const VIRTUAL_TREES = ["/proc/", "/sys/", "/dev/"];

/** Why `root` (normalised) cannot be an archive root, or null. */
export function systemFolderProblem(root: string): string | null {
  if (!SYSTEM_FOLDERS.has(root) && !VIRTUAL_TREES.some((tree) => root.startsWith(tree))) {
    return null;
  }
  return `archive_root "${root}" is a system folder; give the archive a folder of its own, ` +
    `e.g. /srv/discord-archive.`;
}

export function validateConfig(raw: Json, path: string): Validation {
  const problems: string[] = [];
  if (!isObject(raw)) {
    return {
      ok: false,
      problems: [`Invalid JSON config: ${path} (the top level must be an object).`],
    };
  }

  unknownKeys(raw, TOP_KEYS, "at the top level of the config", problems);
  let archiveRoot = "";
  if (!present(raw.archive_root) || raw.archive_root === "") {
    problems.push("Config is missing top-level archive_root.");
  } else if (typeof raw.archive_root !== "string") {
    problems.push(`archive_root must be a string path, not ${JSON.stringify(raw.archive_root)}.`);
  } else if (!isAbsolute(raw.archive_root)) {
    problems.push("archive_root must be an absolute path.");
  } else {
    archiveRoot = normaliseArchiveRoot(raw.archive_root);
    const system = systemFolderProblem(archiveRoot);
    if (system !== null) problems.push(system);
  }

  const defaults: ConfigDefaults = { includeThreads: "all", includeVoiceChannels: false };
  if (present(raw.defaults) && !isObject(raw.defaults)) {
    problems.push("defaults must be an object.");
  } else if (isObject(raw.defaults)) {
    unknownKeys(raw.defaults, DEFAULTS_KEYS, "in defaults", problems);
    const threads = threadMode(raw.defaults.include_threads, "defaults.include_threads", problems);
    if (threads !== undefined) defaults.includeThreads = threads;
    const voice = bool(
      raw.defaults.include_voice_channels,
      "defaults.include_voice_channels",
      problems,
    );
    if (voice !== undefined) defaults.includeVoiceChannels = voice;
  }

  const unattended = validateUnattended(raw.unattended, problems);

  const targets: TargetConfig[] = [];
  if (!Array.isArray(raw.targets) || raw.targets.length === 0) {
    if (present(raw.targets) && !Array.isArray(raw.targets)) {
      problems.push("targets must be an array of target objects.");
    } else {
      problems.push("Config must define at least one target.");
    }
  } else {
    raw.targets.forEach((entry, index) => {
      const target = validateTarget(entry, index, archiveRoot, defaults, problems);
      if (target) targets.push(target);
    });
  }

  const dupNames = duplicates(targets.map((t) => t.name));
  if (dupNames.length > 0) problems.push(`Duplicate target names found: ${dupNames.join(", ")}`);
  const dupDirs = duplicates(targets.map((t) => t.outputDir));
  if (dupDirs.length > 0) {
    problems.push(`Duplicate target output directories found: ${dupDirs.join(", ")}`);
  }

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: { path, archiveRoot, defaults, targets, unattended } };
}

function validateUnattended(value: Json, problems: string[]): UnattendedConfig {
  const unattended: UnattendedConfig = { ...UNATTENDED_DEFAULTS };
  if (!present(value)) return unattended;
  if (!isObject(value)) {
    problems.push("unattended must be an object.");
    return unattended;
  }
  unknownKeys(value, UNATTENDED_KEYS, "in unattended", problems);
  if (present(value.failure_hook)) {
    if (typeof value.failure_hook === "string" && value.failure_hook.trim() !== "") {
      unattended.failureHook = value.failure_hook;
    } else {
      problems.push(
        `unattended.failure_hook must be a non-empty command string, not ${
          JSON.stringify(value.failure_hook)
        }.`,
      );
    }
  }
  const counts: [keyof UnattendedConfig & `${string}s`, string][] = [
    ["hookTimeoutSeconds", "hook_timeout_seconds"],
    ["keepDays", "keep_days"],
    ["keepFailedDays", "keep_failed_days"],
    ["keepRuns", "keep_runs"],
  ];
  for (const [field, key] of counts) {
    const n = value[key];
    if (!present(n)) continue;
    if (typeof n === "number" && Number.isInteger(n) && n >= 1) unattended[field] = n;
    else {problems.push(
        `unattended.${key} must be a whole number of at least 1, not ${JSON.stringify(n)}.`,
      );}
  }
  return unattended;
}

function validateTarget(
  entry: Json,
  index: number,
  archiveRoot: string,
  defaults: ConfigDefaults,
  problems: string[],
): TargetConfig | undefined {
  if (!isObject(entry)) {
    problems.push(`targets[${index}] must be an object, not ${JSON.stringify(entry)}.`);
    return undefined;
  }
  if (typeof entry.name !== "string" || entry.name === "") {
    problems.push(
      present(entry.name) && typeof entry.name !== "string"
        ? `Every target must have a name (targets[${index}].name is ${
          JSON.stringify(entry.name)
        }, not a string).`
        : "Every target must have a name.",
    );
    unknownKeys(entry, TARGET_KEYS, `in targets[${index}]`, problems);
    return undefined;
  }
  const name = entry.name;
  const before = problems.length;
  unknownKeys(entry, TARGET_KEYS, `in target '${name}'`, problems);

  let kind: TargetKind = "guild";
  if (present(entry.kind)) {
    if (typeof entry.kind === "string" && (KINDS as readonly string[]).includes(entry.kind)) {
      kind = entry.kind as TargetKind;
    } else {
      problems.push(`Target '${name}' has unsupported kind '${String(entry.kind)}'.`);
    }
  }

  let outputDir = "";
  if (!present(entry.output_dir) || entry.output_dir === "") {
    problems.push(`Target '${name}' is missing output_dir.`);
  } else if (typeof entry.output_dir !== "string" || !isAbsolute(entry.output_dir)) {
    problems.push(
      `Target '${name}' output_dir ${
        JSON.stringify(entry.output_dir)
      } must be an absolute path inside archive_root.`,
    );
  } else {
    outputDir = stripTrailingSlashes(entry.output_dir);
    if (archiveRoot !== "" && !isLexicallyWithin(outputDir, archiveRoot)) {
      problems.push(
        `Target '${name}' output_dir '${entry.output_dir}' is outside archive_root '${archiveRoot}'.`,
      );
    }
  }

  const enabled = bool(entry.enabled, `Target '${name}' enabled`, problems);
  const channelIds = ids(entry.channel_ids, name, "channel_ids", problems);
  const guildIds = ids(entry.guild_ids, name, "guild_ids", problems);
  const guildNamePatterns = strings(
    entry.guild_name_patterns,
    name,
    "guild_name_patterns",
    problems,
  );
  const threads = threadMode(entry.include_threads, `Target '${name}' include_threads`, problems);
  const voice = bool(
    entry.include_voice_channels,
    `Target '${name}' include_voice_channels`,
    problems,
  );
  const containerMemory = optionalString(
    entry.container_memory,
    name,
    "container_memory",
    problems,
  );
  const disabledReason = optionalString(entry.disabled_reason, name, "disabled_reason", problems);
  if (problems.length > before) return undefined;

  const target: TargetConfig = {
    name,
    kind,
    outputDir,
    enabled: enabled ?? true,
    channelIds,
    guildIds,
    guildNamePatterns,
    includeThreads: threads ?? defaults.includeThreads,
    // `false` on the target wins over `true` in defaults (the bash jq `//` bug, docs/bash-suite.md#h25-false-treated-as-missing).
    includeVoiceChannels: voice ?? defaults.includeVoiceChannels,
  };
  if (containerMemory !== undefined) target.containerMemory = containerMemory;
  if (disabledReason !== undefined) target.disabledReason = disabledReason;
  return target;
}

function bool(value: Json, label: string, problems: string[]): boolean | undefined {
  if (!present(value)) return undefined;
  if (typeof value === "boolean") return value;
  problems.push(`${label} must be true or false (without quotes), not ${JSON.stringify(value)}.`);
  return undefined;
}

function threadMode(value: Json, label: string, problems: string[]): ThreadMode | undefined {
  if (!present(value)) return undefined;
  if (typeof value === "string" && (THREAD_MODES as readonly string[]).includes(value)) {
    return value as ThreadMode;
  }
  problems.push(`${label} must be "none", "active" or "all", not ${JSON.stringify(value)}.`);
  return undefined;
}

function optionalString(
  value: Json,
  target: string,
  field: string,
  problems: string[],
): string | undefined {
  if (!present(value)) return undefined;
  if (typeof value === "string") return value;
  problems.push(`Target '${target}' ${field} must be a string, not ${JSON.stringify(value)}.`);
  return undefined;
}

function strings(value: Json, target: string, field: string, problems: string[]): string[] {
  if (!present(value)) return [];
  if (!Array.isArray(value)) {
    problems.push(`Target '${target}' ${field} must be an array of strings.`);
    return [];
  }
  const out: string[] = [];
  value.forEach((item, i) => {
    if (typeof item === "string") out.push(item);
    else {problems.push(
        `Target '${target}' ${field}[${i}] must be a string, not ${JSON.stringify(item)}.`,
      );}
  });
  return out;
}

function ids(value: Json, target: string, field: string, problems: string[]): string[] {
  if (!present(value)) return [];
  if (!Array.isArray(value)) {
    problems.push(`Target '${target}' ${field} must be an array of quoted id strings.`);
    return [];
  }
  const out: string[] = [];
  value.forEach((item, i) => {
    if (typeof item === "number") {
      // JSON.parse has already rounded it, so the digits shown may not be the ones in the file.
      problems.push(
        `Target '${target}' ${field}[${i}] is a JSON number (read as ${
          Number.isFinite(item) ? BigInt(Math.trunc(item)) : item
        }); ids above 2^53 lose digits as numbers, so write it as a quoted string.`,
      );
    } else if (typeof item !== "string" || !SNOWFLAKE.test(item)) {
      problems.push(
        `Target '${target}' ${field}[${i}] ${
          JSON.stringify(item)
        } is not a Discord id (a quoted string of digits).`,
      );
    } else {
      out.push(item);
    }
  });
  return out;
}

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}
