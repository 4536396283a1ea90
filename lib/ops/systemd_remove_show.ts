// setup-systemd --show and --remove: what is installed under a unit name, and taking it away.
import { UserError } from "../cli/errors.ts";
import type { OpsOutput } from "./ops_log.ts";
import type { Systemctl } from "./systemctl.ts";
import { installedUnits, refuseForeign, textOf } from "./systemd_installed.ts";
import { removeUnit } from "./systemd_unit_files.ts";
import { unitFileNames } from "./systemd_units.ts";

/** Prints each unit file (or that it is missing), then systemd's own view of the timer. */
export async function showUnits(
  dir: string,
  name: string,
  systemctl: Systemctl,
  out: OpsOutput,
): Promise<void> {
  const units = await installedUnits(dir, name);
  for (const unit of units) {
    const text = textOf(unit);
    if (text === undefined) {
      out.out(`# ${unit.path}: ${unit.disk.kind === "absent" ? "not installed" : "not ours"}`);
      continue;
    }
    out.out(`# ${unit.path}`);
    for (const line of text.trimEnd().split("\n")) out.out(line);
    out.out("");
  }
  const args = ["list-timers", "--all", "--no-pager", unitFileNames(name).timer];
  const timers = await systemctl.query(args);
  if (timers.code !== 0) throw new UserError(systemctl.failure(args, timers));
  out.out(`$ ${systemctl.describe(args)}`);
  for (const line of timers.stdout.trimEnd().split("\n")) out.out(line);
}

export interface RemoveRequest {
  dryRun: boolean;
  out: OpsOutput;
}

/**
 * Stops and disables the timer, deletes the three files and reloads systemd. A scrape running
 * right now is left to finish. Files we did not write are refused before anything is changed.
 */
export async function removeUnits(
  dir: string,
  name: string,
  systemctl: Systemctl,
  req: RemoveRequest,
): Promise<void> {
  const units = await installedUnits(dir, name);
  refuseForeign(units, name);
  const present = units.filter((u) => u.disk.kind === "file");
  if (present.length === 0) {
    req.out.out(`No systemd units '${name}' in ${dir} to remove; nothing changed.`);
    return;
  }
  const timer = unitFileNames(name).timer;
  if (req.dryRun) {
    req.out.out(
      `Dry run: would run '${systemctl.describe(["disable", "--now", timer])}' and remove:`,
    );
    for (const unit of present) req.out.out(`  ${unit.path}`);
    return;
  }
  const disable = await systemctl.query(["disable", "--now", timer]);
  if (disable.code !== 0) {
    // A timer systemd no longer knows cannot be disabled; its files still have to go.
    req.out.err(`WARNING: ${systemctl.failure(["disable", "--now", timer], disable)}`);
  }
  for (const unit of present) await removeUnit(dir, unit.file);
  await systemctl.run(["daemon-reload"]);
  req.out.out(`Removed systemd units '${name}' from ${dir}:`);
  for (const unit of present) req.out.out(`  ${unit.file}`);
}
