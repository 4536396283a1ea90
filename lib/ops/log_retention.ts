// Prunes old runs' logs and summaries from a log folder: only files our tools name per run
// (run_file_names.ts), only regular files (a symlink is neither followed nor removed), never the
// files of the run that is ending, never anything changed in the last day.
import { basename, join } from "node:path";
import { readAt } from "../fs/file_at.ts";
import { openNoFollow } from "../fs/no_follow.ts";
import { readSmallTextFile, SIZE_CAP } from "../fs/read_small_file.ts";
import { fsReason } from "../fs/fs_reason.ts";
import { type RunResult } from "./run_history.ts";
import { runFileName } from "./run_file_names.ts";

export interface LogRetention {
  keepDays: number;
  keepFailedDays: number;
  keepRuns: number;
  now: Date;
  /** The ending run's own files: kept whatever their age or number. */
  current: string[];
  /** How the runs in the history ended, by their log's file name (read only when needed). */
  historyResults: () => Promise<Map<string, RunResult>>;
  warn: (line: string) => void;
}

const DAY_MS = 86_400_000;

/** One run's files in the folder (a log, a summary, or both) and the newest of their mtimes. */
interface RunFiles {
  log?: string;
  summary?: string;
  mtime: number;
  current: boolean;
}

/** Returns the paths removed. */
export async function pruneLogFolder(dir: string, opts: LogRetention): Promise<string[]> {
  const runs = await runsIn(dir, await inodesOf(opts.current), opts);
  const byAge = [...runs.values()].sort((a, b) => b.mtime - a.mtime);
  const removed: string[] = [];
  for (const [index, run] of byAge.entries()) {
    if (!(await expired(run, index, opts))) continue;
    for (const path of [run.log, run.summary]) {
      if (path === undefined) continue;
      try {
        await Deno.remove(path);
        removed.push(path);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) {
          opts.warn(`WARN: retention could not remove ${path}: ${fsReason(err)}`);
        }
      }
    }
  }
  return removed;
}

/**
 * Nothing from the last day goes (a run still writing its log is safe even with a small
 * keepRuns); past the newest keepRuns everything goes; past keepFailedDays everything goes; past
 * keepDays a run goes unless it failed (or cannot be shown to have succeeded).
 */
async function expired(run: RunFiles, index: number, opts: LogRetention): Promise<boolean> {
  const age = opts.now.getTime() - run.mtime;
  if (run.current || age < DAY_MS) return false;
  if (index >= opts.keepRuns || age > opts.keepFailedDays * DAY_MS) return true;
  return age > opts.keepDays * DAY_MS && !(await failed(run, opts));
}

/** Device and inode of each file that exists, so a file is recognised whatever path names it. */
async function inodesOf(paths: string[]): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const path of paths) {
    const info = await Deno.lstat(path).catch(() => null);
    if (info !== null) ids.add(`${info.dev}:${info.ino}`);
  }
  return ids;
}

async function runsIn(
  dir: string,
  current: Set<string>,
  opts: LogRetention,
): Promise<Map<string, RunFiles>> {
  const runs = new Map<string, RunFiles>();
  for await (const entry of Deno.readDir(dir)) {
    const name = runFileName(entry.name);
    if (name === null || !entry.isFile) continue; // entry.isFile is false for a symlink
    const path = join(dir, entry.name);
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(path); // several times faster than the async call, per file, in a big folder
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) {
        opts.warn(`WARN: retention could not inspect ${path}: ${fsReason(err)}`);
      }
      continue;
    }
    if (!info.isFile) continue;
    const run = runs.get(name.run) ?? { mtime: 0, current: false };
    run[name.kind] = path;
    run.mtime = Math.max(run.mtime, info.mtime?.getTime() ?? 0);
    run.current ||= current.has(`${info.dev}:${info.ino}`);
    runs.set(name.run, run);
  }
  return runs;
}

/** From the summary's outcome or exit code, else the history's record of the log; unknown: failed. */
async function failed(run: RunFiles, opts: LogRetention): Promise<boolean> {
  if (run.summary !== undefined) {
    const verdict = await summaryFailed(run.summary);
    if (verdict !== undefined) return verdict;
  }
  if (run.log !== undefined) {
    const result = (await opts.historyResults()).get(basename(run.log));
    if (result !== undefined) return result !== "ok" && result !== "busy";
  }
  return true;
}

/** How much of a summary is read first: its top-level outcome and exit code come before the channels. */
const SUMMARY_HEAD = 4096;

/**
 * A summary is written pretty-printed, `outcome` and `exit_code` at the top, so its head decides
 * and a large summary is not parsed whole at every run's end. A summary from before those fields
 * is parsed whole (it finds neither, and says so with undefined).
 */
async function summaryFailed(path: string): Promise<boolean | undefined> {
  try {
    using file = await openNoFollow(path, { read: true });
    const head = new TextDecoder().decode(await readAt(file, 0, SUMMARY_HEAD));
    const outcome = /^ {2}"outcome": "([a-z]+)"/m.exec(head)?.[1];
    if (outcome !== undefined) return outcome !== "ok";
    const summary = JSON.parse(
      await readSmallTextFile(path, { what: "Run summary", maxBytes: SIZE_CAP.data }),
    );
    if (typeof summary?.outcome === "string") return summary.outcome !== "ok";
    if (typeof summary?.exit_code === "number") return summary.exit_code !== 0;
  } catch {
    // unreadable or not JSON: the history decides
  }
  return undefined;
}
