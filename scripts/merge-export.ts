#!/usr/bin/env -S deno run --no-prompt -A
// merge-export: merge one incremental DCE export into a channel archive by message id (atomic, fail-closed).
import { UsageError } from "../lib/cli/errors.ts";
import { parseArgv } from "../lib/cli/parse_args.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { mergeExportIntoArchive, type MergeResult } from "../lib/archive/merge_export.ts";
import { withArchiveLock } from "../lib/lock/archive_writer_lock.ts";
import { WRITER_OPTIONS, writerLockOptions } from "../lib/lock/writer_lock_options.ts";

export const USAGE =
  `Usage: merge-export ARCHIVE EXPORT [--dry-run] [--wait SECONDS] [--conflict-exit-code N]

Merges the DCE JSON export EXPORT into ARCHIVE: union by message id (the export's copy wins),
ordered by numeric id, written to a hidden temp beside ARCHIVE and renamed over it. ARCHIVE is
created when missing. Nothing is written when EXPORT has no messages. Holds the archive-root lock
while it writes: DCE_SCRAPE_LOCK_FILE, else the nearest folder above ARCHIVE holding
.dce-scrape.lock, else the config's archive_root when ARCHIVE lies in it, else ARCHIVE's folder.
  --dry-run                print the outcome, write nothing (takes no lock)
  --wait SECONDS           keep trying a busy lock this long (default 0: fail at once)
  --conflict-exit-code N   exit status when the lock stays busy (default 1)
  --config PATH            config whose archive_root may hold the lock (default as with-scrape-lock)
Exit: 0 done, 1 refused (bad/truncated/foreign input, disk full, lock busy; ARCHIVE unchanged),
2 usage or lock-path error.`;

/** The outcome line of docs/scrape.md#output. */
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
    options: WRITER_OPTIONS,
  });
  const [archivePath, exportPath, ...extra] = positionals;
  if (!archivePath || !exportPath || extra.length > 0) {
    throw new UsageError("merge-export needs exactly ARCHIVE and EXPORT (see --help).");
  }
  const dryRun = values["dry-run"] ?? false;
  const merge = () =>
    mergeExportIntoArchive({
      archivePath,
      exportPath,
      dryRun,
      tmpDir: Deno.env.get("TMPDIR") || "/tmp",
      warn: (line) => console.error(line),
    });
  const result = dryRun ? await merge() : await withArchiveLock(
    writerLockOptions({
      archivePath,
      config: values.config,
      wait: values.wait,
      conflictExitCode: values["conflict-exit-code"],
      tool: "merge-export",
      cmd: ["merge-export", ...argv],
      env: Deno.env,
    }),
    merge,
  );
  console.log(outcomeLine(archivePath, result) + (dryRun ? " (dry run: nothing written)" : ""));
  return 0;
}

if (import.meta.main) await runMain({ name: "merge-export", usage: USAGE, main });
