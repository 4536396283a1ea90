// A default log name that no earlier run uses: two runs started in the same second must not share a summary.
import { join } from "node:path";
import { exists } from "../fs/file_predicates.ts";

/** `<dir>/<prefix>-<stamp>.log`, or `<prefix>-<stamp>-2.log`, `-3`, … when that log (or its summary) exists. */
export async function uniqueLogPath(dir: string, prefix: string, stamp: string): Promise<string> {
  for (let n = 1;; n++) {
    const base = join(dir, n === 1 ? `${prefix}-${stamp}` : `${prefix}-${stamp}-${n}`);
    if (!(await exists(`${base}.log`)) && !(await exists(`${base}.summary.json`))) {
      return `${base}.log`;
    }
  }
}

/** Where runs write their default-named logs and summaries: DCE_LOG_DIR, else `<repo>/logs`. */
export function logDir(env: Record<string, string | undefined>, repoRoot: string): string {
  return env["DCE_LOG_DIR"] || join(repoRoot, "logs");
}
