#!/usr/bin/env -S deno run --no-prompt -A
// prove-incremental-append: snapshot seeded archives, run one incremental scrape, prove nothing shrank,
// vanished or appeared unannounced (§8.13; paths matched exactly, §14.37).
import { join, resolve } from "node:path";
import { UserError } from "../lib/cli/errors.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { loadConfig } from "../lib/config/load_config.ts";
import { opsConfigPath } from "../lib/ops/ops_config_path.ts";
import { runTool } from "../lib/ops/run_child.ts";
import {
  compareSnapshots,
  formatSnapshot,
  parseSnapshot,
  snapshotArchives,
  type SnapshotEntry,
} from "../lib/archive/archive_snapshot.ts";

const USAGE = `Usage:
  prove-incremental-append --target NAME [--config PATH] [--channel ID]...
  prove-incremental-append --target NAME --snapshot-only --snapshot-file PATH [--config PATH] [--channel ID]...
  prove-incremental-append --compare-snapshots BEFORE.tsv AFTER.tsv

Snapshots every seeded archive (… [<id>].json) of the target, runs
"run-scrape-host scrape --config <c> --target NAME [--channel ID]...", snapshots again and fails
if an archive vanished, lost messages, or appeared without existing before.
  --config PATH   config (default DCE_PRIMARY_CONFIG, DCE_CONFIG_FILE, <repo>/config/scrape-targets.json)
Exit: 0 proof passed, 1 a check failed or bad input, 130/143/129 after SIGINT/SIGTERM/SIGHUP
(forwarded to the runner, which is waited for).`;

interface Args {
  target?: string;
  config?: string;
  channels: string[];
  snapshotOnly: boolean;
  snapshotFile?: string;
  compare?: [string, string];
  help: boolean;
}

/** The bash tool's own parser: every unknown word is "Unknown option" with exit 1. */
function parse(argv: string[]): Args {
  const args: Args = { channels: [], snapshotOnly: false, help: false };
  const value = (i: number, opt: string): string => {
    const v = argv[i + 1];
    if (v === undefined) throw new UserError(`Missing value for ${opt}.`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    switch (a) {
      case "--target":
        args.target = value(i++, a);
        break;
      case "--config":
        args.config = value(i++, a);
        break;
      case "--channel":
        args.channels.push(value(i++, a));
        break;
      case "--snapshot-only":
        args.snapshotOnly = true;
        break;
      case "--snapshot-file":
        args.snapshotFile = value(i++, a);
        break;
      case "--compare-snapshots": {
        const b = argv[i + 1];
        const c = argv[i + 2];
        if (b === undefined || c === undefined) {
          throw new UserError("Missing paths for --compare-snapshots.");
        }
        args.compare = [b, c];
        i += 2;
        break;
      }
      case "-h":
      case "--help":
        args.help = true;
        break;
      default:
        throw new UserError(`Unknown option: ${a}`);
    }
  }
  return args;
}

async function readSnapshot(path: string): Promise<SnapshotEntry[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    throw new UserError(`Missing snapshot: ${path}`);
  }
  return parseSnapshot(text, path);
}

function report(before: SnapshotEntry[], after: SnapshotEntry[]): number {
  const result = compareSnapshots(before, after);
  for (const line of result.ok) console.log(line);
  for (const line of result.failures) console.error(line);
  if (result.failures.length > 0) {
    throw new UserError(`${result.failures.length} archive integrity check(s) failed.`);
  }
  return 0;
}

/** The config argument the host runner gets: the container path for the repo default (§8.13). */
function runnerConfig(given: string | undefined, resolved: string, root: string): string {
  const repoDefault = join(root, "config", "scrape-targets.json");
  const isDefault = given === undefined || resolve(given) === repoDefault ||
    given === "config/scrape-targets.json" || given === "./config/scrape-targets.json";
  if (isDefault && resolved === repoDefault) {
    return Deno.env.get("DCE_CONTAINER_CONFIG") || "/config/scrape-targets.json";
  }
  return resolved;
}

export async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.compare) {
    const [b, a] = args.compare;
    const before = await readSnapshot(b);
    const after = await readSnapshot(a);
    report(before, after);
    console.log("Snapshot comparison passed.");
    return 0;
  }
  if (!args.target) throw new UserError("--target is required.");
  if (args.snapshotOnly && !args.snapshotFile) {
    throw new UserError("--snapshot-file is required with --snapshot-only.");
  }
  const root = repoRoot();
  const configPath = opsConfigPath(args.config, Deno.env.toObject(), root, "DCE_PRIMARY_CONFIG");
  const config = await loadConfig(configPath);
  const target = config.targets.find((t) => t.name === args.target);
  if (!target) throw new UserError(`Unknown target: ${args.target}`);
  const dir = target.outputDir;
  const snapshot = async (): Promise<SnapshotEntry[]> => {
    try {
      const info = await Deno.stat(dir);
      if (!info.isDirectory) throw new Error("not a directory");
    } catch {
      throw new UserError(`Missing output_dir: ${dir}`);
    }
    const entries = await snapshotArchives(dir, args.channels, (l) => console.error(l));
    if (entries.length === 0) {
      throw new UserError(`No seeded archives found under ${dir} for channel filter.`);
    }
    return entries;
  };

  if (args.snapshotOnly) {
    const entries = await snapshot();
    await Deno.writeTextFile(args.snapshotFile!, formatSnapshot(entries));
    console.log(`Snapshot written: ${args.snapshotFile}`);
    return 0;
  }

  const before = await snapshot();
  if (args.channels.length > 0) {
    console.log(`Channel-scoped proof for ${args.channels.length} channel(s).`);
  }
  console.log(`Running incremental scrape for target ${args.target}...`);
  const runnerArgs = [
    "scrape",
    "--config",
    runnerConfig(args.config, configPath, root),
    "--target",
    args.target,
    ...args.channels.flatMap((c) => ["--channel", c]),
  ];
  // runTool forwards SIGINT/SIGTERM/SIGHUP to the runner (which may hold the scrape lock), waits for
  // it, then stops with 128 + n (InterruptedError) instead of leaving the scrape running.
  const output = { out: (l: string) => console.log(l), err: (l: string) => console.error(l) };
  const code = await runTool(output, root, "run-scrape-host", runnerArgs);
  if (code !== 0) {
    throw new UserError(
      `Incremental scrape failed for target ${args.target} (exit ${code}); nothing was compared.`,
    );
  }
  const after = await snapshot();
  report(before, after);
  console.log(`Append-safe proof passed for target ${args.target}.`);
  return 0;
}

if (import.meta.main) await runMain(main);
