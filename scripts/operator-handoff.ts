#!/usr/bin/env -S deno run --no-prompt -A
// operator-handoff: readiness, lock status and a documents dry run (or salvage-only) in one command.
import { parseArgv } from "../lib/cli/parse_args.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { runHandoff } from "../lib/ops/handoff.ts";
import { OpsLog } from "../lib/ops/ops_log.ts";
import { resolveSettings } from "../lib/config/resolve_settings.ts";

export const USAGE =
  `Usage: operator-handoff [--config PATH] [--skip-df] [--target NAME] [--channel ID]... [--salvage-only]

Prints the plan and a disk summary, runs verify-operator-ready (full), shows the scrape lock status,
then runs run-documents-scrape --dry-run (or --salvage-only), and says what to run next.
A held lock (or a lock that cannot be checked) stops a --salvage-only handoff; a dry run only warns.
  --config PATH    config (default DCE_CONFIG_FILE, DCE_PRIMARY_CONFIG, <repo>/config/scrape-targets.json)
  --skip-df        no disk summary
  --target NAME    hand one target over (passed to the documents step)
  --channel ID     limit the documents step to these channels (repeatable)
  --salvage-only   merge stale partial exports instead of the dry run (takes the lock)
Exit: 0 handoff complete; 1 a step failed or the lock is held (salvage-only); 2 usage error.`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgv({
    args: argv,
    options: {
      config: { type: "string" },
      "skip-df": { type: "boolean" },
      target: { type: "string" },
      channel: { type: "string", multiple: true },
      "salvage-only": { type: "boolean" },
    },
  });
  const env = Deno.env.toObject();
  const root = repoRoot();
  using log = await OpsLog.open(undefined);
  await runHandoff({
    configPath: resolveSettings({ config: values.config, env: env, repoRoot: root }).configPath,
    skipDf: values["skip-df"] ?? false,
    target: values.target,
    channels: values.channel ?? [],
    salvageOnly: values["salvage-only"] ?? false,
    env,
    repoRoot: root,
    out: log,
  });
  return 0;
}

if (import.meta.main) await runMain({ name: "operator-handoff", usage: USAGE, main });
