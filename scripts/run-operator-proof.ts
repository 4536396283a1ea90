#!/usr/bin/env -S deno run --no-prompt -A
// run-operator-proof: handoff, then per target an incremental scrape proven to only grow the archives.
import { resolve } from "node:path";
import { parseArgv } from "../lib/cli/parse_args.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { resolveSettings } from "../lib/config/resolve_settings.ts";
import {
  UNATTENDED_ARGS,
  UNATTENDED_USAGE,
  unattendedOptions,
} from "../lib/ops/unattended_args.ts";
import { runOperatorProof } from "../lib/ops/operator_proof.ts";
import { syncGuiUnsupported } from "../lib/ops/operator_validation.ts";

export const USAGE =
  `Usage: run-operator-proof [--target NAME] [--channel ID]... [--config PATH] [--log-file PATH]
                          [--dry-run | --salvage-only | --salvage-before-scrape]
                          [--quiet] [--wait SECONDS] [--conflict-exit-code N]

Takes the archive-root lock (not with --dry-run; held until the end), runs operator-handoff, then for
each target (the one given, or every enabled one): optional salvage, a snapshot of its archives,
run-documents-scrape, a second snapshot, and the grow-only comparison of prove-incremental-append
(no archive may shrink or vanish, none may appear unannounced).
  --dry-run                 handoff only ("Dry run complete"; no lock)
  --salvage-only            handoff with --salvage-only ("Salvage-only proof complete")
  --salvage-before-scrape   salvage each target before its scrape
  --config PATH             config (default DCE_CONFIG_FILE, DCE_PRIMARY_CONFIG, <repo>/config/scrape-targets.json)
  --log-file PATH           appended log (default DCE_LOG_DIR or <repo>/logs, operator-proof-<UTC stamp>.log)
${UNATTENDED_USAGE}
JSON summary: one target → <log without .log>.summary.json; several → one per target next to the log.
Exit: 0 every target passed; 3 partial (a scrape left some channels out, every proof passed); 1 a
target failed, the handoff failed or bad config; N with --conflict-exit-code when busy; 2 usage
error; 130/143/129 interrupted.`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgv({
    args: argv,
    options: {
      target: { type: "string" },
      channel: { type: "string", multiple: true },
      config: { type: "string" },
      "sync-gui": { type: "boolean" },
      "dry-run": { type: "boolean" },
      "salvage-only": { type: "boolean" },
      "salvage-before-scrape": { type: "boolean" },
      "log-file": { type: "string" },
      ...UNATTENDED_ARGS,
    },
  });
  if (values["sync-gui"]) syncGuiUnsupported();
  const env = Deno.env.toObject();
  const root = repoRoot();
  return await runOperatorProof({
    target: values.target,
    channels: values.channel ?? [],
    configPath: resolveSettings({ config: values.config, env: env, repoRoot: root }).configPath,
    dryRun: values["dry-run"] ?? false,
    salvageOnly: values["salvage-only"] ?? false,
    salvageBefore: values["salvage-before-scrape"] ?? false,
    logFile: values["log-file"] === undefined ? undefined : resolve(values["log-file"]),
    ...unattendedOptions(values, argv),
    env,
    repoRoot: root,
  });
}

if (import.meta.main) await runMain({ name: "run-operator-proof", usage: USAGE, main });
