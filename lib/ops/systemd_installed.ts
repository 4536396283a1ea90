// The units of one name as they are on disk now, and the refusal to touch files that are not ours.
import { join } from "node:path";
import { UsageError, UserError } from "../cli/errors.ts";
import { JOB_NAME } from "./crontab_block.ts";
import { readUnit, type UnitOnDisk } from "./systemd_unit_files.ts";
import { checkoutOf, unitFileNames } from "./systemd_units.ts";

export interface InstalledUnit {
  file: string;
  path: string;
  disk: UnitOnDisk;
}

export function checkUnitName(name: string): string {
  if (!JOB_NAME.test(name) || name.length > 200) {
    throw new UsageError(
      `Invalid --unit '${name}': use letters, digits, '.', '_' and '-' (starting with a letter or digit).`,
    );
  }
  return name;
}

/** The service, failure service and timer of `name` in `dir`, in that order. */
export async function installedUnits(dir: string, name: string): Promise<InstalledUnit[]> {
  const files = Object.values(unitFileNames(name));
  return await Promise.all(files.map(async (file) => {
    const path = join(dir, file);
    return { file, path, disk: await readUnit(path) };
  }));
}

export function textOf(unit: InstalledUnit): string | undefined {
  return unit.disk.kind === "file" ? unit.disk.text : undefined;
}

/**
 * Throws for a unit file setup-systemd did not write (no header: the operator's own, or a
 * package's), and, when `checkout` is given, for one written from another checkout: a second
 * checkout must pick its own --unit name instead of taking over the first one's timer.
 */
export function refuseForeign(units: InstalledUnit[], name: string, checkout?: string): void {
  for (const unit of units) {
    if (unit.disk.kind === "absent") continue;
    if (unit.disk.kind === "other") {
      throw new UserError(
        `Refusing to touch '${unit.path}': it is ${unit.disk.what}, not a unit setup-systemd wrote. Choose another --unit NAME or move it away.`,
      );
    }
    const owner = checkoutOf(unit.disk.text);
    if (owner === undefined) {
      throw new UserError(
        `Refusing to overwrite '${unit.path}': setup-systemd did not write it (no dce-ops header). Choose another --unit NAME or move it away.`,
      );
    }
    if (checkout !== undefined && owner !== checkout) {
      throw new UserError(
        `'${unit.path}' belongs to the checkout '${owner}'; refusing to take it over. Choose another --unit NAME, or run setup-systemd --remove --unit ${name} there first.`,
      );
    }
  }
}
