// Lexical and physical (symlink-resolving) checks that a path stays inside a root folder (path safety).
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/** Drops trailing slashes ("/a/b/" → "/a/b"); keeps "/" itself. */
export function stripTrailingSlashes(path: string): string {
  const stripped = path.replace(/\/+$/, "");
  return stripped === "" && path.startsWith("/") ? "/" : stripped;
}

/**
 * The bash suite's lexical rule: absolute, no "." or ".." segment, equal to root or below "<root>/".
 * Both arguments are expected without trailing slashes (see stripTrailingSlashes).
 */
export function isLexicallyWithin(path: string, root: string): boolean {
  if (!isAbsolute(path) || !isAbsolute(root)) return false;
  const segments = path.split("/");
  if (segments.some((s) => s === "." || s === "..")) return false;
  if (path === root) return true;
  const prefix = root === "/" ? "/" : `${root}/`;
  return path.startsWith(prefix);
}

/**
 * The physical location of a path that may not exist yet: realpath of its deepest existing
 * ancestor joined with the rest. Symlinks in the existing part are followed, so a link that
 * points outside the root is caught before anything is written through it.
 */
export async function physicalPath(path: string): Promise<string> {
  let existing = resolve(path);
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await Deno.realPath(existing);
      return rest.length === 0 ? real : join(real, ...rest.reverse());
    } catch (err) {
      // A file where a folder should be: the path cannot exist yet either; the step that creates it reports that.
      if (!(err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory)) {
        throw err;
      }
      const parent = dirname(existing);
      if (parent === existing) return resolve(path);
      rest.push(existing.slice(parent.length).replace(/^\//, ""));
      existing = parent;
    }
  }
}

/** True when `path`, with symlinks resolved, is `root` (also resolved) or below it. */
export async function isPhysicallyWithin(path: string, root: string): Promise<boolean> {
  const [realPath, realRoot] = await Promise.all([physicalPath(path), physicalPath(root)]);
  const rel = relative(realRoot, realPath);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/** Both checks: lexically inside `root` and, with symlinks resolved, still inside it. */
export async function isWithinRoot(path: string, root: string): Promise<boolean> {
  return isLexicallyWithin(path, root) && (await isPhysicallyWithin(path, root));
}
