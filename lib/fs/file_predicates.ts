// Whether a path is there, and what it is: the one set of file predicates every layer uses.
// Any error reads as "no" (except in existsStrict); symlinks count as themselves unless `follow`.

interface Follow {
  /** Look through a symlink at its target (a dangling link then reads as "no"). */
  follow?: boolean;
}

/** True when something is at `path` (a dangling symlink too, unless `follow`). */
export async function exists(path: string, { follow = false }: Follow = {}): Promise<boolean> {
  try {
    await (follow ? Deno.stat(path) : Deno.lstat(path));
    return true;
  } catch {
    return false;
  }
}

/** `exists`, synchronously (for code that must not yield, e.g. under a lock guard). */
export function existsSync(path: string, { follow = false }: Follow = {}): boolean {
  try {
    if (follow) Deno.statSync(path);
    else Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Like `exists`, but only "not there" reads as "no": any other error (permission denied, I/O error)
 * is thrown, for callers that would otherwise overwrite something they could not see.
 */
export async function existsStrict(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** True for a regular file; symlinks are followed unless `follow` is false (then a link is "no"). */
export async function isFile(path: string, { follow = true }: Follow = {}): Promise<boolean> {
  try {
    return (await (follow ? Deno.stat(path) : Deno.lstat(path))).isFile;
  } catch {
    return false;
  }
}

/** `isFile` (following symlinks), synchronously. */
export function isFileSync(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** True for a folder (or a symlink to one). */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}
