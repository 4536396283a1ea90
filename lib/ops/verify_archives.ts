// verify-documents-archives: a table of every target's archive folder (JSON files, seeded channel ids, map
// entries, memory) and a failure for each enabled target that has nothing to scrape into yet.
import { join } from "node:path";
import { findArchiveFiles, seededChannelId } from "../archive/find_archive_files.ts";
import { UserError } from "../cli/errors.ts";
import { MissingArchiveRootError } from "../host/disk_check.ts";
import type { ScrapeConfig, TargetConfig } from "../config/scrape_config.ts";
import type { OpsOutput } from "./ops_log.ts";
import { isDirectory } from "../fs/file_predicates.ts";
import { readSmallTextFile, SIZE_CAP } from "../fs/read_small_file.ts";

export interface ArchiveCounts {
  json: number;
  /** Distinct channel ids from `[<id>].json` file names. */
  seeded: number;
  /** Keys in .dce-meta/channel-map.json; null when the map is unreadable. */
  mapped: number | null;
}

export interface TargetArchiveRow {
  target: TargetConfig;
  counts: ArchiveCounts | null;
  status: string;
  ok: boolean;
  /** An enabled target with its own scope and no archives yet. */
  starting?: boolean;
}

/** Counts archives under a folder, with the archive walk the scrape uses (symlinks not followed). */
export async function countArchives(outputDir: string): Promise<ArchiveCounts> {
  const files = await findArchiveFiles(outputDir, { includeSymlinks: false });
  const ids = new Set(files.map(seededChannelId).filter((id) => id !== null));
  return { json: files.length, seeded: ids.size, mapped: await countMapEntries(outputDir) };
}

async function countMapEntries(outputDir: string): Promise<number | null> {
  let text: string;
  try {
    text = await readSmallTextFile(join(outputDir, ".dce-meta", "channel-map.json"), {
      what: "Channel map",
      maxBytes: SIZE_CAP.data,
    });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return 0;
    return null;
  }
  try {
    const map = JSON.parse(text);
    if (typeof map !== "object" || map === null || Array.isArray(map)) return null;
    return Object.keys(map).length;
  } catch {
    return null;
  }
}

/**
 * A target that names its channels, guilds or DMs can start from nothing: the first scrape creates the
 * folder and the archives. Only an archive-seeded target (no scope of its own) needs files to exist.
 */
export function hasOwnScope(target: TargetConfig): boolean {
  return target.kind === "dms" || target.channelIds.length > 0 || target.guildIds.length > 0 ||
    target.guildNamePatterns.length > 0;
}

export async function inspectTarget(target: TargetConfig): Promise<TargetArchiveRow> {
  if (!target.enabled) return { target, counts: null, status: "disabled", ok: true };
  if (!(await isDirectory(target.outputDir))) {
    return hasOwnScope(target)
      ? {
        target,
        counts: null,
        status: "ok (new; the first scrape creates output_dir)",
        ok: true,
        starting: true,
      }
      : { target, counts: null, status: "missing output_dir", ok: false };
  }
  let counts: ArchiveCounts;
  try {
    counts = await countArchives(target.outputDir);
  } catch (err) {
    return { target, counts: null, status: `unreadable (${(err as Error).message})`, ok: false };
  }
  if (counts.mapped === null) {
    return { target, counts, status: "invalid .dce-meta/channel-map.json", ok: false };
  }
  if (counts.json === 0 || counts.seeded === 0) {
    if (hasOwnScope(target)) {
      return {
        target,
        counts,
        status: "ok (no archives yet; the first scrape creates them)",
        ok: true,
      };
    }
    const status = counts.json === 0 ? "no json archives" : "no seeded channel ids";
    return { target, counts, status, ok: false };
  }
  if (counts.mapped === 0) {
    return { target, counts, status: "ok (map will bootstrap on first run)", ok: true };
  }
  return { target, counts, status: "ok", ok: true };
}

type Cells = [string, string, string, string, string, string, string];

/**
 * Aligned rows whose first two columns are as wide as their longest value (at least the bash
 * table's 28 and 40), so a long output_dir never pushes the counts out of their columns.
 */
function table(rows: Cells[]): string[] {
  const targetWidth = Math.max(28, ...rows.map((r) => r[0].length));
  const dirWidth = Math.max(40, ...rows.map((r) => r[1].length));
  return rows.map(([target, dir, json, seeded, map, mem, status]) =>
    `${target.padEnd(targetWidth)} ${dir.padEnd(dirWidth)} ${json.padStart(8)} ${
      seeded.padStart(8)
    } ${map.padStart(8)} ${mem.padStart(6)}  ${status}`
  );
}

/** Prints the table; throws a UserError when any enabled target failed. Returns the rows. */
export async function verifyArchives(
  out: OpsOutput,
  config: ScrapeConfig,
): Promise<TargetArchiveRow[]> {
  const rootExists = await isDirectory(config.archiveRoot);
  out.out(`Archive root: ${config.archiveRoot}${rootExists ? "" : " (missing)"}`);
  out.out("");
  const cells: Cells[] = [
    ["TARGET", "OUTPUT_DIR", "JSON", "SEEDED", "MAP", "MEM", "STATUS"],
    ["------", "----------", "----", "------", "---", "---", "------"],
  ];
  const rows: TargetArchiveRow[] = [];
  for (const target of config.targets) {
    const result = await inspectTarget(target);
    rows.push(result);
    const c = result.counts;
    cells.push([
      target.name,
      target.outputDir,
      c ? String(c.json) : "-",
      c ? String(c.seeded) : "-",
      c ? (c.mapped === null ? "?" : String(c.mapped)) : "-",
      target.containerMemory ?? "-",
      result.status,
    ]);
  }
  for (const line of table(cells)) out.out(line);
  const failed = rows.filter((r) => !r.ok).length;
  out.out("");
  // Nothing is ready without the root, whatever the rows say (a new target's row reads "ok").
  if (!rootExists) throw new MissingArchiveRootError(config.archiveRoot, config.path);
  if (failed > 0) {
    throw new UserError(`${failed} enabled target(s) failed archive verification.`);
  }
  out.out(
    rows.some((r) => r.starting)
      ? "All enabled targets are ready to scrape (new targets start empty; see STATUS)."
      : "All enabled targets have archive directories with seeded channel exports.",
  );
  return rows;
}
