#!/usr/bin/env -S deno run --no-prompt -A
// scrape-lock-status: read-only report of the archive-root scrape lock (drop-in for scrape-lock-status.sh).
import { runMain } from "../lib/cli/run_main.ts";
import {
  MissingValueError,
  UnexpectedArgumentError,
  UnknownOptionError,
} from "../lib/cli/errors.ts";
import { resolveSettings } from "../lib/config/resolve_settings.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
// The modules the report needs, not the lock's whole API (lib/lock/mod.ts pulls in acquisition):
// start-up time is this tool's main cost. Reclaiming is loaded only when asked for.
import { readConfigJson, resolveLockPath } from "../lib/lock/resolve_lock_path.ts";
import { readLockStatus } from "../lib/lock/read_lock_status.ts";
import { statusBody, statusHeader, statusJson } from "../lib/lock/format_status.ts";

export const USAGE =
  `Usage: scrape-lock-status [--config PATH] [--reclaim-stale] [--json] [--help|-h]

Reports the archive-root scrape lock without touching it.
  --config PATH     config whose archive_root holds the lock
                    (default DCE_CONFIG_FILE, DCE_PRIMARY_CONFIG, <repo>/config/scrape-targets.json)
  --reclaim-stale   clear a lock whose holder is provably dead (never a live or foreign one)
  --json            print one JSON object instead of the text report
Exit: 0 free or stale (a scrape may start), 1 held, 2 usage/config error or refused reclaim.`;

interface Options {
  config?: string;
  reclaim: boolean;
  json: boolean;
}

/** Hand-rolled: an empty --config= is a missing value, not the default. */
function parse(argv: string[]): Options {
  const opts: Options = { reclaim: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--config") {
      const value = argv[++i];
      if (value === undefined || value === "") throw new MissingValueError("--config");
      opts.config = value;
    } else if (arg.startsWith("--config=")) {
      const value = arg.slice("--config=".length);
      if (value === "") throw new MissingValueError("--config");
      opts.config = value;
    } else if (arg === "--reclaim-stale") opts.reclaim = true;
    else if (arg === "--json") opts.json = true;
    else if (!arg.startsWith("-")) throw new UnexpectedArgumentError(arg);
    else throw new UnknownOptionError(arg, ["--config", "--reclaim-stale", "--json"]);
  }
  return opts;
}

export async function main(argv: string[]): Promise<number> {
  const opts = parse(argv);
  const root = repoRoot(Deno.env);
  const settings = resolveSettings({
    config: opts.config,
    env: Deno.env.toObject(),
    repoRoot: root,
  });
  const config = settings.configPath;
  readConfigJson(config); // Missing config / Invalid JSON config → exit 2, as the bash tool
  const resolved = resolveLockPath({
    configPath: config,
    repoRoot: root,
    lockFile: settings.lockFile,
  });
  if (resolved.warning) console.error(resolved.warning);
  const status = readLockStatus(resolved.path);
  const exitCode = status.state === "held" ? 1 : 0;
  let reclaimed: string[] | undefined;
  if (opts.reclaim && status.state !== "held" && status.lockFileExists) {
    const { reclaimStale } = await import("../lib/lock/reclaim_stale.ts");
    reclaimed = (await reclaimStale(resolved.path)).lines;
  }
  if (opts.json) {
    const extra = {
      config,
      source: resolved.source,
      exitCode,
      ...(resolved.warning ? { warning: resolved.warning } : {}),
      ...(reclaimed ? { reclaimed } : {}),
    };
    console.log(JSON.stringify(statusJson(status, extra)));
    return exitCode;
  }
  const lines = [...statusHeader(config, resolved.path), ...statusBody(status)];
  if (reclaimed) lines.push(...reclaimed);
  console.log(lines.join("\n"));
  return exitCode;
}

if (import.meta.main) await runMain({ name: "scrape-lock-status", usage: USAGE, main });
