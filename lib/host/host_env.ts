// The runner's settings: the env file's assignments under what the operator exported (exported wins).

/**
 * One documented rule for every variable (the bash runner let scrape.env override the shell:
 * docs/bash-suite.md#h21-settings-precedence): a non-empty exported value wins; otherwise the env file's value; an empty exported
 * value counts as unset. Returns a plain record usable as a child environment.
 */
export function effectiveEnv(
  exported: Record<string, string>,
  envFile: Map<string, string> | null,
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [key, value] of envFile ?? []) merged[key] = value;
  for (const [key, value] of Object.entries(exported)) {
    if (value !== "" || !(key in merged)) merged[key] = value;
  }
  return merged;
}

/** Variables that must never reach a child's environment or argv in clear (they hold or name the token). */
export const TOKEN_VARIABLES = ["DISCORD_TOKEN", "DISCORD_TOKEN_FILE"] as const;

/** A copy of `env` without the token variables. */
export function withoutToken(env: Record<string, string>): Record<string, string> {
  const copy = { ...env };
  for (const key of TOKEN_VARIABLES) delete copy[key];
  return copy;
}
