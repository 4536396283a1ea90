import assert from "node:assert/strict";
import { selectTargets } from "../lib/config/select_targets.ts";
import type { ScrapeConfig, TargetConfig } from "../lib/config/scrape_config.ts";
import { UNATTENDED_DEFAULTS } from "../lib/config/scrape_config.ts";
import { UserError } from "../lib/cli/errors.ts";

function target(name: string, extra: Partial<TargetConfig> = {}): TargetConfig {
  return {
    name,
    kind: "guild",
    outputDir: `/r/${name}`,
    enabled: true,
    channelIds: [],
    guildIds: [],
    guildNamePatterns: [],
    includeThreads: "all",
    includeVoiceChannels: false,
    ...extra,
  };
}

const config: ScrapeConfig = {
  path: "/c.json",
  archiveRoot: "/r",
  defaults: { includeThreads: "all", includeVoiceChannels: false },
  unattended: { ...UNATTENDED_DEFAULTS },
  targets: [
    target("a"),
    target("off", { enabled: false }),
    target("dm", { kind: "dms" }),
    target("chan", { channelIds: ["111"] }),
  ],
};

function fails(fn: () => unknown, pattern: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UserError, String(err));
    assert.equal(err.exitCode, 1);
    assert.match(err.message, pattern);
    return true;
  });
}

Deno.test("selectTargets() without names picks every enabled target in file order", () => {
  assert.deepEqual(selectTargets(config, []).map((t) => t.name), ["a", "dm", "chan"]);
});

Deno.test("selectTargets() selects a disabled target when named explicitly", () => {
  assert.deepEqual(selectTargets(config, ["off"]).map((t) => t.name), ["off"]);
});

Deno.test("selectTargets() unknown target names the config and the unknown name", () => {
  fails(
    () => selectTargets(config, ["a", "nope"]),
    /^Unknown target 'nope' in \/c\.json\. Known: /,
  );
  fails(
    () => selectTargets(config, ["of"]),
    /^Unknown target 'of' in \/c\.json\. Did you mean 'off'\?/,
  );
});

Deno.test("selectTargets() no enabled targets", () => {
  const allOff = { ...config, targets: [target("x", { enabled: false })] };
  fails(() => selectTargets(allOff, []), /^No enabled targets are available in \/c\.json\.$/);
});

Deno.test("selectTargets() overrides need exactly one target", () => {
  const msg = /^When using --guild or --channel overrides, select exactly one --target\.$/;
  fails(() => selectTargets(config, ["a", "dm"], { guilds: [], channels: ["1"] }), msg);
  fails(() => selectTargets(config, [], { guilds: ["1"], channels: [] }), msg);
  assert.equal(selectTargets(config, ["a"], { guilds: ["1"], channels: ["2"] }).length, 1);
});

Deno.test("selectTargets() --guild is refused for DM and channel-scoped targets", () => {
  fails(() => selectTargets(config, ["dm"], { guilds: ["1"], channels: [] }), /DM target 'dm'/);
  fails(() => selectTargets(config, ["chan"], { guilds: ["1"], channels: [] }), /channel_ids/);
  assert.equal(selectTargets(config, ["dm"], { guilds: [], channels: ["5"] }).length, 1);
});
