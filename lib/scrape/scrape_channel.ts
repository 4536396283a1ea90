// One channel of a scrape (docs/scrape.md#what-a-scrape-does-per-channel): salvage old temps, export after the cursor, classify, merge, record.
import { dirname, join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { ioStep } from "../fs/io_error.ts";
import { ArchiveError } from "../archive/archive_error.ts";
import { readExportHeader } from "../archive/export_header.ts";
import { countMessages } from "../archive/export_queries.ts";
import { mergeExportIntoArchive } from "../archive/merge_export.ts";
import { deriveDestination } from "../archive/derive_destination.ts";
import { resolveDestination } from "../archive/resolve_destination.ts";
import { ensureTempRoot, salvageStaleTemps } from "../archive/salvage_stale_temps.ts";
import { guildLabel } from "../archive/export_header.ts";
import type { TargetConfig } from "../config/scrape_config.ts";
import type { DceCli } from "../dce/dce_listings.ts";
import { exportChannel } from "../dce/export_channel.ts";
import { startHeartbeat } from "./export_heartbeat.ts";
import { DceAuthError, DiskFullError } from "../dce/export_errors.ts";
import type { ChildHook, TailLine } from "../dce/run_dce.ts";
import { ignoredIdsWarning } from "../archive/cursor_tracker.ts";
import { archiveStats } from "./archive_stats.ts";
import { isTransient, type RetryPolicy } from "./channel_retry.ts";
import type { CoreLog } from "./core_log.ts";
import type { ChannelAction, ChannelRecord } from "./scrape_summary.ts";
import { existsStrict } from "../fs/file_predicates.ts";

export interface ChannelContext {
  cli: DceCli;
  log: CoreLog;
  now: () => Date;
  minAgeSeconds: number;
  includeActive: boolean;
  /** Channel id → `<guild name> [<id>]` from the listings, for channels without an archive yet. */
  channelGuilds: Map<string, string>;
  onExportChild?: ChildHook;
  /** DCE_HEARTBEAT_SECONDS: a progress line this often while an export runs (0: none). */
  heartbeatSeconds: number;
  retry: RetryPolicy;
}

/** Where this channel stands in its target's list, shown as `[i/n]`. */
export interface ChannelPosition {
  index: number;
  total: number;
}

/** A forum is skipped by design (its threads are channels of their own), never a problem. */
export const FORUM_SKIP = "forum channel (its threads are exported on their own)";

/** The run was stopped (AbortSignal) while this channel exported; its partial temp is kept. */
export class ScrapeInterrupted extends Error {
  constructor(readonly record: ChannelRecord) {
    super("scrape interrupted");
    this.name = "ScrapeInterrupted";
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return 0;
  }
}

/**
 * Says why without repeating DCE's `Request to 'channels/…' failed: forbidden.` verbatim: the host
 * runner treats that text as an auth failure worth a full retry, and a skipped channel is not one.
 */
function accessReason(text: string): string {
  if (/failed: forbidden\.$|Access is forbidden/.test(text)) {
    return "Discord answered 403 forbidden";
  }
  return "Discord answered 404 not found";
}

function echoTail(log: CoreLog, tail: readonly TailLine[], max = 20): void {
  for (const t of tail.slice(-max)) log(`    | ${t.line}`);
}

export async function scrapeChannel(
  ctx: ChannelContext,
  target: TargetConfig,
  channelId: string,
  position: ChannelPosition = { index: 1, total: 1 },
): Promise<ChannelRecord> {
  const { log } = ctx;
  const counter = `[${position.index}/${position.total}]`;
  const outputDir = target.outputDir;
  let destination = await resolveDestination(outputDir, channelId);
  let label = ctx.channelGuilds.get(channelId) ?? "unknown guild";

  // Stale temps of earlier runs first, so their messages are in the archive before the cursor is read.
  await ensureTempRoot(outputDir);
  await salvageStaleTemps({
    outputDir,
    channelId,
    destination,
    minAgeSeconds: ctx.minAgeSeconds,
    includeActive: ctx.includeActive,
    now: ctx.now(),
    log,
  }, { deriveDestination });
  if (destination === null) destination = await resolveDestination(outputDir, channelId);

  let before = 0;
  let cursor: string | null = null;
  let archiveKnown = false;
  if (destination !== null && (await existsStrict(destination))) {
    archiveKnown = true;
    const stats = await archiveStats(destination, channelId, ctx.now(), log);
    if (stats.ignoredIds !== null) log(`  ${ignoredIdsWarning(destination, stats.ignoredIds)}`);
    label = stats.guildLabel;
    before = stats.count;
    cursor = stats.maxId;
  }

  const where: ChannelWhere = { destination, label, before, cursor, archiveKnown };
  const attempts = ctx.retry.delaysMs.length + 1;
  for (let attempt = 1;; attempt++) {
    const result = await exportAttempt(ctx, target, channelId, where, counter, attempt, attempts);
    if (!("retryIn" in result)) return result;
    await ctx.retry.sleep(result.retryIn, ctx.cli.signal);
    if (ctx.cli.signal?.aborted) {
      throw new ScrapeInterrupted(
        channelRecord(target, channelId, where, "FAILED", {
          reason: `stopped while waiting to retry (${result.reason})`,
          attempts: attempt,
        }),
      );
    }
  }
}

/** What is known about a channel's archive before its export; `destination`/`label` grow as it runs. */
interface ChannelWhere {
  destination: string | null;
  label: string;
  before: number;
  cursor: string | null;
  archiveKnown: boolean;
}

/** A record of this channel; by default "nothing changed" (the archive as it was). */
function channelRecord(
  target: TargetConfig,
  channelId: string,
  where: ChannelWhere,
  action: ChannelAction,
  changes: Partial<ChannelRecord> = {},
): ChannelRecord {
  return {
    target: target.name,
    channel_id: channelId,
    guild_label: where.label,
    file_path: where.destination ?? "n/a",
    action,
    before_count: where.before,
    fetched_count: 0,
    after_count: where.before,
    delta: 0,
    ...changes,
  };
}

/** One export of the channel into a fresh temp folder: its record, or "try again in n ms". */
async function exportAttempt(
  ctx: ChannelContext,
  target: TargetConfig,
  channelId: string,
  where: ChannelWhere,
  /** `[i/n]`: where the channel stands in its target's list. */
  counter: string,
  attempt: number,
  attempts: number,
): Promise<ChannelRecord | { retryIn: number; reason: string }> {
  const { log } = ctx;
  const outputDir = target.outputDir;
  const tempRoot = join(outputDir, ".dce-temp");
  const { before, cursor, archiveKnown } = where;
  let destination = where.destination;
  let label = where.label;
  log(
    `${counter} Exporting channel ${channelId} for target '${target.name}'${
      cursor !== null ? ` after message ${cursor}` : ""
    }${destination !== null ? ` → ${destination}` : ""}${
      attempt > 1 ? ` (attempt ${attempt} of ${attempts})` : ""
    }.`,
  );
  const tempDir = await ioStep(
    "create an export temp folder in",
    tempRoot,
    () => Deno.makeTempDir({ dir: tempRoot, prefix: `export.${channelId}.` }),
  );
  // Removed on every way out unless keepPartial() keeps a partial export for the next run's salvage
  // (aborted, OOM, disk full); an export that failed validation is never left where salvage would
  // merge it later (docs/bash-suite.md#h19-rejected-exports-left-behind). A try that will be
  // repeated keeps nothing: the next one fetches the same messages again from the same cursor.
  let keepTemp = false;
  try {
    const exportPath = join(tempDir, "export.json");
    using _heartbeat = startHeartbeat({
      path: exportPath,
      what: `channel ${channelId} ${counter}`,
      intervalSeconds: ctx.heartbeatSeconds,
      log,
    });
    const result = await exportChannel(ctx.cli, {
      channelId,
      outputPath: exportPath,
      ...(cursor !== null ? { after: cursor } : {}),
      ...(ctx.onExportChild ? { onChild: ctx.onExportChild } : {}),
    });
    const outcome = result.outcome;
    const stoppedByUs = ctx.cli.signal?.aborted === true;
    const record = (action: ChannelAction, changes: Partial<ChannelRecord> = {}) =>
      channelRecord(target, channelId, { ...where, destination, label }, action, {
        ...(attempt > 1 ? { attempts: attempt } : {}),
        ...changes,
      });
    const unchanged = (): ChannelRecord => {
      log(`  UNCHANGED ${destination ?? "n/a"} (${before} messages, no new export data)`);
      return record("UNCHANGED");
    };
    const keepPartial = async () => {
      if ((await fileSize(exportPath)) > 0) {
        keepTemp = true;
        log(`  Preserving partial export temp for salvage on next run: ${tempDir}`);
      }
    };
    const failure = "reason" in outcome ? outcome.reason : "";
    if (isTransient(outcome, stoppedByUs) && attempt < attempts) {
      const delay = ctx.retry.delaysMs[attempt - 1] ?? 0;
      log(
        `  Transient failure of channel ${channelId} (${failure}); retrying in ${
          delay / 1000
        } s (attempt ${attempt + 1} of ${attempts}).`,
      );
      echoTail(log, result.tail, 5);
      return { retryIn: delay, reason: failure };
    }
    const tries = attempts > 1 ? ` after ${attempt} attempt(s)` : "";

    switch (outcome.kind) {
      case "ok":
        break;
      case "empty-range":
        // Pre-2.45 CLI: "no messages in the specified period" is an error without a file.
        return unchanged();
      case "access": {
        const reason = accessReason(outcome.reason);
        log(`Skipping channel ${channelId} (inaccessible or non-fatal export error): ${reason}.`);
        // A 403/404 happens before any message is fetched: nothing worth keeping.
        return record("SKIPPED", { reason });
      }
      case "forum":
        log(
          `Skipping channel ${channelId} (a forum channel: its threads are exported individually when include_threads is not none).`,
        );
        return record("SKIPPED", { reason: FORUM_SKIP });
      case "aborted":
      case "oom": {
        log(`Skipping channel ${channelId} (export process aborted, exit ${outcome.exitCode}).`);
        echoTail(log, result.tail, 10);
        await keepPartial();
        const how = outcome.kind === "oom"
          ? "export process killed (out of memory or a signal)"
          : "export process stopped by a signal";
        const skipped = record("SKIPPED_OOM", {
          exit_code: outcome.exitCode,
          reason: `${how}, exit ${outcome.exitCode}${tries}`,
        });
        if (stoppedByUs) throw new ScrapeInterrupted(skipped);
        log(`  FAILED: channel ${channelId} of target '${target.name}': ${skipped.reason}.`);
        return skipped;
      }
      case "disk-full":
        echoTail(log, result.tail);
        await keepPartial();
        throw new DiskFullError(
          `Disk full while exporting channel ${channelId} for target '${target.name}' (${outcome.reason}). The run stopped; no archive was modified. Free space under ${outputDir} and rerun (a partial export, if any, is kept for salvage).`,
        );
      case "auth":
        throw new DceAuthError(`while exporting channel ${channelId}`);
      case "network":
      case "failed": {
        // The output folder gone (an unplugged disk) affects every channel: stop the run.
        if (!(await existsStrict(outputDir))) {
          throw new UserError(`${outputDir} vanished while channel ${channelId} exported.`);
        }
        echoTail(log, result.tail);
        const reason = `${outcome.reason}${tries}`;
        log(`  FAILED: channel ${channelId} of target '${target.name}': ${reason}.`);
        return record("FAILED", { reason });
      }
    }

    let header;
    try {
      header = await readExportHeader(exportPath);
    } catch (err) {
      if (err instanceof ArchiveError) {
        throw new UserError(`Incremental export is not valid JSON: ${exportPath} (${err.message})`);
      }
      throw err;
    }
    if (header.channel.id !== channelId) {
      throw new ArchiveError(
        "wrong-channel",
        `Export '${exportPath}' belongs to channel '${header.channel.id}', expected '${channelId}'.`,
      );
    }
    label = guildLabel(header);
    if (destination !== null && archiveKnown && header.messageCount === 0) {
      // The usual incremental answer "nothing new": the archive was just read in full for the cursor,
      // so skip the merge's second full pass. The (tiny) export is still validated to its end.
      if ((await countMessages(exportPath)) === 0) return unchanged();
    }
    if (destination === null) {
      destination = await deriveDestination(outputDir, channelId, exportPath);
    }
    const archiveDir = dirname(destination);
    await ioStep(
      "create the archive folder",
      archiveDir,
      () => Deno.mkdir(archiveDir, { recursive: true }),
    );
    // On a refusal the archive is untouched (atomic, fail-closed); this export is not kept either.
    const merged = await mergeExportIntoArchive({
      archivePath: destination,
      exportPath,
      expectedChannelId: channelId,
      warn: (line) => log(`  ${line}`),
    });
    switch (merged.action) {
      case "CREATED":
        log(`  CREATED ${destination} (+${merged.after} messages, new archive)`);
        break;
      case "MERGED":
        log(
          `  MERGED ${destination} (+${merged.delta} messages, ${merged.before} → ${merged.after}, fetched ${merged.fetched})`,
        );
        break;
      case "UNCHANGED":
        log(`  UNCHANGED ${destination} (${merged.after} messages, no new export data)`);
        break;
    }
    return record(merged.action, {
      guild_label: merged.guildLabel || label,
      before_count: merged.before,
      fetched_count: merged.fetched,
      after_count: merged.after,
      delta: merged.delta,
    });
  } finally {
    if (!keepTemp) await Deno.remove(tempDir, { recursive: true }).catch(() => {});
  }
}
