#!/usr/bin/env -S deno run --no-prompt -A
// run-scrape-host: the tool cron and the workflows call; runs preflight/scrape/salvage via compose or the DCE CLI.
import { UsageError, UserError } from "../lib/cli/errors.ts";
import { RunDigest } from "../lib/cli/run_digest.ts";
import { LockBusyError } from "../lib/lock/acquire_lock.ts";
import { quietOutput, teeOutput } from "../lib/host/quiet_output.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { reportUserError, runMain } from "../lib/cli/run_main.ts";
import { parseHostArgs } from "../lib/host/host_args.ts";
import { runHostCore } from "../lib/host/host_core_runner.ts";
import { writerSink } from "../lib/host/host_output_tail.ts";
import { runHost } from "../lib/host/host_run.ts";
import type { HostOutput, HostSeen } from "../lib/host/host_run_options.ts";
import { endHostRun } from "../lib/ops/host_run_end.ts";
import { HostSignals } from "../lib/process/signals.ts";
import { TOKEN_PRECEDENCE } from "../lib/host/token_source.ts";
import { stderrWrite, stdoutWrite } from "../lib/ops/ops_log.ts";

export const USAGE = `Usage:
  run-scrape-host preflight [core options...]
  run-scrape-host scrape    [core options...]
  run-scrape-host salvage   [core options...]
  runner options, anywhere: --env-file PATH  --compose-file PATH  --exporter cli|compose  --help|-h
                            --quiet  --wait SECONDS  --conflict-exit-code N  --metrics-file PATH

The first preflight|scrape|salvage is the subcommand; any other word before it is an error.
  preflight  verify the token and access (probe export); never takes the lock
  scrape     incremental export into the archives; takes the archive-root lock
  salvage    merge partial exports left by an interrupted run; no Discord access, no token;
             takes the lock; always runs on this host

Core options (after the subcommand):
  --config PATH     scrape-targets.json; a relative path starts at the current folder; /config/<x>
                    that does not exist here means <repo>/config/<x>. Default: DCE_CONFIG_FILE,
                    DCE_PRIMARY_CONFIG, <repo>/config/scrape-targets.json (docs/cli.md).
                    The lock, disk check, plan and export all use this one file.
  --target NAME     repeatable; default: every enabled target
  --guild ID        repeatable; needs exactly one --target
  --channel ID      repeatable; needs exactly one --target
  --strict          scrape: any skipped channel makes the run partial (exit 3), not only the
                    channels the config (or --channel) names

Runner options:
  --env-file PATH      settings file (NAME=value lines; no expansion). Default: DCE_ENV_FILE,
                       else <repo>/scrape.env (optional unless given explicitly)
  --compose-file PATH  default: DCE_COMPOSE_FILE, else <repo>/docker-compose.yml
  --exporter KIND      compose: '<compose> run --rm discord-scraper <subcommand> ...';
                       cli: the DCE CLI on this host (DCE_CLI_BIN), our core in this process.
                       Default: DCE_EXPORTER, else compose when the compose file exists, else cli.
  --quiet              nothing on stdout/stderr when the run succeeds; a failed or partial run
                       prints a short digest (ERROR/FAILED/PARTIAL lines, exit code) on stderr;
                       a busy lock prints nothing
  --wait SECONDS       keep trying a busy lock this long (default 0)
  --conflict-exit-code N  exit status when the lock stays busy (default 1)
  --metrics-file PATH  scrape, salvage: write the run's outcome as a node_exporter textfile
                       (replaced atomically; docs/unattended.md#metrics-file)

Run on its own, a scrape or salvage (not a preflight) appends one line to
{archive_root}/.dce-history.jsonl and, when it failed, was partial or interrupted, runs the failure
hook (unattended.failure_hook, or DCE_FAILURE_HOOK) with the digest on stdin. As a step of
run-documents-scrape it leaves that to the workflow (one run, one record).

Settings: every variable may be exported or set in the env file; an exported non-empty value wins.
  DISCORD_TOKEN, DISCORD_TOKEN_FILE   the token, or a file whose first line is the token
  DCE_REAUTH_COMMAND   absolute path of an executable inside the repo, run once before the auth
                       retry (checked before the run starts)
  DCE_CLI_BIN          DCE CLI for --exporter cli (default /opt/app/DiscordChatExporter.Cli)
  DCE_COMPOSE_BIN      compose program, e.g. "podman compose" (default: podman-compose if podman
                       works, else docker-compose, else "docker compose")
  DCE_DOCKER_BIN       docker program (default docker); setting it turns that auto-detection off
  DCE_COMPOSE_TTY      0 adds -T to compose run (no TTY; use under cron); default 1
  DCE_CONTAINER_MEMORY container memory cap (default 0 = none; a single --target's
                       container_memory applies when this is unset or 0)
  DCE_USERNS_MODE, DCE_UID, DCE_GID  passed to compose (userns keep-id is set under podman)
  DCE_ARCHIVE_ROOT     if set, must equal the config's archive_root (the container bind mount)
  DCE_RUN_SUMMARY_JSON 1 makes the core print a DCE_JSON_SUMMARY: line
  DCE_RUN_SUMMARY_FILE JSON run summary file (/logs/<x> means <repo>/logs/<x>); filled from the
                       run's DCE_JSON_SUMMARY: line when the export did not write it
  DCE_MIN_FREE_MB      free MiB needed on the archive and repo filesystems (default 1024; <= 0 skips)
  DCE_SKIP_DISK_CHECK  1 skips the disk check
  DCE_SCRAPE_LOCK_FILE lock path override; DCE_SKIP_SCRAPE_LOCK=1 runs without the lock
  DCE_STALE_TEMP_MIN_AGE_SECONDS, DCE_SALVAGE_ACTIVE_TEMPS  salvage tuning, passed to the core
  DCE_HEARTBEAT_SECONDS  a progress line this often while one export runs (default 60; 0 = none)
  DCE_RETRY_DELAYS     seconds between tries of a channel after a transient failure (default
                       30,120; none = no retry), passed to the core
  DCE_FAILURE_HOOK, DCE_HOOK_TIMEOUT_SECONDS  the failure hook (docs/config.md)
  DCE_REPO_ROOT        repository root override; TMPDIR  where the 0600 token env file is made

Token precedence (first non-empty wins):
${TOKEN_PRECEDENCE.map((s, i) => `  ${i + 1}. ${s}`).join("\n")}
A named token file that is missing, unreadable or empty is an error. The token reaches compose
only through a 0600 temp env file (removed on exit, also on signals), the CLI only through its
environment; never argv.

On an auth failure ('Authentication token is invalid', or 'Request to 'channels/…' failed:
forbidden.') the run is retried exactly once after re-reading the token sources.

Exit: 0 ok; 3 partial (the scrape finished; some channels were not exported); 1 failure (bad
config, missing tool, lock held, no token, export failure: the exporter's exit code is shown in
the error line); N with --conflict-exit-code when the lock stays busy; 2 usage error or missing
config; 130/143/129 after SIGINT/SIGTERM/SIGHUP (forwarded to the exporter, lock released).`;

