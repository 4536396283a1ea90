#!/usr/bin/env -S deno run --no-prompt -A
// salvage-truncated-export: repair one cut-off DCE JSON archive in place, keeping a backup.
import { join } from "node:path";
import { UnknownOptionError, UsageError, UserError } from "../lib/cli/errors.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { ArchiveError } from "../lib/archive/archive_error.ts";
import { countMessages } from "../lib/archive/export_queries.ts";
import { repairTruncatedExport } from "../lib/archive/repair_truncated_export.ts";
import { randomSuffix } from "../lib/archive/atomic_replace.ts";
import { utcFileStamp } from "../lib/cli/utc_stamp.ts";

export const USAGE = `Usage: salvage-truncated-export PATH [--dry-run] [--help|-h]

Repairs a DCE JSON export that was cut off mid-write: keeps every complete message, drops the
partial one, closes the document and sets messageCount. The original is kept as
PATH.bak.<UTC stamp> and the repaired file replaces PATH atomically.
  --dry-run   print what would be done, change nothing
Exit: 0 repaired or already valid, 1 not found / no safe boundary / failed check, 2 usage.`;

export async function main(argv: string[], now = new Date()): Promise<number> {
  let dryRun = false;
  const paths: string[] = [];
  for (const arg of argv) {
    if (arg === "--dry-run") dryRun = true;
    else if (arg.startsWith("-") && arg !== "-") throw new UnknownOptionError(arg, ["--dry-run"]);
    else paths.push(arg);
  }
  if (paths.length !== 1) {
    throw new UsageError("salvage-truncated-export needs exactly one PATH (see --help).");
  }
  const path = paths[0]!;
  const backupPath = `${path}.bak.${utcFileStamp(now)}`;
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
    const restore = join(path, "..", `.restore.${randomSuffix()}`);
    await Deno.link(backupPath, restore).catch(() => Deno.copyFile(backupPath, restore));
    await Deno.rename(restore, path);
    throw new UserError(
      `Salvage did not produce valid JSON (${err.message}); the original was restored (backup: ${backupPath}).`,
    );
  }
  console.log(`Valid JSON with ${count} messages.`);
  return 0;
}

if (import.meta.main) await runMain({ name: "salvage-truncated-export", usage: USAGE, main });
