// The scrape core: config → targets → channels → plan → per-mode work → summary. The host runner's direct
// backend and scripts/run-scrape.ts both call runCore.
import { join } from "node:path";
import { bootstrapChannelMap } from "../archive/bootstrap_channel_map.ts";
import { readChannelMap } from "../archive/channel_map.ts";
import { EXIT, UserError } from "../cli/errors.ts";
import { reportUserError } from "../cli/run_main.ts";
import { ioStep } from "../fs/io_error.ts";
import { repoRoot as checkoutRoot } from "../cli/repo_root.ts";
import { loadConfig } from "../config/load_config.ts";
import {
  archiveRootVanished,
  ArchiveRootVanishedError,
  proveArchiveRoot,
} from "../archive/archive_root_marker.ts";
import { resolveSettings } from "../config/resolve_settings.ts";
import { selectTargets } from "../config/select_targets.ts";
import { dceEnv } from "../dce/dce_cli_argv.ts";
import type { DceCli } from "../dce/dce_listings.ts";
import { writeSummaryFile } from "./run_summary.ts";
import {
  type CoreMode,
  type CoreRequest,
  type CoreResult,
  DEFAULT_CLI_BIN,
} from "./core_options.ts";
import { type CoreLog, makeCoreLog } from "./core_log.ts";
import { preflightTarget } from "./preflight_target.ts";
import { DEFAULT_HEARTBEAT_SECONDS } from "./export_heartbeat.ts";
import {
  ListingCache,
  type ResolvedTarget,
  resolveLocalChannels,
  resolveTargetChannels,
} from "./resolve_channels.ts";
import { salvageTarget } from "./salvage_target.ts";
import { signalExitCode } from "../process/signals.ts";
import {
  type ChannelContext,
  FORUM_SKIP,
  scrapeChannel,
  ScrapeInterrupted,
} from "./scrape_channel.ts";
import {
  buildSummary,
  type ChannelRecord,
  type RunOutcome,
  type RunSummary,
  summaryLines,
} from "./scrape_summary.ts";
import { retryPolicyFromEnv } from "./channel_retry.ts";

export type { CoreMode, CoreRequest, CoreResult };

/**
 * Runs one mode and reports through `request.log`; user-facing failures become `ERROR:` lines + exit 1,
 * a scrape that finished without some channels exits 3 (partial). A scrape writes its summary on
 * every way out once a channel was recorded, so a failed run leaves one too.
 */
export async function runCore(request: CoreRequest): Promise<CoreResult> {
  const now = request.now ?? (() => new Date());
  const log = makeCoreLog(request.log, now);
  const records: ChannelRecord[] = [];
  let end: { outcome: RunOutcome; exitCode: number } = { outcome: "ok", exitCode: EXIT.ok };
  const proven: ProvenRoot = { root: null };
  try {
    const problems = await runMode(request, log, records, now, proven);
    if (problems > 0) {
      log(
        `PARTIAL: ${problems} channel(s) were not exported (see FAILED/PARTIAL lines above); exit ${EXIT.partial}.`,
      );
      end = { outcome: "partial", exitCode: EXIT.partial };
    }
  } catch (err) {
    // Whatever failed first (a missing export file, a raw ENOENT), if the disk went away, say that.
    const vanished = proven.root !== null && (await archiveRootVanished(proven.root))
      ? proven.root
      : null;
    if (err instanceof ScrapeInterrupted) records.push(err.record);
    else if (!(err instanceof UserError) && vanished === null) throw err;
    if (request.signal?.aborted) {
      // A requested stop (SIGINT/SIGTERM/SIGHUP in the host runner): 128 + n when we know n.
      const reason = String(request.signal.reason ?? "");
      log(
        `ERROR: Scrape interrupted (${
          reason || "aborted"
        }); partial export temps are kept for salvage.`,
      );
      end = { outcome: "interrupted", exitCode: signalExitCode(reason) };
    } else if (vanished !== null) {
      log(`ERROR: ${new ArchiveRootVanishedError(vanished).message}`);
      end = { outcome: "failed", exitCode: EXIT.failure };
    } else {
      if (!(err instanceof UserError)) throw err;
      end = { outcome: "failed", exitCode: reportUserError(err, log) };
    }
  }
  if (request.mode !== "scrape") return { exitCode: end.exitCode, summary: null };
  const summary = buildSummary(records, now(), end);
  // A stopped run shows its summary only when it got as far as a channel (a config error does not).
  if (end.outcome !== "ok" && end.outcome !== "partial" && records.length === 0) {
    return { exitCode: end.exitCode, summary };
  }
  try {
    await emitSummary(records, summary, request.env, log);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    log(`ERROR: ${err.message}`);
    if (end.exitCode === EXIT.ok || end.exitCode === EXIT.partial) {
      return { exitCode: EXIT.failure, summary };
    }
  }
  return { exitCode: end.exitCode, summary };
}

