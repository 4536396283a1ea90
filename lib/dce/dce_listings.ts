// Runs the DCE listing commands (`guilds`, `channels`, `dm`) and turns their output into entries.
import type { ThreadMode } from "../config/scrape_config.ts";
import { channelsArgv, dmArgv, guildsArgv } from "./dce_cli_argv.ts";
import { DceAuthError, DiscoveryError } from "./export_errors.ts";
import { type ListingEntry, parseListing } from "./parse_listing.ts";
import { runDce, type TailLine } from "./run_dce.ts";

export interface DceCli {
  bin: string;
  /** Full child environment, token included as DISCORD_TOKEN (see dceEnv). */
  env: Record<string, string>;
  signal?: AbortSignal;
}

function cliOutput(tail: readonly TailLine[]): string {
  const lines = tail.filter((t) =>
    t.stream === "stderr" && t.line.trim() !== "" && !/^\s+at /.test(t.line)
  );
  return lines.slice(-4).map((t) => t.line.trim()).join(" / ") || "(no output)";
}

async function listing(
  cli: DceCli,
  argv: string[],
  context: string,
  fail: (out: string) => string,
) {
  const run = await runDce({
    bin: cli.bin,
    argv,
    env: cli.env,
    captureStdout: true,
    ...(cli.signal ? { signal: cli.signal } : {}),
  });
  if (run.code !== 0) {
    if (
      run.tail.some((t) =>
        t.stream === "stderr" && /Authentication token is invalid\./.test(t.line)
      )
    ) {
      throw new DceAuthError(context);
    }
    throw new DiscoveryError(fail(cliOutput(run.tail)));
  }
  return parseListing(run.stdout);
}

/** `guilds`, without the `0 | Direct Messages` pseudo-guild. */
export async function listGuilds(cli: DceCli): Promise<ListingEntry[]> {
  const entries = await listing(
    cli,
    guildsArgv(),
    "while listing guilds",
    (out) =>
      `Guild discovery failed. If you are using a bot token, configure explicit guild_ids/channel_ids for each non-DM target or switch to a user token. CLI output: ${out}`,
  );
  return entries.filter((e) => e.id !== "0");
}

export function listChannels(
  cli: DceCli,
  guildId: string,
  includeVc: boolean,
  threads: ThreadMode,
): Promise<ListingEntry[]> {
  return listing(
    cli,
    channelsArgv(guildId, includeVc, threads),
    `while listing the channels of guild ${guildId}`,
    (out) => `Channel discovery failed for guild ${guildId}. CLI output: ${out}`,
  );
}

export function listDms(cli: DceCli): Promise<ListingEntry[]> {
  return listing(
    cli,
    dmArgv(),
    "while listing direct messages",
    (out) =>
      `DM discovery failed. Bot tokens cannot read direct messages; disable the DM target or switch to a user token. CLI output: ${out}`,
  );
}
