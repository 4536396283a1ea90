#!/usr/bin/env -S deno run --no-prompt -A
// run-scrape: the scrape core (bash run-discord-scrape.sh): scrape | preflight | salvage | list-targets.
import { runMain, standardFlag } from "../lib/cli/run_main.ts";
import { spawnGuarded } from "../lib/process/child_process.ts";
import {
  childExitCode,
  HostSignals,
  signalExitCode,
  signalExporter,
} from "../lib/process/signals.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { loadConfig } from "../lib/config/load_config.ts";
import { resolveSettings } from "../lib/config/resolve_settings.ts";
import { DEFAULT_CLI_BIN } from "../lib/scrape/core_options.ts";
import { isDceCliCommand, parseCoreArgs } from "../lib/scrape/parse_core_args.ts";
import { runCore } from "../lib/scrape/run_core.ts";
import { ScrapeCoreLock } from "../lib/lock/scrape_core_lock.ts";
import { exitAfterRelease } from "../lib/lock/release_reporting.ts";
import { writeAll } from "../lib/cli/output.ts";

export const USAGE = `Usage:
  run-scrape scrape     [--config PATH] [--target NAME]... [--guild ID]... [--channel ID]... [--strict]
                        [--wait SECONDS] [--conflict-exit-code N]
  run-scrape preflight  [same options]
  run-scrape salvage    [same options]
  run-scrape list-targets [--config PATH]
  run-scrape help | -h | --help
  run-scrape export|exportguild|exportdm|exportall|channels|dm|guilds|guide ...
                runs the DCE CLI (DCE_CLI_BIN) with those arguments; any other word is refused

  scrape      export every resolved channel after its archive's highest message id and merge it
              into the one archive file per channel; salvages stale temps first
  preflight   prove the token and each channel's access without downloading history
  salvage     merge partial exports (.dce-temp) into archives; never contacts Discord, no token
  list-targets  print name<TAB>kind<TAB>output_dir for every target

Options:
  --config PATH    default: DCE_CONFIG_FILE, DCE_PRIMARY_CONFIG, else <repo>/config/scrape-targets.json
                   or, when that does not exist, DCE_FALLBACK_CONFIG (/opt/dce-config/...)
  --target NAME    repeatable; default: every enabled target (a named target runs even if disabled)
  --guild ID       repeatable; restrict a guild target to these guilds (exactly one --target)
  --channel ID     repeatable; only these channels (exactly one --target; must belong to it)
  --strict         scrape: any skipped channel makes the run partial (exit 3), not only the
                   channels the config (or --channel) names
  --wait SECONDS   scrape, salvage: keep trying a busy archive-root lock this long (default 0)
  --conflict-exit-code N   exit status when the lock stays busy (default 1)

scrape and salvage hold the archive root's lock (as with-scrape-lock finds it) while they run,
or work under the lock of the run that started them (DCE_SCRAPE_LOCK_TOKEN);
DCE_SKIP_SCRAPE_LOCK=1 runs without it.

Environment: DISCORD_TOKEN (scrape, preflight), DCE_CLI_BIN, DCE_RUN_SUMMARY_JSON=1,
DCE_RUN_SUMMARY_FILE, DCE_STALE_TEMP_MIN_AGE_SECONDS (120), DCE_SALVAGE_ACTIVE_TEMPS=1, TMPDIR,
DCE_HEARTBEAT_SECONDS (60; 0 = none): a progress line while one export runs,
DCE_RETRY_DELAYS (seconds between tries of a channel after a transient failure, default 30,120;
none = no retry).
Exit: 0 ok; 3 partial (some channels failed or were killed after their retries, or a channel the
config names could not be exported; the others were scraped); 1 any failure that stops the run
(config, selection, auth, disk full); 2 usage error or missing config; 128+n when stopped by
signal n (partial temps kept); passthrough: the CLI's own code.`;

function stderrLine(line: string): void {
  try {
    writeAll(Deno.stderr, line + "\n");
  } catch (err) {
    if (!(err instanceof Deno.errors.BrokenPipe)) throw err;
  }
}

function settings(given: string | undefined) {
  return resolveSettings({ config: given, env: Deno.env.toObject(), repoRoot: repoRoot() });
}

export async function main(argv: string[]): Promise<number> {
  const command = parseCoreArgs(argv);
  const env = Deno.env.toObject();
  if (command.kind === "help") {
    console.log(USAGE);
    return 0;
  }
  if (command.kind === "list-targets") {
    const config = await loadConfig(settings(command.config).configPath);
    for (const t of config.targets) console.log(`${t.name}\t${t.kind}\t${t.outputDir}`);
    return 0;
  }
  if (command.kind === "passthrough") {
    return await passthrough(env.DCE_CLI_BIN || DEFAULT_CLI_BIN, command.args);
  }

  const controller = new AbortController();
  const signals = new HostSignals().install();
  // First signal: stop cleanly (export group killed, temp kept). Second: leave at once.
  signals.forwardTo((signal, repeat) => {
    if (repeat) Deno.exit(signalExitCode(signal));
    controller.abort(signal);
  });
  const { configPath, lockFile } = settings(command.config);
  // Preflight writes nothing under the archive root: no lock, as with run-scrape-host.
  const lock = command.mode === "preflight" ? null : new ScrapeCoreLock({
    configPath,
    lockFile,
    repoRoot: repoRoot(),
    checkout: repoRoot(),
    env: Deno.env,
    warn: stderrLine,
    waitSeconds: command.waitSeconds,
    conflictExitCode: command.conflictExitCode,
    signal: controller.signal,
    cmd: ["run-scrape", ...argv],
    tool: "run-scrape (dce-ops)",
  });
  let code = 1;
  try {
    const result = await runCore({
      mode: command.mode,
      configPath,
      targets: command.targets,
      guilds: command.guilds,
      channels: command.channels,
      strict: command.strict,
      env,
      log: stderrLine,
      signal: controller.signal,
      beforeWork: () => lock?.take() ?? Promise.resolve(),
      onExportChild: (pid) => lock?.recordChild(pid),
    });
    code = result.exitCode;
  } finally {
    // Never throws: a failed release is one ERROR line, and only a clean 0 becomes 1.
    const released = (await lock?.release()) ?? true;
    code = exitAfterRelease(code, released);
    signals.dispose();
  }
  return code;
}

/** `run-scrape <other args>` runs the CLI itself (the bash core exec'd it), passing signals on. */
async function passthrough(bin: string, args: string[]): Promise<number> {
  const { child, pid } = spawnGuarded(bin, args);
  const signals = new HostSignals().install();
  signals.forwardTo((signal) => signalExporter(pid, signal, false));
  try {
    return childExitCode(await child.status);
  } finally {
    signals.dispose();
  }
}

if (import.meta.main) {
  await runMain({
    name: "run-scrape",
    usage: USAGE,
    main,
    // `run-scrape export --help` is the DCE CLI's help, not ours.
    standardFlag: (argv) => isDceCliCommand(argv[0]) ? undefined : standardFlag(argv),
  });
}
