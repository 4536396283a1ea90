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
import {
  reportComparison,
  runIncrementalProof,
  targetSnapshot,
} from "../lib/ops/incremental_proof.ts";
import { UNATTENDED_USAGE, unattendedOptions } from "../lib/ops/unattended_args.ts";
import type { UnattendedOptions } from "../lib/ops/unattended_run.ts";
import {
  formatSnapshot,
  parseSnapshot,
  type SnapshotEntry,
} from "../lib/archive/archive_snapshot.ts";
import { readSmallTextFile, SIZE_CAP } from "../lib/fs/read_small_file.ts";

export const USAGE = `Usage:
  prove-incremental-append --target NAME [--config PATH] [--channel ID]...
                           [--quiet] [--wait SECONDS] [--conflict-exit-code N]
  prove-incremental-append --target NAME --snapshot-only --snapshot-file PATH [--config PATH] [--channel ID]...
  prove-incremental-append --compare-snapshots BEFORE.tsv AFTER.tsv

Takes the archive-root lock, snapshots every seeded archive (… [<id>].json) of the target, runs
"run-scrape-host scrape --config <c> --target NAME [--channel ID]..." under that lock, snapshots
again and fails if an archive vanished, lost messages, or appeared without existing before.
--snapshot-only and --compare-snapshots only read: no lock.
  --config PATH             config (default DCE_CONFIG_FILE, DCE_PRIMARY_CONFIG, <repo>/config/scrape-targets.json)
${UNATTENDED_USAGE}
Exit: 0 proof passed; 3 proof passed but the scrape was partial; 1 a check failed; N with
--conflict-exit-code when busy; 2 usage or missing config; 130/143/129 after SIGINT/SIGTERM/SIGHUP
(forwarded to the runner, which is waited for).`;

interface Args {
  target?: string;
  config?: string;
  channels: string[];
  snapshotOnly: boolean;
  snapshotFile?: string;
  compare?: [string, string];
  unattended: UnattendedOptions;
  /** One of --quiet, --wait, --conflict-exit-code was given. */
  unattendedGiven: boolean;
}

const OPTIONS = [
  "--target",
  "--config",
  "--channel",
  "--snapshot-only",
  "--snapshot-file",
  "--compare-snapshots",
  "--quiet",
  "--wait",
  "--conflict-exit-code",
];

/** Hand-rolled: --compare-snapshots takes two values. */
function parse(argv: string[]): Args {
  const args: Omit<Args, "unattended" | "unattendedGiven"> = { channels: [], snapshotOnly: false };
  const given: { quiet?: boolean; wait?: string; "conflict-exit-code"?: string } = {};
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
      case "--quiet":
        given.quiet = true;
        break;
      case "--wait":
        given.wait = value(i++, a);
        break;
      case "--conflict-exit-code":
        given["conflict-exit-code"] = value(i++, a);
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
  return {
    ...args,
    unattended: unattendedOptions(given, argv),
    unattendedGiven: Object.keys(given).length > 0,
  };
}

const SCREEN = { out: (l: string) => console.log(l), err: (l: string) => console.error(l) };

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
  if ((args.compare || args.snapshotOnly) && args.unattendedGiven) {
    throw new UsageError(
      "--quiet, --wait and --conflict-exit-code go with the full proof, not --snapshot-only or --compare-snapshots (they only read).",
    );
  }
  if (args.compare) {
    const [b, a] = args.compare;
    const before = await readSnapshot(b);
    const after = await readSnapshot(a);
    reportComparison(SCREEN, before, after);
    console.log("Snapshot comparison passed.");
    return 0;
  }
  if (!args.target) throw new UsageError("--target is required.");
  if (args.snapshotOnly && !args.snapshotFile) {
    throw new UsageError("--snapshot-file is required with --snapshot-only.");
  }
  const root = repoRoot();
  const env = Deno.env.toObject();
  const configPath = resolveSettings({ config: args.config, env, repoRoot: root }).configPath;
  if (args.snapshotOnly) {
    const dir = findTarget(await loadConfig(configPath), args.target).outputDir;
    const entries = await targetSnapshot(dir, args.channels, (l) => console.error(l));
    await Deno.writeTextFile(args.snapshotFile!, formatSnapshot(entries));
    console.log(`Snapshot written: ${args.snapshotFile}`);
    return 0;
  }
  return await runIncrementalProof({
    target: args.target,
    channels: args.channels,
    configPath,
    runnerConfig: runnerConfig(args.config, configPath, root),
    ...args.unattended,
    env,
    repoRoot: root,
  });
}

if (import.meta.main) await runMain({ name: "prove-incremental-append", usage: USAGE, main });
