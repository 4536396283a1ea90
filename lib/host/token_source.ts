// Decides which Discord token a run uses, in one documented order (the bash order surprised: docs/bash-suite.md#h21-settings-precedence).

import { dirname, isAbsolute, join, resolve } from "node:path";
import { exists } from "../fs/file_predicates.ts";
import { readTokenFile } from "./token_file.ts";

/**
 * The order, first non-empty wins:
 *   1. DISCORD_TOKEN exported in the environment
 *   2. DISCORD_TOKEN_FILE exported in the environment
 *   3. DISCORD_TOKEN in the env file (scrape.env)
 *   4. DISCORD_TOKEN_FILE in the env file
 *   5. <repo>/.discord-token, ~/.config/discord-scrape/token, ~/.config/discord-token (first present)
 * Why: what the operator types for this one run (an exported variable) beats what a file says for
 * every run, and an explicit value beats a pointer to one at the same level. An empty value counts
 * as unset (scrape.env.example ships `DISCORD_TOKEN=`). A token file that is named but missing,
 * unreadable or empty is an error, never a silent fall-through to the next source.
 */
export const TOKEN_PRECEDENCE = [
  "DISCORD_TOKEN exported in the environment",
  "DISCORD_TOKEN_FILE exported in the environment",
  "DISCORD_TOKEN in the env file",
  "DISCORD_TOKEN_FILE in the env file",
  "<repo>/.discord-token, ~/.config/discord-scrape/token, ~/.config/discord-token",
] as const;

export interface TokenInputs {
  /** The process environment (what the operator exported). */
  env: Record<string, string | undefined>;
  /** The env file's assignments, or null when there is no env file. */
  envFile: Map<string, string> | null;
  envFilePath: string;
  repoRoot: string;
  /** Home directory for the ~/.config fallbacks; undefined skips them. */
  home: string | undefined;
}

export interface ResolvedToken {
  token: string;
  /** Human description of where it came from (never the value). */
  source: string;
  /** The file it was read from, when it came from a file (re-read before an auth retry). */
  file?: string;
}

/** The default token files, in the order they are tried. */
export function defaultTokenFiles(repoRoot: string, home: string | undefined): string[] {
  const files = [join(repoRoot, ".discord-token")];
  if (home) {
    files.push(join(home, ".config", "discord-scrape", "token"));
    files.push(join(home, ".config", "discord-token"));
  }
  return files;
}

/** Resolves the token, or null when no source has one. Throws UserError for a broken token file. */
export async function resolveToken(inputs: TokenInputs): Promise<ResolvedToken | null> {
  const exported = inputs.env["DISCORD_TOKEN"]?.trim();
  if (exported) return { token: exported, source: TOKEN_PRECEDENCE[0] };

  const exportedFile = inputs.env["DISCORD_TOKEN_FILE"];
  if (exportedFile) {
    const file = resolve(exportedFile);
    return { token: await readTokenFile(file), source: `DISCORD_TOKEN_FILE ${file}`, file };
  }

  const fromFile = inputs.envFile?.get("DISCORD_TOKEN")?.trim();
  if (fromFile) return { token: fromFile, source: `DISCORD_TOKEN in ${inputs.envFilePath}` };

  const fileFromEnvFile = inputs.envFile?.get("DISCORD_TOKEN_FILE");
  if (fileFromEnvFile) {
    // Relative paths in an env file mean "next to the env file", whatever the cron cwd is.
    const file = isAbsolute(fileFromEnvFile)
      ? fileFromEnvFile
      : resolve(dirname(resolve(inputs.envFilePath)), fileFromEnvFile);
    return {
      token: await readTokenFile(file),
      source: `DISCORD_TOKEN_FILE ${file} (from ${inputs.envFilePath})`,
      file,
    };
  }

  for (const file of defaultTokenFiles(inputs.repoRoot, inputs.home)) {
    if (await exists(file)) {
      return { token: await readTokenFile(file, "Token file"), source: `token file ${file}`, file };
    }
  }
  return null;
}
