#!/usr/bin/env -S deno run --no-prompt -A
// setup-scrape-auth: create scrape.env (mode 600) from DISCORD_TOKEN or DISCORD_TOKEN_FILE in the environment.
import { parseArgv } from "../lib/cli/parse_args.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { resolveSettings } from "../lib/config/resolve_settings.ts";
import { setupScrapeAuth } from "../lib/ops/setup_scrape_auth.ts";

export const USAGE = `Usage: setup-scrape-auth [--env-file PATH] [--force]

Writes the env file from scrape.env.example with DISCORD_TOKEN and/or DISCORD_TOKEN_FILE taken from
the environment, mode 600 from the first byte. The token is never printed.
  --env-file PATH   the file to write (default DCE_ENV_FILE, else <repo>/scrape.env)
  --force           replace an existing file (otherwise it is left alone and this exits 0)
Example: DISCORD_TOKEN_FILE=~/.config/discord-token ./dce setup-scrape-auth
Exit: 0 written or already there; 1 no token in the environment or the file cannot be written;
2 usage error.`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgv({
    args: argv,
    options: { "env-file": { type: "string" }, force: { type: "boolean" } },
  });
  const env = Deno.env.toObject();
  const root = repoRoot();
  const settings = resolveSettings({ envFile: values["env-file"], env, repoRoot: root });
  await setupScrapeAuth({
    envFilePath: settings.envFilePath,
    force: values.force ?? false,
    env,
    repoRoot: root,
    cwd: Deno.cwd(),
    out: { out: (line) => console.log(line), err: (line) => console.error(line) },
  });
  return 0;
}

if (import.meta.main) await runMain({ name: "setup-scrape-auth", usage: USAGE, main });
