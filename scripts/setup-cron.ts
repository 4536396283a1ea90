#!/usr/bin/env -S deno run --no-prompt -A
// setup-cron: installs (or shows, or removes) the crontab block that runs the documents scrape on a schedule.
import { parseArgv } from "../lib/cli/parse_args.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { OpsLog } from "../lib/ops/ops_log.ts";
import { SCHEDULER_OPTIONS, schedulerRequest } from "../lib/ops/scheduler_options.ts";
import { DEFAULT_JOB, setupCron } from "../lib/ops/setup_cron.ts";

export const USAGE = `Usage: setup-cron [--interval monthly|weekly|daily] [--at HH:MM] [--cron EXPR]
                  [--target NAME]... [--guild ID]... [--channel ID]... [--salvage-before-scrape]
                  [--config PATH] [--env-file PATH] [--log-dir DIR | --log-file PATH] [--job NAME]
                  [--metrics-file PATH] [--skip-preflight] [--dry-run]
       setup-cron --remove [--job NAME] [--dry-run]   (other options are accepted and ignored)

Installs a "# BEGIN <job>" / "# END <job>" block in your crontab that runs
  cd <repo> && ... DCE_LOG_DIR=<dir> <repo>/dce run-documents-scrape --quiet ... --config <config>
Other crontab lines are never touched; running it again replaces the block in place.
  --interval/--at   schedule (default monthly on the 1st at 04:00; weekly = Sundays); the hour
                    is written as typed (--at 03:15 gives "15 03")
  --cron EXPR       five-field cron schedule instead (or @daily, @weekly, @monthly, ...)
  --job NAME        block name (default ${DEFAULT_JOB})
  --log-dir DIR     each run writes its own log and summary here, pruned by retention (default
                    DCE_LOG_DIR, else <repo>/logs)
  --log-file PATH   one log every run appends to instead (default DCE_LOG_FILE); it is yours:
                    never pruned
  --metrics-file PATH  each run writes a node_exporter textfile there (run-documents-scrape's
                    --metrics-file)
  --skip-preflight  do not run the host runner's preflight before installing
  --dry-run         print the block (or what --remove would delete); change nothing
Env: DCE_CRONTAB_BIN (crontab binary), DCE_CONFIG_FILE, DCE_ENV_FILE, DCE_COMPOSE_FILE; DCE_EXPORTER,
DCE_CLI_BIN, DCE_COMPOSE_BIN, DCE_DOCKER_BIN, DCE_MIN_FREE_MB are copied into the line. Rerun it
after an upgrade: an installed line keeps what it was given when it was installed.
Exit: 0 done, 1 failure (preflight, crontab, config), 2 usage error (bad schedule or options).`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgv({
    args: argv,
    options: { ...SCHEDULER_OPTIONS, job: { type: "string" } },
  });
  using log = await OpsLog.open(undefined);
  await setupCron({
    ...schedulerRequest(values, Deno.env.toObject(), repoRoot()),
    job: values.job ?? DEFAULT_JOB,
    out: log,
  });
  return 0;
}

if (import.meta.main) await runMain({ name: "setup-cron", usage: USAGE, main });
