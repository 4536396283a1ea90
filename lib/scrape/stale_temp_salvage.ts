// Stale-temp salvage for one channel (§10.1): repair cut-off temps and merge them into the archive.
import { join } from "node:path";
import { ArchiveError } from "../archive/archive_error.ts";
import { readExportHeader } from "../archive/export_header.ts";
import { countMessages } from "../archive/export_queries.ts";
import { mergeExportIntoArchive } from "../archive/merge_export.ts";
import { repairTruncatedExport } from "../archive/repair_truncated_export.ts";
import type { SalvageOutcome, SalvageRequest } from "./archive_ops.ts";

export interface SalvageDeps {
  deriveDestination(outputDir: string, channelId: string, exportPath: string): Promise<string>;
}

async function stat(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/**
 * Unusable temps are moved to `.dce-temp/discarded/` instead of deleted (§14.15): the evidence
 * stays for an operator, and nothing picks it up again.
 */
async function discard(req: SalvageRequest, dir: string): Promise<void> {
  const bin = join(req.outputDir, ".dce-temp", "discarded");
  await Deno.mkdir(bin, { recursive: true });
  const name = dir.slice(dir.lastIndexOf("/") + 1);
  await Deno.rename(dir, join(bin, name));
}

export async function salvageStaleTemps(
  req: SalvageRequest,
  deps: SalvageDeps,
): Promise<SalvageOutcome> {
  const outcome: SalvageOutcome = { appended: 0, before: 0, after: 0, merged: false };
  const tempRoot = join(req.outputDir, ".dce-temp");
  const prefix = `export.${req.channelId}.`;
  let names: string[] = [];
  try {
    for await (const entry of Deno.readDir(tempRoot)) {
      if (entry.isDirectory && entry.name.startsWith(prefix)) names.push(entry.name);
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return outcome;
    throw err;
  }
  names = names.sort();
  let destination = req.destination;
  let firstBefore: number | null = null;
  for (const name of names) {
    const dir = join(tempRoot, name);
    const exportPath = join(dir, "export.json");
    const info = await stat(exportPath);
    if (info === null || info.size === 0) {
      await Deno.remove(dir, { recursive: true });
      continue;
    }
    const ageSeconds = (req.now.getTime() - (info.mtime?.getTime() ?? 0)) / 1000;
    if (!req.includeActive && ageSeconds < req.minAgeSeconds) {
      req.log(`  Stale temp still active (recently modified), skipping salvage: ${dir}`);
      continue;
    }
    const repair = await repairTruncatedExport(exportPath).catch((err) => {
      if (err instanceof ArchiveError) {
        return { status: "unrepairable" as const, reason: err.message };
      }
      throw err;
    });
    if (repair.status === "unrepairable") {
      req.log(
        `  Stale temp export unsalvageable, discarding: ${dir} (${repair.reason ?? "unknown"})`,
      );
      await discard(req, dir);
      continue;
    }
    const header = await readExportHeader(exportPath);
    if (header.channel.id && header.channel.id !== req.channelId) {
      req.log(
        `  Stale temp export wrong channel (${header.channel.id} != ${req.channelId}), discarding: ${dir}`,
      );
      await discard(req, dir);
      continue;
    }
    if ((await countMessages(exportPath)) === 0) {
      await Deno.remove(dir, { recursive: true });
      continue;
    }
    // Unknown destination: name it from the temp's header, as an export would (§14.17).
    destination ??= await deps.deriveDestination(req.outputDir, req.channelId, exportPath);
    try {
      const result = await mergeExportIntoArchive({
        archivePath: destination,
        exportPath,
        expectedChannelId: req.channelId,
        warn: (line) => req.log(`  ${line}`),
      });
      firstBefore ??= result.before;
      outcome.before = firstBefore;
      outcome.after = result.after;
      outcome.appended += result.delta;
      if (result.action === "CREATED") {
        req.log(
          `  SALVAGED ${destination} (${result.after} messages from stale temp, new archive)`,
        );
        outcome.merged = true;
      } else if (result.delta > 0) {
        req.log(
          `  SALVAGED ${destination} (+${result.delta} messages from stale temp, ${result.before} → ${result.after})`,
        );
        outcome.merged = true;
      } else {
        req.log(`  Stale temp merged with no new messages, discarding: ${dir}`);
      }
      await Deno.remove(dir, { recursive: true });
    } catch (err) {
      if (!(err instanceof ArchiveError)) throw err;
      req.log(`  Stale temp merge failed, retaining for retry: ${dir} (${err.message})`);
    }
  }
  return outcome;
}