export async function main(argv: string[]): Promise<number> {
  // Before anything is spawned: a child started earlier would inherit an ignored SIGINT.
  const signals = new HostSignals().install();
  try {
    const args = parseHostArgs(argv);
    if (args.subcommand === undefined) {
      throw new UsageError(
        "Missing subcommand: use 'preflight', 'scrape' or 'salvage' (see --help).",
      );
    }
    const start = new Date();
    const exported = Deno.env.toObject();
    const root = repoRoot();
    // The digest is kept in every mode: the failure hook reads it; --quiet prints it.
    const digest = new RunDigest();
    const screen = {
      output: {
        out: (line: string) => stdoutWrite(`${line}\n`),
        err: (line: string) => stderrWrite(`${line}\n`),
      } as HostOutput,
      stdout: writerSink(Deno.stdout),
      stderr: writerSink(Deno.stderr),
    };
    const { output, stdout, stderr } = args.quiet
      ? quietOutput(digest)
      : teeOutput(screen, quietOutput(digest));
    const seen: HostSeen = {};
    let code: number;
    let busy = false;
    try {
      code = await runHost({
        args: { ...args, subcommand: args.subcommand },
        exported,
        repoRoot: root,
        cwd: Deno.cwd(),
        home: Deno.env.get("HOME"),
        tmpDir: Deno.env.get("TMPDIR") || "/tmp",
        interactive: Deno.stdin.isTerminal() && Deno.stdout.isTerminal(),
        output,
        stdout,
        stderr,
        signals,
        runCore: runHostCore,
        argv,
        seen,
      });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      // Busy is not this run's failure: the holder reports for both (--quiet: nothing at all).
      busy = err instanceof LockBusyError;
      // Printed (and kept for the hook's digest) as runMain would print it.
      const print = (line: string) => {
        if (!args.quiet) stderrWrite(`${line}\n`);
        if (!busy) digest.note(line);
      };
      code = reportUserError(err, print);
      if (busy) code = args.conflictExitCode ?? code;
    }
    const lines = digest.lines({ tool: "run-scrape-host", exitCode: code });
    if (args.quiet && code !== 0 && !busy) {
      for (const line of lines) stderrWrite(`${line}\n`);
    }
    await endHostRun({
      sub: args.subcommand,
      args,
      start,
      end: new Date(),
      exitCode: code,
      busy,
      seen,
      exported,
      ppid: Deno.ppid,
      repoRoot: root,
      digest: lines,
      // No log of its own: the hook's output is shown without --quiet, dropped with it.
      out: args.quiet ? () => {} : (line) => stderrWrite(`${line}\n`),
      warn: (line) => stderrWrite(`${line}\n`),
    });
    return code;
  } finally {
    signals.dispose();
  }
}

if (import.meta.main) await runMain({ name: "run-scrape-host", usage: USAGE, main });
