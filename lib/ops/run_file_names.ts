// The per-run files our tools create under their default names in the log folder: retention may
// remove these and nothing else there (an operator's own files in that folder are theirs).

/** Tools whose default log is `<prefix>-<UTC stamp>[-n].log` (lib/ops/unique_log_path.ts). */
export const RUN_LOG_PREFIXES = ["documents-scrape", "operator-proof", "operator-validation"];

const STAMP = String.raw`\d{8}T\d{6}Z`;
const PREFIX = `(?:${RUN_LOG_PREFIXES.join("|")})`;

/** A run's log and its `<log without .log>.summary.json`. */
const RUN_FILE = new RegExp(`^(${PREFIX}-${STAMP}(?:-\\d+)?)\\.(log|summary\\.json)$`);

/** A per-target summary, `<prefix>-<target slug>-<stamp>.summary.json` (perTargetSummaryFile). */
const TARGET_SUMMARY = new RegExp(
  `^((?:operator-proof|operator-validation)-[A-Za-z0-9._-]+-${STAMP})\\.(summary\\.json)$`,
);

export interface RunFileName {
  /** The name without `.log`/`.summary.json`: a run's log and summary share it. */
  run: string;
  kind: "log" | "summary";
}

/** What `name` is, when it is a name our tools give a per-run file; else null. */
export function runFileName(name: string): RunFileName | null {
  const match = RUN_FILE.exec(name) ?? TARGET_SUMMARY.exec(name);
  if (match === null) return null;
  return { run: match[1]!, kind: match[2] === "log" ? "log" : "summary" };
}
