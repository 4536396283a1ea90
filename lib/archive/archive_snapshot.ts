// Grow-only proof data: a snapshot (path, channel id, message count) of seeded archives and the
// comparison of two snapshots. Paths are matched exactly (docs/bash-suite.md#h37-substring-path-matching) and escaped in the TSV, so tabs,
// newlines or a path that is a suffix of another cannot confuse it.
import { ArchiveError } from "./archive_error.ts";
import { countMessages } from "./export_queries.ts";
import { findArchiveFiles, seededChannelId } from "./find_archive_files.ts";
import { escapeField, unescapeField } from "./tsv_field.ts";

export interface SnapshotEntry {
  path: string;
  channelId: string;
  count: number;
}

/** Every seeded archive under `dir` (optionally only the given channels); invalid files are warned and skipped. */
export async function snapshotArchives(
  dir: string,
  channelFilter: readonly string[],
  warn: (line: string) => void,
): Promise<SnapshotEntry[]> {
  const entries: SnapshotEntry[] = [];
  for (const path of await findArchiveFiles(dir)) {
    const channelId = seededChannelId(path);
    if (channelId === null) continue;
    if (channelFilter.length > 0 && !channelFilter.includes(channelId)) continue;
    try {
      entries.push({ path, channelId, count: await countMessages(path) });
    } catch (err) {
      if (!(err instanceof ArchiveError)) throw err;
      warn(`WARN: skipping invalid JSON during snapshot: ${path}`);
    }
  }
  return entries;
}

/** `path<TAB>channel_id<TAB>count` lines (path escaped: `\\`, `\t`, `\n`, `\r`). */
export function formatSnapshot(entries: readonly SnapshotEntry[]): string {
  return entries.map((e) => `${escapeField(e.path)}\t${e.channelId}\t${e.count}\n`).join("");
}

export function parseSnapshot(text: string, source: string): SnapshotEntry[] {
  const entries: SnapshotEntry[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line === "") continue;
    const parts = line.split("\t");
    if (parts.length !== 3 || !/^[0-9]+$/.test(parts[2]!)) {
      throw new ArchiveError(
        "not-json",
        `Snapshot '${source}' line ${
          i + 1
        } is not "path<TAB>channel<TAB>count"; take a new snapshot.`,
      );
    }
    entries.push({ path: unescapeField(parts[0]!), channelId: parts[1]!, count: Number(parts[2]) });
  }
  return entries;
}

export interface Comparison {
  ok: string[];
  failures: string[];
}

/** The grow-only rule: no archive may vanish or shrink, and none may appear that was not there. */
export function compareSnapshots(
  before: readonly SnapshotEntry[],
  after: readonly SnapshotEntry[],
): Comparison {
  const afterByPath = new Map(after.map((e) => [e.path, e]));
  const beforePaths = new Set(before.map((e) => e.path));
  const result: Comparison = { ok: [], failures: [] };
  for (const b of before) {
    const a = afterByPath.get(b.path);
    if (!a) {
      result.failures.push(`FAIL: archive disappeared: ${b.path}`);
    } else if (a.count < b.count) {
      result.failures.push(`FAIL: message count shrank for ${b.path} (${b.count} -> ${a.count})`);
    } else if (a.count > b.count) {
      result.ok.push(`OK: appended ${a.count - b.count} messages in ${b.path}`);
    } else {
      result.ok.push(`OK: unchanged ${b.path} (${b.count} messages)`);
    }
  }
  for (const a of after) {
    if (!beforePaths.has(a.path)) {
      result.failures.push(`FAIL: unexpected new archive path (not pre-existing): ${a.path}`);
    }
  }
  return result;
}
