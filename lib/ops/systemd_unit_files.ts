// The unit folder and its files: where units live, reading them, atomic writes and removal.
import { join } from "node:path";
import { UserError } from "../cli/errors.ts";
import {
  commitSiblingTemp,
  createSiblingTemp,
  discardSiblingTemp,
} from "../archive/atomic_replace.ts";
import { fsReason } from "../fs/fs_reason.ts";
import { writeAll } from "../fs/write_all.ts";

/**
 * DCE_SYSTEMD_UNIT_DIR (tests, unusual layouts), else /etc/systemd/system for --system, else the
 * user's own units: $XDG_CONFIG_HOME/systemd/user or ~/.config/systemd/user.
 */
export function unitDir(system: boolean, env: Record<string, string | undefined>): string {
  if (env["DCE_SYSTEMD_UNIT_DIR"]) return env["DCE_SYSTEMD_UNIT_DIR"];
  if (system) return "/etc/systemd/system";
  const config = env["XDG_CONFIG_HOME"] || (env["HOME"] ? join(env["HOME"], ".config") : undefined);
  if (!config) {
    throw new UserError(
      "Cannot find your systemd user unit folder: HOME is not set. Set HOME or DCE_SYSTEMD_UNIT_DIR, or use --system.",
    );
  }
  return join(config, "systemd", "user");
}

/** What is at a unit's path: nothing, a regular file's text, or something we must not write through. */
export type UnitOnDisk = { kind: "absent" } | { kind: "file"; text: string } | {
  kind: "other";
  what: string;
};

export async function readUnit(path: string): Promise<UnitOnDisk> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { kind: "absent" };
    throw new UserError(`Cannot inspect unit file '${path}': ${fsReason(err)}.`);
  }
  if (info.isSymlink) return { kind: "other", what: "a symlink" };
  if (!info.isFile) return { kind: "other", what: "not a regular file" };
  try {
    return { kind: "file", text: await Deno.readTextFile(path) };
  } catch (err) {
    throw new UserError(`Cannot read unit file '${path}': ${fsReason(err)}.`);
  }
}

/** Replaces the unit in one rename: systemd never reads a half-written file. */
export async function writeUnit(dir: string, file: string, text: string): Promise<void> {
  const path = join(dir, file);
  try {
    await Deno.mkdir(dir, { recursive: true });
    const temp = await createSiblingTemp(path, 0o644);
    try {
      await writeAll(temp.file, new TextEncoder().encode(text));
      await commitSiblingTemp(temp, path);
    } catch (err) {
      await discardSiblingTemp(temp);
      throw err;
    }
  } catch (err) {
    throw new UserError(`Cannot write unit file '${path}': ${fsReason(err)}.`);
  }
}

export async function removeUnit(dir: string, file: string): Promise<void> {
  const path = join(dir, file);
  try {
    await Deno.remove(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw new UserError(`Cannot remove unit file '${path}': ${fsReason(err)}.`);
  }
}
