// Permission checks made before any work: can this user write where a scrape writes, and is a secret
// file readable by others (the ssh rule for private keys).
import { accessSync, constants } from "node:fs";
import { dirname } from "node:path";

/** The user the checks are about, as a person reads it in a message: `this user (uid 1001)`. */
export function currentUser(): string {
  return `this user (uid ${Deno.uid() ?? "?"})`;
}

/**
 * Why `path` (a folder to create files in, or a file to open for writing) is not writable by this
 * process, or undefined when it is. A missing folder is judged by the nearest folder that exists,
 * where it would be created.
 */
export function notWritable(path: string, kind: "folder" | "file"): string | undefined {
  let probe = path;
  for (;;) {
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(probe);
    } catch {
      const parent = dirname(probe);
      if (parent === probe) return "no part of it exists";
      probe = parent;
      continue;
    }
    if (probe === path && kind === "folder" && !info.isDirectory) return "it is not a folder";
    // access(2) checks the real uid and every mode and ACL rule, as the later open will.
    const mode = info.isDirectory ? constants.W_OK | constants.X_OK : constants.W_OK;
    try {
      accessSync(probe, mode);
      return undefined;
    } catch (err) {
      // Gone between the stat and the access (another writer's temp): judge its folder instead.
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      return probe === path ? "permission denied" : `${probe} is not writable`;
    }
  }
}

/**
 * A warning when a token or env file can be read by other users (mode bits for group or others),
 * or undefined. Never an error: a shared host may mean it, but it should be a choice.
 */
export function readableByOthers(path: string): string | undefined {
  let mode: number | null;
  try {
    mode = Deno.statSync(path).mode;
  } catch {
    return undefined;
  }
  if (mode === null || (mode & 0o044) === 0) return undefined;
  const octal = (mode & 0o777).toString(8).padStart(3, "0");
  return `WARN: ${path} holds a secret and is readable by other users (mode ${octal}); run: chmod 600 ${path}`;
}
