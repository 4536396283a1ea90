// The DCE CLI command lines the core runs (docs/dce-cli.md#commands-we-run) and the environment that carries the token.
import type { ThreadMode } from "../config/scrape_config.ts";

/**
 * DCE expands `%`-tokens in `--output` (`%c` → channel id, `%%` → `%`; docs/dce-cli.md), so a path
 * we mean literally has every `%` doubled. `--output` is the only path we pass that DCE templates.
 */
export function escapeOutputTemplate(path: string): string {
  return path.replaceAll("%", "%%");
}

/** `export` of one channel into one JSON file; `--after` is exclusive, so the cursor is the last id held. */
export function exportArgv(
  channelId: string,
  outputPath: string,
  after?: string,
  before?: string,
): string[] {
  const argv = ["export", "--channel", channelId, "--format", "Json", "--output"];
  argv.push(escapeOutputTemplate(outputPath));
  if (after !== undefined) argv.push("--after", after);
  if (before !== undefined) argv.push("--before", before);
  return argv;
}

export function guildsArgv(): string[] {
  return ["guilds"];
}

export function channelsArgv(guildId: string, includeVc: boolean, threads: ThreadMode): string[] {
  return [
    "channels",
    "--guild",
    guildId,
    "--include-vc",
    String(includeVc),
    "--include-threads",
    threads,
  ];
}

export function dmArgv(): string[] {
  return ["dm"];
}

/**
 * The child's environment: the token only through DISCORD_TOKEN (never argv, which `ps` shows to
 * every user), and FUCK_RUSSIA=true to drop the banner (an env var every release since 2.37.1
 * reads; an unknown `--fuck-russia` flag would fail on older ones).
 */
export function dceEnv(
  base: Record<string, string>,
  token: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = { ...base, FUCK_RUSSIA: "true" };
  if (token !== undefined && token !== "") env.DISCORD_TOKEN = token;
  else delete env.DISCORD_TOKEN;
  return env;
}
