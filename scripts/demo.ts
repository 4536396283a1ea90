#!/usr/bin/env -S deno run --no-prompt -A
// demo: runs the real operator workflow end to end on a sandbox archive root against a simulated Discord.
import { parseArgv } from "../lib/cli/parse_args.ts";
import { UsageError } from "../lib/cli/errors.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { runDemo } from "../lib/ops/demo.ts";
import { OpsLog } from "../lib/ops/ops_log.ts";

export const USAGE = `Usage: demo [PATH]

Builds a sandbox archive root in PATH (absent or empty; default a new temp folder) with a config for it,
then runs, through the same ./dce tools an operator uses: operator-handoff, a first scrape, an
incremental scrape after the simulated Discord grows, a scrape whose export is cut off mid-message,
run-operator-proof --salvage-before-scrape (salvage + scrape + grow-only proof), and audit-archive-json.
Discord is simulated by the fake DCE CLI (smokes/fakes/dce-cli); the sandbox is kept for you to inspect.
Exit: 0 demo complete (proof passed); 1 a step failed (named); 2 usage error.`;

export async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgv({
    args: argv,
    allowPositionals: true,
    options: {},
  });
  if (positionals.length > 1) throw new UsageError("demo takes at most one PATH.");
  using log = await OpsLog.open(undefined);
  await runDemo({ path: positionals[0], repoRoot: repoRoot(), log });
  return 0;
}

if (import.meta.main) await runMain({ name: "demo", usage: USAGE, main });
