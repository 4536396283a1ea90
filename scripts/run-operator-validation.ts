#!/usr/bin/env -S deno run --no-prompt -A
// run-operator-validation: a timestamped validation run (readiness, lock gate, documents scrape, JSON audit).
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
import { runOperatorValidation, syncGuiUnsupported } from "../lib/ops/operator_validation.ts";

export const USAGE =
  `Usage: run-operator-validation [--dry-run | --skip-scrape | --salvage-only | --salvage-before-scrape]
                               [--target NAME] [--channel ID]... [--per-target] [--continue-on-error]
                               [--config PATH] [--log-file PATH] [--quiet] [--wait SECONDS]
                               [--conflict-exit-code N]

Takes the archive-root lock (not with --skip-scrape; held until the end), then runs
verify-operator-ready, run-documents-scrape (once, or once per enabled target with --per-target) and
audit-archive-json under it, as BEGIN:/END: steps appended with UTC timestamps to the log.
  --dry-run                 documents step as --dry-run, no audit
  --skip-scrape             readiness only (no lock)
  --salvage-only            documents step as --salvage-only, then audit
  --salvage-before-scrape   salvage, then scrape, then audit
  --per-target              one documents run (and per-target JSON summary) per enabled target
  --continue-on-error       keep going after a failed target or audit
  --config PATH             config (default DCE_CONFIG_FILE, DCE_PRIMARY_CONFIG, <repo>/config/scrape-targets.json)
  --log-file PATH           log (default DCE_LOG_DIR or <repo>/logs, operator-validation-<UTC stamp>.log)
${UNATTENDED_USAGE}
Env: DCE_LOG_DIR, DCE_SKIP_SCRAPE_LOCK=1 (no lock), DCE_MIN_FREE_MB, DCE_EXPORTER.
Exit: 0 finished successfully; 3 partial (a scrape left some channels out, the rest passed); 1 a step
failed or the lock is held/unreadable; N with --conflict-exit-code when busy; 2 usage error;
130/143/129 interrupted.`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgv({
    args: argv,
    options: {
      "dry-run": { type: "boolean" },
      "skip-scrape": { type: "boolean" },
      "salvage-only": { type: "boolean" },
      "salvage-before-scrape": { type: "boolean" },
      "sync-gui": { type: "boolean" },
      target: { type: "string" },
      channel: { type: "string", multiple: true },
      "per-target": { type: "boolean" },
      "continue-on-error": { type: "boolean" },
      config: { type: "string" },
      "log-file": { type: "string" },
      ...UNATTENDED_ARGS,
    },
  });
  if (values["sync-gui"]) syncGuiUnsupported();
  const env = Deno.env.toObject();
  const root = repoRoot();
  return await runOperatorValidation({
    dryRun: values["dry-run"] ?? false,
    skipScrape: values["skip-scrape"] ?? false,
    salvageOnly: values["salvage-only"] ?? false,
    salvageBefore: values["salvage-before-scrape"] ?? false,
    target: values.target,
    channels: values.channel ?? [],
    perTarget: values["per-target"] ?? false,
    continueOnError: values["continue-on-error"] ?? false,
    configPath: resolveSettings({ config: values.config, env: env, repoRoot: root }).configPath,
    logFile: values["log-file"] === undefined ? undefined : resolve(values["log-file"]),
    ...unattendedOptions(values, argv),
    env,
    repoRoot: root,
  });
}

if (import.meta.main) await runMain({ name: "run-operator-validation", usage: USAGE, main });
