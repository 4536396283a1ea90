// Reads, parses and validates scrape-targets.json; throws ConfigError listing every problem.
import { resolve } from "node:path";
import { ConfigError, MissingConfigError } from "./config_error.ts";
import type { ScrapeConfig } from "./scrape_config.ts";
import { validateConfig } from "./validate_config.ts";
import { isPhysicallyWithin, physicalPath } from "../fs/path_within_root.ts";
import { readSmallTextFile, SIZE_CAP } from "../fs/read_small_file.ts";
import { UserError } from "../cli/errors.ts";

export async function loadConfig(path: string): Promise<ScrapeConfig> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readSmallTextFile(absolute, { what: "Config", maxBytes: SIZE_CAP.settings });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new MissingConfigError(absolute);
    }
    if (err instanceof UserError) throw new ConfigError([err.message]);
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError([
      `Cannot read config ${path}: ${reason}. Check the path and permissions.`,
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError([`Invalid JSON config: ${path} (${reason})`]);
  }
  const result = validateConfig(raw, absolute);
  if (!result.ok) throw new ConfigError(result.problems);
  const config = result.config;

  // The lexical check passed; now make sure no symlink along an existing path leads outside (docs/bash-suite.md#h27-lexical-path-checks).
  const problems: string[] = [];
  for (const target of config.targets) {
    if (!(await isPhysicallyWithin(target.outputDir, config.archiveRoot))) {
      const [real, realRoot] = await Promise.all([
        physicalPath(target.outputDir),
        physicalPath(config.archiveRoot),
      ]);
      problems.push(
        `Target '${target.name}' output_dir '${target.outputDir}' resolves through a symlink to '${real}', outside archive_root '${config.archiveRoot}' ('${realRoot}'); point output_dir at a real folder inside the archive root.`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
