#!/usr/bin/env -S deno run --no-prompt -A
// salvage-truncated-export: repair one cut-off DCE JSON archive in place, keeping a backup.
import { UsageError, UserError } from "../lib/cli/errors.ts";
import { parseArgv } from "../lib/cli/parse_args.ts";
import { withArchiveLock } from "../lib/lock/archive_writer_lock.ts";
import { WRITER_OPTIONS, writerLockOptions } from "../lib/lock/writer_lock_options.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { ArchiveError } from "../lib/archive/archive_error.ts";
import { countMessages } from "../lib/archive/export_queries.ts";
import { repairTruncatedExport } from "../lib/archive/repair_truncated_export.ts";
import { settleInterruptedAppend } from "../lib/archive/archive_journal.ts";
import { restoreOriginal } from "../lib/archive/restore_original.ts";
import { utcFileStamp } from "../lib/cli/utc_stamp.ts";

export const USAGE =
  `Usage: salvage-truncated-export PATH [--dry-run] [--wait SECONDS] [--conflict-exit-code N] [--config PATH]

Repairs a DCE JSON export that was cut off mid-write: keeps every complete message, drops the
partial one, closes the document and sets messageCount. The original is kept as
PATH.bak.<UTC stamp> and the repaired file replaces PATH atomically. Holds the archive-root lock
while it writes (found as merge-export finds it).
  --dry-run                print what would be done, change nothing (takes no lock)
  --wait SECONDS           keep trying a busy lock this long (default 0: fail at once)
  --conflict-exit-code N   exit status when the lock stays busy (default 1)
  --config PATH            config whose archive_root may hold the lock
Exit: 0 repaired or already valid, 1 not found / no safe boundary / failed check / lock busy,
2 usage or lock-path error.`;

export async function main(argv: string[], now = new Date()): Promise<number> {
  const { values, positionals: paths } = parseArgv({
    args: argv,
    allowPositionals: true,
    options: WRITER_OPTIONS,
  });
  if (paths.length !== 1) {
    throw new UsageError("salvage-truncated-export needs exactly one PATH (see --help).");
  }
  const path = paths[0]!;
  if (values["dry-run"]) return await salvage(path, now, true);
  return await withArchiveLock(
    writerLockOptions({
      archivePath: path,
      config: values.config,
      wait: values.wait,
      conflictExitCode: values["conflict-exit-code"],
      tool: "salvage-truncated-export",
      cmd: ["salvage-truncated-export", ...argv],
      env: Deno.env,
    }),
    () => salvage(path, now, false),
  );
}

async function salvage(path: string, now: Date, dryRun: boolean): Promise<number> {
  const backupPath = `${path}.bak.${utcFileStamp(now)}`;
  // An archive cut off by an interrupted append is restored from its journal, not repaired.
  await settleInterruptedAppend(path, dryRun, (line) => console.error(line));
  const r = await repairTruncatedExport(path, dryRun ? { dryRun } : { backupPath });
  if (r.status === "already-valid") {
    console.log(`Already valid JSON: ${path}`);
    return 0;
  }
  if (r.status === "unrepairable") {
    throw new UserError(`could not find a safe message boundary to truncate (${r.reason})`);
  }
  if (dryRun) {
    console.log(`Would salvage ${path} (${r.oldBytes} -> ${r.newBytes} bytes)`);
    return 0;
  }
  console.log(`Backup: ${backupPath}`);
  console.log(`Salvaged: ${path} (${r.oldBytes} -> ${r.newBytes} bytes)`);
  // Prove the result with a full streaming read, as the bash tool did with a parser.
  let count: number;
  try {
    count = await countMessages(path);
  } catch (err) {
    if (!(err instanceof ArchiveError)) throw err;
    // Damage before the cut (not a truncation): put the original back; the backup stays.
    try {
      await restoreOriginal(path, backupPath);
    } catch (restoreErr) {
      if (!(restoreErr instanceof ArchiveError)) throw restoreErr;
      throw new UserError(
        `Salvage did not produce valid JSON (${err.message}), and the original was not put back: ${restoreErr.message}`,
      );
    }
    throw new UserError(
      `Salvage did not produce valid JSON (${err.message}); the original was restored (backup: ${backupPath}).`,
    );
  }
  console.log(`Valid JSON with ${count} messages.`);
  return 0;
}

if (import.meta.main) await runMain({ name: "salvage-truncated-export", usage: USAGE, main });
