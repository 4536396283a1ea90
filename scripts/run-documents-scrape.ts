#!/usr/bin/env -S deno run --no-prompt -A
// run-documents-scrape: the end-to-end scrape of the configured archive tree, logged and summarised.
import { parseArgv } from "../lib/cli/parse_args.ts";
import {
  UNATTENDED_ARGS,
  UNATTENDED_USAGE,
  unattendedOptions,
} from "../lib/ops/unattended_args.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { documentsMode, runDocumentsScrape } from "../lib/ops/documents_scrape.ts";
import { resolveSettings } from "../lib/config/resolve_settings.ts";
import { resolve } from "node:path";

export const USAGE =
  `Usage: run-documents-scrape [--dry-run | --salvage-only | --salvage-before-scrape] [--target NAME]...
                            [--channel ID]... [--guild ID]... [--config PATH] [--log-file PATH]
                            [--summary-file PATH] [--quiet] [--strict] [--wait SECONDS]
                            [--conflict-exit-code N] [--metrics-file PATH]

Takes the archive-root lock (held until the end), verifies the archive folders, prints the run plan,
checks free disk space, then (optionally) salvages partial exports and runs the host runner's
preflight and incremental scrape under that lock.
  --dry-run                 verify archives and print the plan; nothing else
  --salvage-only            only merge stale partial exports into their archives (no Discord access)
  --salvage-before-scrape   salvage first, then scrape
  --config PATH             config (default DCE_CONFIG_FILE, DCE_PRIMARY_CONFIG, <repo>/config/scrape-targets.json);
                            the same file is handed to the host runner unchanged
  --log-file PATH           append all output to PATH (live runs default to
                            DCE_LOG_DIR or <repo>/logs, documents-scrape-<UTC stamp>.log)
  --summary-file PATH       JSON run summary (live runs; default <log without .log>.summary.json,
                            or DCE_RUN_SUMMARY_FILE); replaced only once this run's exists
  --strict                  any skipped channel makes the run partial (exit 3)
${UNATTENDED_USAGE}
  --metrics-file PATH       write the run's outcome as a node_exporter textfile (replaced
                            atomically; docs/unattended.md#metrics-file)

At its end a run (not a dry run) appends one line to {archive_root}/.dce-history.jsonl and, when it
failed, was partial or interrupted, runs the failure hook (unattended.failure_hook in the config,
or DCE_FAILURE_HOOK) with the digest on stdin; a hook or metrics problem is a WARN line and never
changes the exit code.
Env: DCE_LOG_DIR, DCE_MIN_FREE_MB (disk gate), DCE_SKIP_SCRAPE_LOCK=1 (no lock), DCE_EXPORTER,
DCE_RETRY_DELAYS (seconds between tries of a channel after a transient failure; default 30,120),
DCE_FAILURE_HOOK, DCE_HOOK_TIMEOUT_SECONDS (docs/config.md).
Exit: 0 ok; 3 partial (some channels not exported, the others scraped); 1 failure (archives,
disk, lock held, config, a failed step); N with --conflict-exit-code when busy; 2 usage error;
130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP.`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgv({
    args: argv,
    options: {
      "dry-run": { type: "boolean" },
      "salvage-only": { type: "boolean" },
      "salvage-before-scrape": { type: "boolean" },
      target: { type: "string", multiple: true },
      channel: { type: "string", multiple: true },
      guild: { type: "string", multiple: true },
      config: { type: "string" },
      "log-file": { type: "string" },
      "summary-file": { type: "string" },
      strict: { type: "boolean" },
      "metrics-file": { type: "string" },
      ...UNATTENDED_ARGS,
    },
  });
  const mode = documentsMode({
    dryRun: values["dry-run"],
    salvageOnly: values["salvage-only"],
    salvageBefore: values["salvage-before-scrape"],
  });
  const env = Deno.env.toObject();
  const root = repoRoot();
  const abs = (p: string | undefined) => (p === undefined ? undefined : resolve(p));
  return await runDocumentsScrape({
    mode,
    targets: values.target ?? [],
    channels: values.channel ?? [],
    guilds: values.guild ?? [],
    configPath: resolveSettings({ config: values.config, env: env, repoRoot: root }).configPath,
    logFile: abs(values["log-file"]),
    summaryFile: abs(values["summary-file"]),
    strict: values.strict ?? false,
    metricsFile: abs(values["metrics-file"]),
    ...unattendedOptions(values, argv),
    env,
    repoRoot: root,
  });
}

if (import.meta.main) await runMain({ name: "run-documents-scrape", usage: USAGE, main });
