// Stale-temp salvage for one channel (docs/archive.md#salvage-of-stale-temps with the docs/bash-suite.md#h15-destructive-discards, docs/bash-suite.md#h16-activity-by-mtime, docs/bash-suite.md#h17-non-atomic-salvage fixes): partial exports left in
// `<output_dir>/.dce-temp/export.<channel>.*/export.json` are repaired and merged into the archive.
// Nothing that may hold messages the archive lacks is ever deleted: a temp that cannot be repaired,
// names another channel or cannot be merged is MOVED to `.dce-temp/quarantine/` with a reason file.
import { basename, join } from "node:path";
import { ioStep, isDiskFull, operatorIoError } from "../fs/io_error.ts";
import {
  describeEntry,
  lstatOrNull,
  NotFollowedError,
  openNoFollow,
  refuseLinkedFolder,
  writeNewFile,
} from "../fs/no_follow.ts";
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

/** Sets the mtime through a no-follow handle (Deno.utime would follow a link swapped in). */
async function keepAge(path: string, mtime: Date): Promise<void> {
  try {
    using file = await openNoFollow(path, { read: true });
    await file.utime(mtime, mtime);
  } catch { /* best effort: a young-looking temp is only skipped once more */ }
}

/**
 * Creates `<outputDir>/.dce-temp` when missing and proves it is a folder, not a link: a container
 * writes there, and every temp, quarantine and reason file lives below it.
 */
export async function ensureTempRoot(outputDir: string): Promise<string> {
  const tempRoot = join(outputDir, ".dce-temp");
  await ioStep("create the temp folder", tempRoot, async () => {
    await refuseLinkedFolder(tempRoot);
    await Deno.mkdir(tempRoot, { recursive: true });
    await refuseLinkedFolder(tempRoot);
  });
  return tempRoot;
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
  // A "temp" that is a link or a file is moved as it is (rename never follows), without a reason file.
  const isFolder = (await lstatOrNull(dir))?.isDirectory ?? false;
  const reasonFile = join(dir, "reason.txt");
  const stamp = now.toISOString().replace(/\.\d+Z$/, "Z");
  if (isFolder) {
    try {
      // Whatever the container left at reason.txt (a link to a victim file) is unlinked, not followed.
      await Deno.remove(reasonFile).catch((err) => {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      });
      await writeNewFile(
        reasonFile,
        new TextEncoder().encode(`${stamp} ${why.replace(/\s+/g, " ")}\n`),
      );
    } catch (err) {
      throw operatorIoError(err, "write the quarantine reason", reasonFile);
    }
  }
  return await ioStep("move a stale temp into the quarantine folder", bin, async () => {
    await Deno.mkdir(bin, { recursive: true });
    await refuseLinkedFolder(bin);
    let target = join(bin, basename(dir));
    if (await lstatOrNull(target)) target = `${target}.${randomSuffix()}`;
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
  /** Temps holding a link or a special file where a folder or export.json should be: never followed. */
  const refused: { dir: string; why: string }[] = [];
  try {
    await refuseLinkedFolder(tempRoot);
    for await (const entry of Deno.readDir(tempRoot)) {
      if (!entry.name.startsWith(prefix)) continue;
      const dir = join(tempRoot, entry.name);
      if (!entry.isDirectory) {
        refused.push({
          dir,
          why: `the temp folder is ${entry.isSymlink ? "a symlink" : "not a folder"}`,
        });
        continue;
      }
      const file = await lstatOrNull(join(dir, "export.json"));
      if (file && !file.isFile) {
        refused.push({ dir, why: `export.json is ${describeEntry(file)}` });
        continue;
      }
      // Activity: the export's mtime, or the folder's while DCE has not created the file yet.
      const when = file ?? (await lstatOrNull(dir));
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
  for (const { dir, why } of refused) {
    await quarantine(dir, `${why}; not followed`, "  Stale temp refused, quarantined");
  }
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
        await keepAge(exportPath, mtime);
      }
      // Also refuses complete JSON without DCE's channel/guild header (it could never be merged).
      if (repaired.status !== "unrepairable") header = await readExportHeader(exportPath);
    } catch (err) {
      // A link swapped in after the listing (NotFollowedError) is refused like any unusable temp.
      if (!(err instanceof ArchiveError || err instanceof NotFollowedError)) throw err;
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
