#!/usr/bin/env -S deno run --no-prompt -A
// verify-documents-archives: a table of every target's archive folder; fails when an enabled target has
// nothing to scrape into.
import { parseArgv } from "../lib/cli/parse_args.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { loadConfig } from "../lib/config/load_config.ts";
import { OpsLog } from "../lib/ops/ops_log.ts";
import { resolveSettings } from "../lib/config/resolve_settings.ts";
import { verifyArchives } from "../lib/ops/verify_archives.ts";

export const USAGE = `Usage: verify-documents-archives [--config PATH]

Prints, per target: JSON archive files, seeded channel ids ([<id>].json names), channel-map entries,
container memory and a status. An enabled archive-seeded target (no channel_ids, guild_ids, patterns or
DM kind) needs its output_dir with seeded archives; a target with its own scope may start empty.
  --config PATH   config (default DCE_CONFIG_FILE, DCE_PRIMARY_CONFIG, <repo>/config/scrape-targets.json)
Exit: 0 all enabled targets ok, 1 a target failed or the config is unusable, 2 usage error.`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgv({
    args: argv,
    options: { config: { type: "string" } },
  });
  const path =
    resolveSettings({ config: values.config, env: Deno.env.toObject(), repoRoot: repoRoot() })
      .configPath;
  using log = await OpsLog.open(undefined);
  await verifyArchives(log, await loadConfig(path));
  return 0;
}

if (import.meta.main) await runMain({ name: "verify-documents-archives", usage: USAGE, main });
