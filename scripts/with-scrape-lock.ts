#!/usr/bin/env -S deno run --no-prompt -A
// with-scrape-lock: run any command while holding the archive-root scrape lock (like flock(1)).
import { runMain } from "../lib/cli/run_main.ts";
import { errorLine } from "../lib/cli/run_main.ts";
import { parseArgv } from "../lib/cli/parse_args.ts";
import { UsageError } from "../lib/cli/errors.ts";
import { parseConflictExitCode, parseWaitSeconds } from "../lib/lock/lock_wait_options.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { resolveSettings } from "../lib/config/resolve_settings.ts";
import { LockBusyError, resolveLockPath, runUnderLock } from "../lib/lock/mod.ts";

export const USAGE =
  `Usage: with-scrape-lock [--config PATH] [--wait SECONDS] [--conflict-exit-code N] -- CMD [ARGS...]

Runs CMD while holding the archive-root scrape lock; the lock is released when CMD ends.
  --config PATH            config whose archive_root holds the lock
                           (default DCE_CONFIG_FILE, DCE_PRIMARY_CONFIG, <repo>/config/scrape-targets.json)
  --wait SECONDS           keep trying a busy lock this long (default 0: fail at once)
  --conflict-exit-code N   exit status when the lock stays busy (default 1)
Exit: CMD's status; 1 (or N) busy; 2 usage, config or lock-path error; 127 CMD not found;
130/143/129 after SIGINT/SIGTERM/SIGHUP (forwarded to CMD's process group).`;

export const TOOL = "with-scrape-lock (dce-ops)";

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgv({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: "string" },
      wait: { type: "string" },
      "conflict-exit-code": { type: "string" },
    },
  });
  const wait = parseWaitSeconds(values.wait);
  const conflict = parseConflictExitCode(values["conflict-exit-code"]);
  const [command, ...args] = positionals;
  if (command === undefined) {
    throw new UsageError(
      "Missing command to run: give it after --, e.g. with-scrape-lock -- sleep 10",
    );
  }
  const root = repoRoot(Deno.env);
  const settings = resolveSettings({
    config: values.config,
    env: Deno.env.toObject(),
    repoRoot: root,
  });
  const resolved = resolveLockPath({
    configPath: settings.configPath,
    repoRoot: root,
    lockFile: settings.lockFile,
  });
  if (resolved.warning) console.error(resolved.warning);
  try {
    const result = await runUnderLock({
      path: resolved.path,
      command,
      args,
      tool: TOOL,
      checkout: root,
      waitSeconds: wait,
    });
    return result.exitCode;
  } catch (err) {
    if (err instanceof LockBusyError) {
      console.error(errorLine(err));
      return conflict;
    }
    throw err;
  }
}

if (import.meta.main) await runMain({ name: "with-scrape-lock", usage: USAGE, main });
