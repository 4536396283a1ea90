// The temporary env file handed to `compose --env-file`: the only place the token is written (0600).

import { join } from "node:path";
import { writeAll } from "../fs/write_all.ts";
import { UserError } from "../cli/errors.ts";

export const ENV_FILE_PREFIX = "dce-compose-env.";

/**
 * `KEY=value` lines, DISCORD_TOKEN first. Values with a newline are refused (they would inject
 * extra assignments); a token never contains one.
 */
export function composeEnvText(entries: ReadonlyArray<readonly [string, string]>): string {
  let text = "";
  for (const [key, value] of entries) {
    if (/[\r\n]/.test(value)) {
      // The operator's value (a pasted token with a line break), not a bug: one line, never the value.
      throw new UserError(
        `${key} contains a line break, which cannot go into the compose env file (and no token has one). Fix ${key} (scrape.env, the environment or its token file) and rerun.`,
      );
    }
    text += `${key}=${value}\n`;
  }
  return text;
}

/**
 * Writes the env file as `<tmpdir>/dce-compose-env.<our pid>.<random>`, created exclusively with
 * mode 0600 (nobody else can read it, even for an instant). The pid in the name lets a later run
 * remove files left behind by a runner that was SIGKILLed (sweepStaleEnvFiles). A failed write (a
 * full disk) removes the file again: the caller never learns its path, so nobody else would.
 */
export async function writeComposeEnvFile(tmpDir: string, text: string): Promise<string> {
  for (;;) {
    const random = crypto.randomUUID().slice(0, 8);
    const path = join(tmpDir, `${ENV_FILE_PREFIX}${Deno.pid}.${random}`);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
    } catch (err) {
      if (err instanceof Deno.errors.AlreadyExists) continue;
      throw err;
    }
    try {
      await writeText(file, text);
    } catch (err) {
      removeComposeEnvFile(path);
      throw err;
    }
    return path;
  }
}

/** Rewrites an existing env file in place (same path, still 0600) for the auth retry. */
export async function rewriteComposeEnvFile(path: string, text: string): Promise<void> {
  await writeText(await Deno.open(path, { write: true, truncate: true }), text);
}

/** All of `text`, then close: `write` may write only part of it (a file size limit, a full disk). */
async function writeText(file: Deno.FsFile, text: string): Promise<void> {
  try {
    await writeAll(file, new TextEncoder().encode(text));
  } finally {
    file.close();
  }
}

/** Removes the env file; a file already gone is fine. Synchronous so it can run on any exit path. */
export function removeComposeEnvFile(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

/**
 * Deletes `dce-compose-env.<pid>.*` files in `tmpDir` whose pid is no longer running: what a
 * SIGKILLed runner (no cleanup possible) left behind (docs/bash-suite.md#h21-settings-precedence). Returns the removed paths.
 */
export async function sweepStaleEnvFiles(
  tmpDir: string,
  isAlive: (pid: number) => boolean = processAlive,
): Promise<string[]> {
  const removed: string[] = [];
  let entries: AsyncIterable<Deno.DirEntry>;
  try {
    entries = Deno.readDir(tmpDir);
  } catch {
    return removed;
  }
  try {
    for await (const entry of entries) {
      const match = /^dce-compose-env\.(\d+)\.[0-9a-f]{8}$/.exec(entry.name);
      if (!match || !entry.isFile) continue;
      const pid = Number(match[1]);
      if (pid === Deno.pid || isAlive(pid)) continue;
      const path = join(tmpDir, entry.name);
      try {
        await Deno.remove(path);
        removed.push(path);
      } catch { /* another user's file, or already gone */ }
    }
  } catch { /* unreadable tmp dir: nothing to sweep */ }
  return removed;
}

/** kill(pid, 0): EPERM means alive (someone else's process). */
export function processAlive(pid: number): boolean {
  try {
    Deno.kill(pid, 0);
    return true;
  } catch (err) {
    return !(err instanceof Deno.errors.NotFound);
  }
}
