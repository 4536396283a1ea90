#!/usr/bin/env -S deno run --no-prompt -A
// verify-operator-ready: host prerequisites before a scrape (full), or only the disk gate (--disk-only).
import { parseArgv } from "../lib/cli/parse_args.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { OpsLog } from "../lib/ops/ops_log.ts";
import { resolveSettings } from "../lib/config/resolve_settings.ts";
import { verifyOperatorReady } from "../lib/ops/operator_ready.ts";

export const USAGE =
  `Usage: verify-operator-ready [--config PATH] [--disk-only] [--preflight TARGET]

Checks that this host can run a scrape: free disk space under archive_root (DCE_MIN_FREE_MB, default
1024; 0 skips), an exporter (DCE CLI with DCE_EXPORTER=cli, else compose), a Discord token, memory
settings, and the archive folders of every enabled target.
  --config PATH       config (default DCE_CONFIG_FILE, DCE_PRIMARY_CONFIG, <repo>/config/scrape-targets.json)
  --disk-only         only the disk gate; prints "disk-only: ok"
  --preflight TARGET  after the checks, run the host runner's authenticated preflight for TARGET
Exit: 0 ready, 1 not ready (one ERROR line per problem), 2 usage error.`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgv({
    args: argv,
    options: {
      config: { type: "string" },
      "disk-only": { type: "boolean" },
      preflight: { type: "string" },
    },
  });
  const env = Deno.env.toObject();
  const root = repoRoot();
  using log = await OpsLog.open(undefined);
  await verifyOperatorReady({
    configPath: resolveSettings({ config: values.config, env: env, repoRoot: root }).configPath,
    diskOnly: values["disk-only"] ?? false,
    preflightTarget: values.preflight,
    env,
    repoRoot: root,
    out: log,
  });
  return 0;
}

if (import.meta.main) await runMain({ name: "verify-operator-ready", usage: USAGE, main });
