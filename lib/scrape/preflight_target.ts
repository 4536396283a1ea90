// Preflight (docs/scrape.md#preflight, fixing docs/bash-suite.md#h34-preflight-downloaded-history): proves the token on the first accessible channel, downloading no history.
// Channels are probed in order until one answers: one exporter start per target in the usual case,
// not one per channel (the scrape classifies every channel's access itself when it exports it).
import { join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { ioStep } from "../fs/io_error.ts";
import type { DceCli } from "../dce/dce_listings.ts";
import { exportChannel } from "../dce/export_channel.ts";
import { DceAuthError } from "../dce/export_errors.ts";
import type { CoreLog } from "./core_log.ts";
import type { ResolvedTarget } from "./resolve_channels.ts";

/**
 * The probe: `export --before <channel id + 1>`. DCE resolves the channel (403/404 → access) and
 * asks for the newest message before that bound (403 without Read Message History), but no
 * message can be older than its channel, so nothing is downloaded: an empty file (2.45+) or the
 * pre-2.45 "no messages in the specified period" error, both meaning "accessible".
 */
export function probeBound(channelId: string): string {
  return String(BigInt(channelId) + 1n);
}

export async function preflightTarget(
  cli: DceCli,
  resolved: ResolvedTarget,
  tmpRoot: string,
  log: CoreLog,
): Promise<void> {
  const { target, channelIds } = resolved;
  if (channelIds.length === 0) {
    throw new UserError(`Target '${target.name}' resolved no channels during preflight.`);
  }
  const probeDir = await ioStep(
    "create a preflight probe folder in",
    tmpRoot,
    () => Deno.makeTempDir({ dir: tmpRoot, prefix: "dce-preflight." }),
  );
  let accessible: string | null = null;
  const failed: string[] = [];
  const failedOn = (channelId: string, reason: string) =>
    `Target '${target.name}' failed authenticated preflight on channel '${channelId}'. DCE: ${reason}`;
  try {
    for (const channelId of channelIds) {
      if (accessible !== null) break;
      if (cli.signal?.aborted) throw new UserError("Preflight interrupted.");
      const probe = join(probeDir, `probe.${channelId}.json`);
      const result = await exportChannel(
        { ...cli },
        { channelId, outputPath: probe, before: probeBound(channelId) },
      );
      await Deno.remove(probe).catch(() => {});
      switch (result.outcome.kind) {
        case "ok":
        case "empty-range":
          accessible = channelId;
          break;
        case "access":
          log(`Preflight probe skipped channel ${channelId} (forbidden or inaccessible).`);
          break;
        case "forum":
          log(
            `Preflight probe skipped channel ${channelId} (a forum channel: only its threads export).`,
          );
          break;
        case "auth":
          throw new DceAuthError(`during preflight of target '${target.name}'`);
        case "disk-full":
          for (const t of result.tail.slice(-10)) log(`    | ${t.line}`);
          throw new UserError(failedOn(channelId, result.outcome.reason));
        default: {
          // One channel's failure (the network, a 5xx, a killed probe) is that channel's: the
          // scrape retries it and records it. Only when no channel answers is the run stopped.
          if (cli.signal?.aborted) throw new UserError("Preflight interrupted.");
          for (const t of result.tail.slice(-10)) log(`    | ${t.line}`);
          log(
            `Preflight probe of channel ${channelId} failed (${result.outcome.reason}); the scrape will retry it.`,
          );
          failed.push(failedOn(channelId, result.outcome.reason));
        }
      }
    }
  } finally {
    await Deno.remove(probeDir, { recursive: true }).catch(() => {});
  }
  if (accessible !== null) {
    log(
      `Preflight ok for target '${target.name}': token verified (${channelIds.length} channel(s) resolved, probe succeeded on ${accessible}) for ${target.outputDir}.`,
    );
    return;
  }
  if (failed.length > 0) throw new UserError(failed[0]!);
  if (resolved.seededCount > 0) {
    log(
      `Preflight ok for target '${target.name}' with warning: all ${channelIds.length} resolved channel(s) are inaccessible, but ${resolved.seededCount} seeded archive(s) exist under ${target.outputDir}.`,
    );
    return;
  }
  throw new UserError(
    `Target '${target.name}' failed preflight: every resolved channel is inaccessible and no seeded archives exist under ${target.outputDir}.`,
  );
}
