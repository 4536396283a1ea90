#!/usr/bin/env -S deno run --no-prompt -A
// audit-archive-json: stream-check every archive JSON of the configured targets (validity, id order, repeats).
import { parseArgv } from "../lib/cli/parse_args.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { loadConfig } from "../lib/config/load_config.ts";
import { findTarget } from "../lib/config/select_targets.ts";
import { resolveSettings } from "../lib/config/resolve_settings.ts";
import { auditArchive } from "../lib/archive/audit_archive.ts";
import { findArchiveFiles } from "../lib/archive/find_archive_files.ts";
import { escapeField } from "../lib/archive/tsv_field.ts";

export const USAGE = `Usage: audit-archive-json [--config PATH] [--target NAME] [--help]

Reads every *.json under the target's output_dir (or every enabled target's), excluding .dce-meta/
and .dce-temp/, as a stream. Paths are printed with \\, tab, line breaks and other control
characters escaped (\\\\, \\t, \\n, \\r, \\xHH). Prints to stdout:
  INVALID<TAB><path>                 not strict JSON or cut off (reason and byte offset on stderr)
  NOT_DCE<TAB><path>                 valid JSON but not a DCE export (not counted as invalid)
  UNORDERED<TAB><path><TAB><n>       n messages out of ascending id order (merge-export sorts them)
  DUPLICATES<TAB><path><TAB><n>      n repeated ids next to each other (merge-export folds them)
  COUNT_MISMATCH<TAB><path><TAB><declared><TAB><actual>
  --config PATH   config (default DCE_CONFIG_FILE, DCE_PRIMARY_CONFIG, <repo>/config/scrape-targets.json)
  --target NAME   only this target (disabled targets are audited when named)
Exit: 0 all files valid, 1 an invalid file or a config problem, 2 usage or missing config.`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgv({
    args: argv,
    options: {
      config: { type: "string" },
      target: { type: "string" },
    },
  });
  const configPath =
    resolveSettings({ config: values.config, env: Deno.env.toObject(), repoRoot: repoRoot() })
      .configPath;
  const config = await loadConfig(configPath);
  const targets = values.target
    ? [findTarget(config, values.target)]
    : config.targets.filter((t) => t.enabled);
  let invalid = 0;
  let checked = 0;
  for (const target of targets) {
    for (const file of await findArchiveFiles(target.outputDir)) {
      checked++;
      const path = escapeField(file); // a name with a line break must not forge an output line
      const f = await auditArchive(file);
      if (f.status === "invalid") {
        invalid++;
        console.log(`INVALID\t${path}`);
        console.error(`  ${escapeField(f.reason ?? "")}`);
        continue;
      }
      if (f.status === "not-dce") {
        console.log(`NOT_DCE\t${path}`);
        continue;
      }
      if (f.outOfOrder > 0) console.log(`UNORDERED\t${path}\t${f.outOfOrder}`);
      if (f.duplicates > 0) console.log(`DUPLICATES\t${path}\t${f.duplicates}`);
      if (f.declaredCount !== undefined && f.declaredCount !== f.messages) {
        console.log(`COUNT_MISMATCH\t${path}\t${f.declaredCount}\t${f.messages}`);
      }
    }
  }
  if (invalid > 0) {
    console.error("");
    console.error(
      `${invalid} invalid JSON archive file(s). Run salvage-truncated-export on each one that is truncated; any other needs its original back (from a backup).`,
    );
    return 1;
  }
  console.error(`Checked ${checked} archive JSON file(s).`);
  console.log("All checked archive JSON files are valid.");
  return 0;
}

if (import.meta.main) await runMain({ name: "audit-archive-json", usage: USAGE, main });
