// setup-systemd: installs, shows or removes the service and timer units that run the documents scrape
// on a schedule (docs/unattended.md#systemd).
import { join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { loadConfig } from "../config/load_config.ts";
import { exists } from "../fs/file_predicates.ts";
import { selectTargets } from "../config/select_targets.ts";
import { installPreflight } from "./install_preflight.ts";
import type { OpsOutput } from "./ops_log.ts";
import { scheduledRunArgv, scheduledRunEnv } from "./scheduled_run.ts";
import type { SchedulerRequest } from "./scheduler_options.ts";
import { Systemctl } from "./systemctl.ts";
import { cronLinesForConfig } from "./systemd_cron_overlap.ts";
import { checkUnitName, installedUnits, refuseForeign, textOf } from "./systemd_installed.ts";
import { removeUnits, showUnits } from "./systemd_remove_show.ts";
import {
  checkRandomizedDelay,
  chooseOnCalendar,
  onCalendarOf,
  type ScheduleChoice,
} from "./systemd_schedule.ts";
import { unitDir, writeUnit } from "./systemd_unit_files.ts";
import { buildUnits, unitFileNames } from "./systemd_units.ts";
import { textDiff } from "./text_diff.ts";

export const DEFAULT_UNIT = "dce-scrape";

export interface SetupSystemdOptions extends SchedulerRequest, ScheduleChoice {
  unit: string;
  system: boolean;
  show: boolean;
  randomizedDelay?: string | undefined;
  runAs?: string | undefined;
  out: OpsOutput;
}

export async function setupSystemd(opts: SetupSystemdOptions): Promise<void> {
  const name = checkUnitName(opts.unit);
  const dir = unitDir(opts.system, opts.env);
  const systemctl = new Systemctl(opts.env, opts.system);
  // As setup-cron --remove: the units go by name alone; other options are accepted and ignored.
  if (opts.remove) return await removeUnits(dir, name, systemctl, opts);
  if (opts.show) return await showUnits(dir, name, systemctl, opts.out);
  return await installUnits(dir, name, systemctl, opts);
}

async function installUnits(
  dir: string,
  name: string,
  systemctl: Systemctl,
  opts: SetupSystemdOptions,
): Promise<void> {
  // Check the schedule and the selection before anything runs or is written.
  chooseOnCalendar(opts, undefined);
  const randomizedDelay = opts.randomizedDelay === undefined
    ? undefined
    : checkRandomizedDelay(opts.randomizedDelay);
  const config = await loadConfig(opts.configPath);
  selectTargets(config, opts.targets, { guilds: opts.guilds, channels: opts.channels });
  const current = await installedUnits(dir, name);
  refuseForeign(current, name, opts.repoRoot);
  const timerNow = textOf(current[2]!);
  const kept = timerNow === undefined ? undefined : onCalendarOf(timerNow);
  const units = buildUnits({
    name,
    repoRoot: opts.repoRoot,
    configPath: opts.configPath,
    env: await scheduledRunEnv(opts),
    argv: scheduledRunArgv(opts),
    onCalendar: chooseOnCalendar(opts, kept),
    randomizedDelay,
    runAs: opts.runAs,
  });
  const changed = units.filter((u, i) => textOf(current[i]!) !== u.text);
  const timer = unitFileNames(name).timer;

  for (const line of await cronLinesForConfig(opts.env, opts.configPath)) {
    opts.out.err(
      `WARNING: your crontab also runs this config's scrape; remove it with './dce setup-cron --remove' (and --job NAME if it is not the default) so only one scheduler runs it: ${line}`,
    );
  }
  if (opts.dryRun) {
    opts.out.out(`Dry run: would install these units in ${dir} (nothing is changed):`);
    units.forEach((unit, i) => {
      opts.out.out("");
      opts.out.out(`# ${join(dir, unit.file)}`);
      for (const line of unit.text.trimEnd().split("\n")) opts.out.out(line);
      const diff = textDiff(textOf(current[i]!) ?? "", unit.text, {
        before: `${unit.file} now`,
        after: `${unit.file} after`,
      });
      if (diff.length === 0) opts.out.out(`(${unit.file} is already installed exactly so)`);
      else for (const line of diff) opts.out.out(line);
    });
    return;
  }
  if (!opts.skipPreflight) await installPreflight(opts, "no unit file was written");
  if (changed.length === 0) {
    const enabled = await systemctl.query(["is-enabled", timer]);
    if (enabled.stdout.trim() === "enabled") {
      opts.out.out(
        `Systemd units '${name}' are already installed and up to date; nothing changed.`,
      );
      return;
    }
    // Up to date on disk but not enabled: a reload or enable that failed last time, or a hand edit.
    await activate(systemctl, timer);
    opts.out.out(`Systemd units '${name}' were up to date; the timer was not enabled and now is.`);
    return;
  }
  for (const unit of changed) await writeUnit(dir, unit.file, unit.text);
  await activate(systemctl, timer);
  const verb = current.some((u) => u.disk.kind === "file") ? "Updated" : "Installed";
  opts.out.out(`${verb} systemd units '${name}' in ${dir}:`);
  for (const unit of changed) opts.out.out(`  ${unit.file}`);
  opts.out.out(`Schedule: OnCalendar=${onCalendarOf(units[2]!.text)} (Persistent=true).`);
  const scope = opts.system ? "" : " --user";
  opts.out.out(
    `See it: systemctl${scope} list-timers ${timer}; its output: journalctl${scope} -u ${name}.service`,
  );
  if (!opts.system) await lingerNote(opts);
}

async function activate(systemctl: Systemctl, timer: string): Promise<void> {
  try {
    await systemctl.run(["daemon-reload"]);
    await systemctl.run(["enable", "--now", timer]);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    throw new UserError(
      `${
        err.message.replace(/\.$/, "")
      }. The unit files are written; fix that and run setup-systemd again to load and enable them.`,
    );
  }
}

/** User timers stop when the user's last session ends, unless systemd keeps the user's manager running. */
async function lingerNote(opts: SetupSystemdOptions): Promise<void> {
  const user = opts.env["USER"] || opts.env["LOGNAME"];
  if (user && await exists(`/var/lib/systemd/linger/${user}`)) return;
  opts.out.out(
    `Note: a user timer runs only while you are logged in, unless lingering is on: loginctl enable-linger ${
      user ?? "$USER"
    }`,
  );
}
