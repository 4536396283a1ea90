#!/usr/bin/env -S deno run --no-prompt -A
// prove-incremental-append: snapshot seeded archives, run one incremental scrape, prove nothing shrank,
// vanished or appeared unannounced (docs/archive.md#checking-archives; paths matched exactly, docs/bash-suite.md#h37-substring-path-matching).
import { join, resolve } from "node:path";
import {
  MissingValueError,
  UnexpectedArgumentError,
  UnknownOptionError,
  UsageError,
  UserError,
} from "../lib/cli/errors.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { loadConfig } from "../lib/config/load_config.ts";
import { findTarget } from "../lib/config/select_targets.ts";
import { resolveSettings } from "../lib/config/resolve_settings.ts";
import { runTool } from "../lib/ops/run_child.ts";
import {
  compareSnapshots,
  formatSnapshot,
  parseSnapshot,
  snapshotArchives,
  type SnapshotEntry,
} from "../lib/archive/archive_snapshot.ts";
import { readSmallTextFile, SIZE_CAP } from "../lib/fs/read_small_file.ts";

export const USAGE = `Usage:
  prove-incremental-append --target NAME [--config PATH] [--channel ID]...
  prove-incremental-append --target NAME --snapshot-only --snapshot-file PATH [--config PATH] [--channel ID]...
  prove-incremental-append --compare-snapshots BEFORE.tsv AFTER.tsv

Snapshots every seeded archive (… [<id>].json) of the target, runs
"run-scrape-host scrape --config <c> --target NAME [--channel ID]...", snapshots again and fails
if an archive vanished, lost messages, or appeared without existing before.
  --config PATH   config (default DCE_CONFIG_FILE, DCE_PRIMARY_CONFIG, <repo>/config/scrape-targets.json)
Exit: 0 proof passed, 1 a check failed, 2 usage or missing config, 130/143/129 after SIGINT/SIGTERM/SIGHUP
(forwarded to the runner, which is waited for).`;

interface Args {
  target?: string;
  config?: string;
  channels: string[];
  snapshotOnly: boolean;
  snapshotFile?: string;
  compare?: [string, string];
}

const OPTIONS = [
  "--target",
  "--config",
  "--channel",
  "--snapshot-only",
  "--snapshot-file",
  "--compare-snapshots",
];

/** Hand-rolled: --compare-snapshots takes two values. */
function parse(argv: string[]): Args {
  const args: Args = { channels: [], snapshotOnly: false };
  const value = (i: number, opt: string): string => {
    const v = argv[i + 1];
    if (v === undefined) throw new MissingValueError(opt);
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
          throw new UsageError("--compare-snapshots needs two paths: BEFORE.tsv AFTER.tsv.");
        }
        args.compare = [b, c];
        i += 2;
        break;
      }
      default:
        if (!a.startsWith("-")) throw new UnexpectedArgumentError(a);
        throw new UnknownOptionError(a, OPTIONS);
    }
  }
  return args;
}

async function readSnapshot(path: string): Promise<SnapshotEntry[]> {
  let text: string;
  try {
    text = await readSmallTextFile(path, { what: "Snapshot", maxBytes: SIZE_CAP.data });
  } catch (err) {
    if (err instanceof UserError) throw err;
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

/** The config argument the host runner gets: the container path for the repo default (docs/archive.md#checking-archives). */
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
  if (args.compare) {
    const [b, a] = args.compare;
    const before = await readSnapshot(b);
    const after = await readSnapshot(a);
    report(before, after);
    console.log("Snapshot comparison passed.");
    return 0;
  }
  if (!args.target) throw new UsageError("--target is required.");
  if (args.snapshotOnly && !args.snapshotFile) {
    throw new UsageError("--snapshot-file is required with --snapshot-only.");
  }
  const root = repoRoot();
  const configPath =
    resolveSettings({ config: args.config, env: Deno.env.toObject(), repoRoot: root }).configPath;
  const config = await loadConfig(configPath);
  const target = findTarget(config, args.target);
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
  // it, then stops with 128 + n (Interrupted) instead of leaving the scrape running.
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

if (import.meta.main) await runMain({ name: "prove-incremental-append", usage: USAGE, main });
