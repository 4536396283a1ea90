// A sandbox with one guild target over made-up channels, as an operator's unattended setup has it.
import { type FakeChannel, writeWorld } from "../fakes/fake_dce_world.ts";
import { GUILD, type Sandbox, sandbox } from "./sandbox.ts";

/** One guild target over these channels (their archives are made by the first run). */
export async function guildBox(channels: FakeChannel[]): Promise<Sandbox> {
  const box = await sandbox([]);
  await writeWorld(box.world, { guilds: [GUILD], channels });
  await Deno.writeTextFile(
    box.config,
    JSON.stringify({
      archive_root: box.archiveRoot,
      targets: [{ name: "guild", output_dir: box.outputDir("guild"), guild_ids: [GUILD.id] }],
    }),
  );
  // What an operator keeps in scrape.env; short retries so a smoke does not wait for minutes.
  await Deno.writeTextFile(
    box.env.DCE_ENV_FILE!,
    "DISCORD_TOKEN=simulated-token\nDCE_RETRY_DELAYS=0.05,0.05\n",
  );
  return box;
}

export const channel = (
  id: string,
  name: string,
  extra: Partial<FakeChannel> = {},
): FakeChannel => ({
  id,
  guildId: GUILD.id,
  name,
  category: "Text",
  count: 3,
  ...extra,
});
