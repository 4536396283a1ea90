// What `--version` prints on ./dce and every tool: our version, the checkout's commit, the Deno running it.
import { join } from "node:path";

/** The one dce-ops version; bump it with a release note. */
export const DCE_OPS_VERSION = "2.0.0";

/** The commit of a git checkout at `root` (read from .git, no git binary needed), or undefined. */
export function checkoutCommit(root: string): string | undefined {
  try {
    let gitDir = join(root, ".git");
    if (Deno.statSync(gitDir).isFile) {
      // A worktree: ".git" is a file "gitdir: <path>".
      const pointer = Deno.readTextFileSync(gitDir).trim().replace(/^gitdir:\s*/, "");
      gitDir = pointer.startsWith("/") ? pointer : join(root, pointer);
    }
    const head = Deno.readTextFileSync(join(gitDir, "HEAD")).trim();
    if (!head.startsWith("ref: ")) return short(head);
    const ref = head.slice(5);
    for (const dir of [gitDir, commonDir(gitDir)]) {
      const sha = readRef(dir, ref);
      if (sha) return short(sha);
    }
  } catch {
    // Not a checkout (an unpacked release): no commit to show.
  }
  return undefined;
}

function commonDir(gitDir: string): string {
  try {
    const rel = Deno.readTextFileSync(join(gitDir, "commondir")).trim();
    return rel.startsWith("/") ? rel : join(gitDir, rel);
  } catch {
    return gitDir;
  }
}

function readRef(gitDir: string, ref: string): string | undefined {
  try {
    return Deno.readTextFileSync(join(gitDir, ref)).trim();
  } catch {
    try {
      const packed = Deno.readTextFileSync(join(gitDir, "packed-refs"));
      return packed.split("\n").find((l) => l.endsWith(` ${ref}`))?.split(" ")[0];
    } catch {
      return undefined;
    }
  }
}

function short(sha: string): string | undefined {
  return /^[0-9a-f]{40}$/.test(sha) ? sha.slice(0, 12) : undefined;
}

/** `<tool> (dce-ops) 2.0.0, commit abc123def456, Deno 2.9.6` */
export function versionLine(tool: string, root: string): string {
  const commit = checkoutCommit(root);
  return `${tool} (dce-ops) ${DCE_OPS_VERSION}${
    commit ? `, commit ${commit}` : ""
  }, Deno ${Deno.version.deno}`;
}
