// Stale-temp salvage for one channel (docs/archive.md#salvage-of-stale-temps with the docs/bash-suite.md#h15-destructive-discards, docs/bash-suite.md#h16-activity-by-mtime, docs/bash-suite.md#h17-non-atomic-salvage fixes): partial exports left in
// `<output_dir>/.dce-temp/export.<channel>.*/export.json` are repaired and merged into the archive.
// Nothing that may hold messages the archive lacks is ever deleted: a temp that cannot be repaired,
// names another channel or cannot be merged is MOVED to `.dce-temp/quarantine/` with a reason file.
import { basename, join } from "node:path";
import { ioStep, isDiskFull, operatorIoError } from "../fs/io_error.ts";
import { ArchiveError } from "./archive_error.ts";
import { randomSuffix } from "./atomic_replace.ts";
import { readExportHeader } from "./export_header.ts";
import { reason } from "./export_reader.ts";
import { mergeExportIntoArchive } from "./merge_export.ts";
import { repairTruncatedExport } from "./repair_truncated_export.ts";

export interface SalvageStaleTempsOptions {
  outputDir: string;
  channelId: string;
  /** The channel's archive path when known (it may not exist yet), else null. */
  destination: string | null;
  /** DCE_STALE_TEMP_MIN_AGE_SECONDS (default 120): younger temps are live exports, left alone. */
  minAgeSeconds: number;
  /** DCE_SALVAGE_ACTIVE_TEMPS=1: salvage regardless of age. */
  includeActive: boolean;
  now: Date;
  log: (line: string) => void;
}

export interface SalvageStaleTempsResult {
  /** Messages added to the archive (new archive: all of its messages). */
  appended: number;
  /** Archive messages before the first merge, and after the last (0/0 when nothing merged). */
  before: number;
  after: number;
  /** Whether any temp was merged or became a new archive. */
  merged: boolean;
  /** Temp folders this run used up and removed. */
  consumed: string[];
  /** Temp folders moved to `.dce-temp/quarantine/` (their new paths). */
  quarantined: string[];
  /** Temp folders left in place (active, destination unknown, or a transient failure). */
  kept: string[];
  /** Of `kept`: temps whose merge failed on a full disk (or quota); the caller decides whether to stop. */
  diskFull: string[];
}

export interface SalvageDeps {
  /** Names an archive from a temp's header when the destination is unknown (docs/archive.md#file-names); null to keep it. */
  deriveDestination?(outputDir: string, channelId: string, exportPath: string): Promise<string>;
}

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/** Moves a temp folder under `.dce-temp/quarantine/` and writes a one-line reason beside its data. */
export async function quarantineTemp(
  outputDir: string,
  dir: string,
  why: string,
  now: Date,
): Promise<string> {
  const bin = join(outputDir, ".dce-temp", "quarantine");
  // The reason first, inside the temp: on a full or read-only disk the temp stays where it was.
  const reasonFile = join(dir, "reason.txt");
  const stamp = now.toISOString().replace(/\.\d+Z$/, "Z");
  try {
    await Deno.writeTextFile(reasonFile, `${stamp} ${why.replace(/\s+/g, " ")}\n`);
  } catch (err) {
    await Deno.remove(reasonFile).catch(() => {});
    throw operatorIoError(err, "write the quarantine reason", reasonFile);
  }
  return await ioStep("move a stale temp into the quarantine folder", bin, async () => {
    await Deno.mkdir(bin, { recursive: true });
    let target = join(bin, basename(dir));
    if (await statOrNull(target)) target = `${target}.${randomSuffix()}`;
    await Deno.rename(dir, target);
    return target;
  });
}

/**
 * Salvages the stale temps of one channel. The set of temps is fixed when the call starts:
 * temps that appear meanwhile (a new export) are not touched. Older temps go first, so the
 * newest copy of a message wins.
 */
