#!/usr/bin/env -S deno run --no-prompt -A
// setup-systemd: installs (or shows, or removes) the systemd service and timer that run the documents scrape on a schedule.
import { UsageError } from "../lib/cli/errors.ts";
import { parseArgv } from "../lib/cli/parse_args.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { OpsLog } from "../lib/ops/ops_log.ts";
import { SCHEDULER_OPTIONS, schedulerRequest } from "../lib/ops/scheduler_options.ts";
import { DEFAULT_UNIT, setupSystemd } from "../lib/ops/setup_systemd.ts";

export const USAGE =
  `Usage: setup-systemd [--interval monthly|weekly|daily] [--at HH:MM] [--on-calendar EXPR]
                     [--randomized-delay SPAN] [--target NAME]... [--guild ID]... [--channel ID]...
                     [--salvage-before-scrape] [--config PATH] [--env-file PATH]
                     [--log-dir DIR | --log-file PATH] [--metrics-file PATH] [--unit NAME]
                     [--system [--run-as USER]] [--skip-preflight] [--dry-run]
       setup-systemd --show [--unit NAME] [--system]
       setup-systemd --remove [--unit NAME] [--system] [--dry-run]   (other options are ignored)

Writes three systemd units and enables the timer (systemctl daemon-reload, enable --now):
  <unit>.service          Type=oneshot: <repo>/dce run-documents-scrape --quiet
                          --conflict-exit-code 75 --config <config> ...; exit 75 (busy) counts as
                          success; its output goes to the journal (journalctl --user -u <unit>)
  <unit>-failure.service  started by OnFailure=: <repo>/dce run-failure-hook --config <config>
  <unit>.timer            OnCalendar=<schedule>, Persistent=true (a missed run happens at boot)
User units go to ~/.config/systemd/user; --system writes /etc/systemd/system instead (run as root;
--run-as USER sets User=). Running it again with the same options changes nothing; a unit file
setup-systemd did not write, or one written from another checkout, is never overwritten.
  --interval/--at     schedule as setup-cron's: monthly (1st, 04:00), weekly (Sundays), daily
  --on-calendar EXPR  a systemd calendar expression instead, e.g. 'Mon..Fri *-*-* 02:30:00'
  --randomized-delay  RandomizedDelaySec= (e.g. 30min): spread the start
  --log-dir/--log-file  as setup-cron's: each run's own log in DCE_LOG_DIR (default <repo>/logs),
                      or one log every run appends to
  --metrics-file PATH each run writes a node_exporter textfile there
  --unit NAME         unit name (default ${DEFAULT_UNIT}); a second checkout needs its own
  --skip-preflight    do not run the host runner's preflight before installing
  --dry-run           print the units and their diff against what is installed; change nothing
Without a schedule option a reinstall keeps the installed timer's schedule.
Env: DCE_SYSTEMCTL_BIN (systemctl binary), DCE_SYSTEMD_UNIT_DIR (unit folder), DCE_CRONTAB_BIN,
DCE_CONFIG_FILE, DCE_ENV_FILE, DCE_COMPOSE_FILE; DCE_EXPORTER, DCE_CLI_BIN, DCE_COMPOSE_BIN,
DCE_DOCKER_BIN, DCE_LOG_DIR, DCE_MIN_FREE_MB are copied into the service's Environment=.
Exit: 0 done, 1 failure (preflight, systemctl, a unit file in the way, config), 2 usage error.`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgv({
    args: argv,
    options: {
      ...SCHEDULER_OPTIONS,
      "on-calendar": { type: "string" },
      "randomized-delay": { type: "string" },
      show: { type: "boolean" },
      unit: { type: "string" },
      system: { type: "boolean" },
      "run-as": { type: "string" },
    },
  });
  if (values.show && values.remove) {
    throw new UsageError("Use either --show or --remove, not both.");
  }
  if (values["run-as"] !== undefined && !values.system) {
    throw new UsageError("--run-as sets User= in a system unit; add --system.");
  }
  using log = await OpsLog.open(undefined);
  await setupSystemd({
    ...schedulerRequest(values, Deno.env.toObject(), repoRoot()),
    unit: values.unit ?? DEFAULT_UNIT,
    system: values.system ?? false,
    show: values.show ?? false,
    onCalendar: values["on-calendar"],
    randomizedDelay: values["randomized-delay"],
    runAs: values["run-as"],
    out: log,
  });
  return 0;
}

if (import.meta.main) await runMain({ name: "setup-systemd", usage: USAGE, main });