function envNumber(env: Record<string, string>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^[0-9]+$/.test(raw)) {
    throw new UserError(`${name} must be a whole number of seconds, not '${raw}'.`);
  }
  return Number(raw);
}

/** The archive root once it has proven itself (null before, and in preflight). */
interface ProvenRoot {
  root: string | null;
}

/** Returns how many channels make the run partial (scrape mode; 0 otherwise). */
async function runMode(
  request: CoreRequest,
  log: CoreLog,
  records: ChannelRecord[],
  now: () => Date,
  proven: ProvenRoot,
): Promise<number> {
  const env = request.env;
  const mode: CoreMode = request.mode;
  const repoRoot = request.repoRoot ?? checkoutRoot({ get: (n) => env[n] });
  const configPath = request.configPath ?? resolveSettings({ env, repoRoot }).configPath;
  const config = await loadConfig(configPath);
  const token = env.DISCORD_TOKEN ?? "";
  if (mode !== "salvage" && token === "") throw new UserError("DISCORD_TOKEN is not set.");
  const overrides = { guilds: request.guilds, channels: request.channels };
  const selected = selectTargets(config, request.targets, overrides);
  const minAgeSeconds = envNumber(env, "DCE_STALE_TEMP_MIN_AGE_SECONDS", 120);
  const includeActive = env.DCE_SALVAGE_ACTIVE_TEMPS === "1";
  const heartbeatSeconds = envNumber(env, "DCE_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS);
  const retry = request.retry ?? retryPolicyFromEnv(env);
  await request.beforeWork?.();

  const cli: DceCli = {
    bin: request.cliBin || env.DCE_CLI_BIN || DEFAULT_CLI_BIN,
    env: dceEnv(env, token),
    ...(request.signal ? { signal: request.signal } : {}),
  };
  const listings = new ListingCache(cli);
  const warn = (line: string) => log(line);

  const resolved: ResolvedTarget[] = [];
  for (const target of selected) {
    if (mode === "salvage") {
      const mapped = Object.keys(await readChannelMap(target.outputDir));
      resolved.push(await resolveLocalChannels(target, overrides, mapped));
    } else {
      resolved.push(await resolveTargetChannels(target, overrides, listings, warn));
    }
  }

  if (mode !== "preflight") {
    // After discovery (which writes nothing), before anything is written: an unmounted disk's empty
    // mount point stops the run here.
    await proveArchiveRoot({
      archiveRoot: config.archiveRoot,
      knownRootsFile: join(repoRoot, ".dce-state", "archive-roots"),
      now: now(),
      log,
    });
    proven.root = config.archiveRoot;
  }

  log("=== Scrape run plan ===");
  log(`Config: ${config.path}`);
  log(`Mode: ${mode}`);
  for (const r of resolved) {
    log(`  Target '${r.target.name}' → ${r.target.outputDir}`);
    log(`    Server scope: ${r.scope}`);
  }

  let problems = 0;
  for (const r of resolved) {
    if (request.signal?.aborted) {
      throw new UserError("Scrape interrupted before target " + r.target.name + ".");
    }
    if (mode === "preflight") {
      await preflightTarget(cli, r, env.TMPDIR || "/tmp", log);
      continue;
    }
    if (mode === "salvage") {
      await salvageTarget(r, { minAgeSeconds, includeActive, now, log });
      continue;
    }
    problems += await scrapeTarget(
      r,
      {
        cli,
        log,
        now,
        minAgeSeconds,
        includeActive,
        retry,
        channelGuilds: r.channelGuilds,
        heartbeatSeconds,
        ...(request.onExportChild ? { onExportChild: request.onExportChild } : {}),
      },
      records,
      { strict: request.strict === true, named: request.channels },
    );
  }
  return problems;
}

/**
 * Which skips make a run partial: with `strict` every one; otherwise only a channel the operator
 * named (in the target's channel_ids or with --channel), not one a guild listing brought in.
 */
interface SkipRule {
  strict: boolean;
  /** Channel ids given with --channel. */
  named: readonly string[];
}

/** Scrapes one target's channels; returns how many of them make the run partial. */
async function scrapeTarget(
  resolved: ResolvedTarget,
  ctx: ChannelContext,
  records: ChannelRecord[],
  rule: SkipRule,
): Promise<number> {
  const { target, channelIds } = resolved;
  const { log } = ctx;
  await ioStep(
    "create the output folder",
    target.outputDir,
    () => Deno.mkdir(target.outputDir, { recursive: true }),
  );
  const added = await bootstrapChannelMap(target.outputDir, log);
  if (added > 0) {
    log(
      `Bootstrapped ${added} channel map entries from existing archives under ${target.outputDir}.`,
    );
  }
  if (channelIds.length === 0) throw new UserError(`Target '${target.name}' resolved no channels.`);
  log(
    `Target '${target.name}': processing ${channelIds.length} channel(s) into ${target.outputDir}.`,
  );
  let skipped = 0;
  let failed = 0;
  let problems = 0;
  for (const [i, channelId] of channelIds.entries()) {
    if (ctx.cli.signal?.aborted) {
      throw new UserError(
        `Scrape interrupted before channel ${channelId} of target '${target.name}'.`,
      );
    }
    const record = await scrapeChannel(ctx, target, channelId, {
      index: i + 1,
      total: channelIds.length,
    });
    records.push(record);
    if (record.action === "FAILED" || record.action === "SKIPPED_OOM") {
      failed++;
      problems++;
    } else if (record.action === "SKIPPED") {
      skipped++;
      const named = record.reason !== FORUM_SKIP &&
        (target.channelIds.includes(channelId) || rule.named.includes(channelId));
      if (named || rule.strict) {
        problems++;
        log(
          `PARTIAL: channel ${channelId} of target '${target.name}' ${
            named ? "is named in the config but" : "(--strict)"
          } was not exported: ${record.reason ?? "skipped"}.`,
        );
      }
    }
  }
  if (skipped > 0) log(`Target '${target.name}': skipped ${skipped} inaccessible channel(s).`);
  if (failed > 0) {
    log(`Target '${target.name}': scrape completed; ${failed} channel(s) failed.`);
  } else {
    log(`Target '${target.name}': scrape completed successfully.`);
  }
  return problems;
}

async function emitSummary(
  records: ChannelRecord[],
  summary: RunSummary,
  env: Record<string, string>,
  log: CoreLog,
): Promise<void> {
  for (const line of summaryLines(records, summary)) log(line);
  if (records.length === 0) return; // bash: no JSON summary when nothing was recorded
  if (env.DCE_RUN_SUMMARY_JSON === "1") log(`DCE_JSON_SUMMARY: ${JSON.stringify(summary)}`);
  const file = env.DCE_RUN_SUMMARY_FILE;
  if (file) {
    try {
      await writeSummaryFile(file, summary);
    } catch (err) {
      throw new UserError(
        `Cannot write the JSON summary to ${file}: ${
          (err as Error).message
        }. The archives are updated; fix the path or its permissions.`,
      );
    }
    log(`JSON summary written: ${file}`);
  }
}
