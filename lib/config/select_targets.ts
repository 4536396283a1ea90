// Picks the targets a run works on from --target names and checks the --guild/--channel override rules.
import { UserError } from "../cli/errors.ts";
import { UnknownTargetError } from "./config_error.ts";
import type { ScrapeConfig, TargetConfig } from "./scrape_config.ts";

export interface Overrides {
  guilds: readonly string[];
  channels: readonly string[];
}

/**
 * Named targets (exact name, enabled or not), else every enabled target; the selection errors of docs/scrape.md#channels-of-a-target.
 * Overrides need exactly one selected target; a `--guild` override makes no sense for a DM target
 * or a channel-scoped target (checked here); archive-seeded targets are checked at resolution.
 */
/** The target named `name` (enabled or not), or UnknownTargetError. */
export function findTarget(config: ScrapeConfig, name: string): TargetConfig {
  const target = config.targets.find((t) => t.name === name);
  if (target) return target;
  throw new UnknownTargetError([name], config.path, config.targets.map((t) => t.name));
}

export function selectTargets(
  config: ScrapeConfig,
  names: readonly string[],
  overrides: Overrides = { guilds: [], channels: [] },
): TargetConfig[] {
  let selected: TargetConfig[];
  if (names.length > 0) {
    const wanted = [...new Set(names)];
    const unknown = wanted.filter((n) => !config.targets.some((t) => t.name === n));
    if (unknown.length > 0) {
      throw new UnknownTargetError(unknown, config.path, config.targets.map((t) => t.name));
    }
    selected = config.targets.filter((t) => wanted.includes(t.name));
  } else {
    selected = config.targets.filter((t) => t.enabled);
    if (selected.length === 0) {
      throw new UserError(`No enabled targets are available in ${config.path}.`);
    }
  }
  if (selected.length === 0) throw new UserError("No targets matched the requested selection.");

  if (overrides.guilds.length > 0 || overrides.channels.length > 0) {
    if (selected.length !== 1) {
      throw new UserError(
        "When using --guild or --channel overrides, select exactly one --target.",
      );
    }
    const only = selected[0] as TargetConfig;
    if (overrides.guilds.length > 0 && only.kind === "dms") {
      throw new UserError(
        `--guild cannot be used with DM target '${only.name}'; use --channel to pick DM channels.`,
      );
    }
    if (overrides.guilds.length > 0 && only.channelIds.length > 0) {
      throw new UserError(
        `--guild cannot be used with target '${only.name}', which is scoped by channel_ids; use --channel instead.`,
      );
    }
  }
  return selected;
}
