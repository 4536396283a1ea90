#!/usr/bin/env -S deno run --no-prompt -A
// run-failure-hook: runs the configured failure hook for the newest recorded run (systemd OnFailure=).
import { parseArgv } from "../lib/cli/parse_args.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { resolveSettings } from "../lib/config/resolve_settings.ts";
import { replayFailureHook } from "../lib/ops/failure_hook_replay.ts";
import { stderrWrite, stdoutWrite } from "../lib/ops/ops_log.ts";

export const USAGE = `Usage: run-failure-hook [--config PATH]

Runs the failure hook (unattended.failure_hook in the config, or DCE_FAILURE_HOOK) once, for the
newest run in {archive_root}/.dce-history.jsonl, whatever that run's result: for a scheduler that
learns of a failure itself, such as a systemd OnFailure= unit (whose main service sets
DCE_FAILURE_HOOK=none, so the run does not call the hook as well). The hook gets a digest built from
that history line on stdin and the run's DCE_RUN_* variables (docs/unattended.md#the-failure-hook).
When the config cannot be loaded the hook still runs if DCE_FAILURE_HOOK names one, with a digest
saying so.
  --config PATH   config (default DCE_CONFIG_FILE, DCE_PRIMARY_CONFIG, <repo>/config/scrape-targets.json)
Env: DCE_FAILURE_HOOK, DCE_HOOK_TIMEOUT_SECONDS, DCE_ENV_FILE (the env file is read as by the runs).
Exit: 0 the hook ran and exited 0, or no hook is configured; 1 the hook failed or timed out;
2 usage error or missing config (the hook still runs when the environment names one).`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgv({ args: argv, options: { config: { type: "string" } } });
  const env = Deno.env.toObject();
  const root = repoRoot();
  return await replayFailureHook({
    configPath: resolveSettings({ config: values.config, env, repoRoot: root }).configPath,
    env,
    repoRoot: root,
    out: { out: (line) => stdoutWrite(`${line}\n`), err: (line) => stderrWrite(`${line}\n`) },
  });
}

if (import.meta.main) await runMain({ name: "run-failure-hook", usage: USAGE, main });
