#!/usr/bin/env -S deno run --no-prompt -A
// run-all-smokes: runs every smokes/*_smoke.ts as its own `deno test` process, with a timeout each.
import { basename, join } from "node:path";
import { parseArgv } from "../lib/cli/parse_args.ts";
import { UsageError, UserError } from "../lib/cli/errors.ts";
import { runMain } from "../lib/cli/run_main.ts";
import { repoRoot } from "../lib/cli/repo_root.ts";
import { findSmokes, runSmoke } from "../lib/ops/smoke_runner.ts";

export const USAGE =
  `Usage: run-all-smokes [--filter TEXT]... [--timeout SECONDS] [--list] [--include-container]

Runs each smokes/*_smoke.ts in its own process, in name order, continuing past failures.
  --filter TEXT       run only smokes whose name contains TEXT (repeatable: any match)
  --timeout SECONDS   kill a smoke (its whole process group) after this long (default 900)
  --list              print the smoke names and exit
  --include-container accepted for compatibility with the bash suite; there is no container smoke
Exit: 0 all passed, 1 any failed or none found, 2 usage error.`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgv({
    args: argv,
    options: {
      filter: { type: "string", multiple: true },
      timeout: { type: "string" },
      list: { type: "boolean" },
      "include-container": { type: "boolean" },
    },
  });
  const timeoutSeconds = Number(values.timeout ?? "900");
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new UsageError(
      `--timeout must be a positive number of seconds, got '${values.timeout}'.`,
    );
  }
  const dir = join(repoRoot(), "smokes");
  const filters = values.filter ?? [];
  const smokes = (await findSmokes(dir)).filter((path) =>
    filters.length === 0 || filters.some((f) => basename(path).includes(f))
  );
  if (smokes.length === 0) {
    throw new UserError(
      filters.length
        ? `No smoke under ${dir} matches --filter ${filters.join(", ")}.`
        : `No smoke scripts found under ${dir}`,
    );
  }
  if (values.list) {
    for (const path of smokes) console.log(basename(path));
    return 0;
  }
  // As the bash suite did: smokes must not trip over this machine's free space unless they ask to.
  const env = { DCE_MIN_FREE_MB: Deno.env.get("DCE_MIN_FREE_MB") ?? "0", NO_COLOR: "1" };
  let passed = 0;
  let failed = 0;
  for (const path of smokes) {
    const name = basename(path);
    console.log(`==> ${name}`);
    const result = await runSmoke(path, { timeoutMs: timeoutSeconds * 1000, env });
    const took = `${(result.millis / 1000).toFixed(1)}s`;
    if (result.ok) {
      passed++;
      console.log(`PASS ${name} (${result.tests} tests, ${took})`);
    } else {
      failed++;
      console.log(result.output.trimEnd());
      console.log(`FAIL ${name} (${result.reason}, ${took})`);
    }
  }
  console.log(
    failed === 0
      ? `All ${passed} smoke script(s) passed.`
      : `ERROR: ${failed} smoke script(s) failed.`,
  );
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) await runMain({ name: "run-all-smokes", usage: USAGE, main });
