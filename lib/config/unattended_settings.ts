// The unattended settings a run uses: the config's "unattended" section, each field overridden by
// its environment variable when that is set and not empty (an exported value beats the file, as
// for every other setting). DCE_FAILURE_HOOK=none turns a configured hook off (a systemd service
// does this: its OnFailure= unit runs the hook instead, so one failure is reported once).
import { UsageError } from "../cli/errors.ts";
import type { UnattendedConfig } from "./scrape_config.ts";
import type { Env } from "./resolve_settings.ts";

/** The variable that overrides each field. */
export const UNATTENDED_ENV = {
  failureHook: "DCE_FAILURE_HOOK",
  hookTimeoutSeconds: "DCE_HOOK_TIMEOUT_SECONDS",
  keepDays: "DCE_KEEP_DAYS",
  keepFailedDays: "DCE_KEEP_FAILED_DAYS",
  keepRuns: "DCE_KEEP_RUNS",
} as const satisfies Record<keyof UnattendedConfig, string>;

export function unattendedSettings(fromConfig: UnattendedConfig, env: Env): UnattendedConfig {
  const settings: UnattendedConfig = { ...fromConfig };
  const hook = env[UNATTENDED_ENV.failureHook];
  if (hook === "none") delete settings.failureHook;
  else if (hook) settings.failureHook = hook;
  for (const field of ["hookTimeoutSeconds", "keepDays", "keepFailedDays", "keepRuns"] as const) {
    const name = UNATTENDED_ENV[field];
    const raw = env[name];
    if (!raw) continue;
    if (!/^[0-9]+$/.test(raw) || Number(raw) < 1) {
      throw new UsageError(`${name} must be a whole number of at least 1, not "${raw}".`);
    }
    settings[field] = Number(raw);
  }
  return settings;
}