export async function salvageStaleTemps(
  opts: SalvageStaleTempsOptions,
  deps: SalvageDeps = {},
): Promise<SalvageStaleTempsResult> {
  const result: SalvageStaleTempsResult = {
    appended: 0,
    before: 0,
    after: 0,
    merged: false,
    consumed: [],
    quarantined: [],
    kept: [],
    diskFull: [],
  };
  const tempRoot = join(opts.outputDir, ".dce-temp");
  const prefix = `export.${opts.channelId}.`;
  const snapshot: { dir: string; mtime: number; size: number | null }[] = [];
  try {
    for await (const entry of Deno.readDir(tempRoot)) {
      if (!entry.isDirectory || !entry.name.startsWith(prefix)) continue;
      const dir = join(tempRoot, entry.name);
      const file = await statOrNull(join(dir, "export.json"));
      // Activity: the export's mtime, or the folder's while DCE has not created the file yet.
      const when = file ?? (await statOrNull(dir));
      if (!when) continue;
      snapshot.push({ dir, mtime: when.mtime?.getTime() ?? 0, size: file ? file.size : null });
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return result;
    throw operatorIoError(err, "list the stale temps in", tempRoot);
  }
  snapshot.sort((a, b) => a.mtime - b.mtime || (a.dir < b.dir ? -1 : 1));

  let destination = opts.destination;
  let firstBefore: number | null = null;
  const discard = (dir: string) =>
    ioStep("remove the used-up stale temp", dir, () => Deno.remove(dir, { recursive: true }));
  const quarantine = async (dir: string, why: string, line: string) => {
    const to = await quarantineTemp(opts.outputDir, dir, why, opts.now);
    opts.log(`${line}: ${dir} → ${to} (${why})`);
    result.quarantined.push(to);
  };
  for (const temp of snapshot) {
    const { dir } = temp;
    const exportPath = join(dir, "export.json");
    const ageSeconds = (opts.now.getTime() - temp.mtime) / 1000;
    if (!opts.includeActive && ageSeconds < opts.minAgeSeconds) {
      opts.log(`  Stale temp still active (recently modified), skipping salvage: ${dir}`);
      result.kept.push(dir);
      continue;
    }
    if (temp.size === null || temp.size === 0) {
      // Stale and empty: DCE died before writing a byte; nothing to lose.
      await discard(dir);
      result.consumed.push(dir);
      continue;
    }
    let repaired;
    let header;
    try {
      repaired = await repairTruncatedExport(exportPath, { verify: true });
      if (repaired.status === "repaired") {
        // Keep the temp's age: a repaired but unmerged temp must not look like a live export next run.
        const mtime = new Date(temp.mtime);
        await Deno.utime(exportPath, mtime, mtime).catch(() => {});
      }
      // Also refuses complete JSON without DCE's channel/guild header (it could never be merged).
      if (repaired.status !== "unrepairable") header = await readExportHeader(exportPath);
    } catch (err) {
      if (!(err instanceof ArchiveError)) throw err;
      repaired = { status: "unrepairable" as const, reason: err.message };
    }
    if (repaired.status === "unrepairable" || header === undefined) {
      await quarantine(
        dir,
        `unrepairable: ${repaired.reason ?? "unknown"}`,
        "  Stale temp export unsalvageable, quarantined",
      );
      continue;
    }
    if (header.channel.id !== opts.channelId) {
      await quarantine(
        dir,
        `wrong channel: ${header.channel.id} != ${opts.channelId}`,
        `  Stale temp export wrong channel (${header.channel.id} != ${opts.channelId}), quarantined`,
      );
      continue;
    }
    if (repaired.kept === 0) {
      await discard(dir); // a header and no messages
      result.consumed.push(dir);
      continue;
    }
    if (destination === null && deps.deriveDestination) {
      destination = await deps.deriveDestination(opts.outputDir, opts.channelId, exportPath);
    }
    if (destination === null) {
      opts.log(`  Stale temp kept: no archive path known for channel ${opts.channelId}: ${dir}`);
      result.kept.push(dir);
      continue;
    }
    try {
      const merged = await mergeExportIntoArchive({
        archivePath: destination,
        exportPath,
        expectedChannelId: opts.channelId,
        warn: (line) => opts.log(`  ${line}`),
      });
      firstBefore ??= merged.before;
      result.before = firstBefore;
      result.after = merged.after;
      result.appended += merged.action === "CREATED" ? merged.after : merged.delta;
      if (merged.action === "CREATED") {
        opts.log(
          `  SALVAGED ${destination} (${merged.after} messages from stale temp, new archive)`,
        );
        result.merged = true;
      } else if (merged.delta > 0) {
        opts.log(
          `  SALVAGED ${destination} (+${merged.delta} messages from stale temp, ${merged.before} → ${merged.after})`,
        );
        result.merged = true;
      } else {
        opts.log(`  Stale temp merged with no new messages, discarding: ${dir}`);
      }
      await discard(dir);
      result.consumed.push(dir);
    } catch (err) {
      if (!(err instanceof ArchiveError)) throw err;
      if (err.kind === "write-failed") {
        // Disk full or similar: not the temp's fault; try again next run.
        opts.log(`  Stale temp merge failed, retaining for retry: ${dir} (${reason(err)})`);
        result.kept.push(dir);
        if (isDiskFull(err)) result.diskFull.push(dir);
      } else {
        await quarantine(
          dir,
          `merge refused: ${reason(err)}`,
          "  Stale temp merge refused, quarantined",
        );
      }
    }
  }
  return result;
}
