#!/usr/bin/env -S deno run --no-prompt -A
// merge-export: merge one incremental DCE export into a channel archive by message id (atomic, fail-closed).
import { UsageError } from "../lib/cli/errors.ts";
import { parseArgv } from "../lib/cli/parse_args.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { mergeExportIntoArchive, type MergeResult } from "../lib/archive/merge_export.ts";

export const USAGE = `Usage: merge-export ARCHIVE EXPORT [--dry-run]

Merges the DCE JSON export EXPORT into ARCHIVE: union by message id (the export's copy wins),
ordered by numeric id, written to a hidden temp beside ARCHIVE and renamed over it. ARCHIVE is
created when missing. Nothing is written when EXPORT has no messages.
  --dry-run   print the outcome, write nothing
Exit: 0 done, 1 refused (bad/truncated/foreign input, disk full; ARCHIVE unchanged), 2 usage.`;

/** The §9 outcome line. */
export function outcomeLine(path: string, r: MergeResult): string {
  switch (r.action) {
    case "CREATED":
      return `  CREATED ${path} (+${r.after} messages, new archive)`;
    case "UNCHANGED":
      return `  UNCHANGED ${path} (${r.after} messages, no new export data)`;
    case "MERGED":
      return `  MERGED ${path} (+${r.delta} messages, ${r.before} → ${r.after}, fetched ${r.fetched})`;
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgv({
    args: argv,
    allowPositionals: true,
    options: { "dry-run": { type: "boolean" } },
  });
  const [archivePath, exportPath, ...extra] = positionals;
  if (!archivePath || !exportPath || extra.length > 0) {
    throw new UsageError("merge-export needs exactly ARCHIVE and EXPORT (see --help).");
  }
  const result = await mergeExportIntoArchive({
    archivePath,
    exportPath,
    dryRun: values["dry-run"] ?? false,
    tmpDir: Deno.env.get("TMPDIR") || "/tmp",
    warn: (line) => console.error(line),
  });
  console.log(
    outcomeLine(archivePath, result) + (values["dry-run"] ? " (dry run: nothing written)" : ""),
  );
  return 0;
}

if (import.meta.main) await runMain({ name: "merge-export", usage: USAGE, main });
