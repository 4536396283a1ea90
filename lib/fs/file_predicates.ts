// Whether a path is there, and what it is: the one set of file predicates every layer uses.

/** True when something (anything, a dangling symlink too) is at `path`; any error reads as "no". */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
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
export async function isFile(path: string, { follow = true } = {}): Promise<boolean> {
  try {
    return (await (follow ? Deno.stat(path) : Deno.lstat(path))).isFile;
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
