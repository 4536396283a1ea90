// parseHostArgs(): the bash runner's command-line rules (docs/tools.md#run-scrape-host) plus strict core options.
import assert from "node:assert/strict";
import { UsageError } from "../lib/cli/errors.ts";
import { coreArgv, parseHostArgs } from "../lib/host/host_args.ts";

Deno.test("parseHostArgs() takes the first subcommand and runner options anywhere", () => {
  const a = parseHostArgs([
    "--env-file",
    "e.env",
    "scrape",
    "--target",
    "t1",
    "--compose-file=c.yml",
    "--channel",
    "111",
    "--exporter",
    "cli",
    "--config=/config/x.json",
    "--guild",
    "9",
  ]);
  assert.equal(a.subcommand, "scrape");
  assert.equal(a.envFile, "e.env");
  assert.equal(a.composeFile, "c.yml");
  assert.equal(a.exporter, "cli");
  assert.equal(a.config, "/config/x.json");
  assert.deepEqual(a.targets, ["t1"]);
  assert.deepEqual(a.channels, ["111"]);
  assert.deepEqual(a.guilds, ["9"]);
  assert.deepEqual(coreArgv(a, "/config/x.json"), [
    "--config",
    "/config/x.json",
    "--target",
    "t1",
    "--guild",
    "9",
    "--channel",
    "111",
  ]);
});

Deno.test("parseHostArgs() errors: unknown subcommand, unknown option and missing value (exit 2)", () => {
  const code = (argv: string[]) => {
    try {
      parseHostArgs(argv);
    } catch (err) {
      assert.ok(err instanceof UsageError);
      return [err.exitCode, err.message];
    }
    return [0, ""];
  };
  assert.deepEqual(code(["bogus"]), [
    2,
    "Unknown subcommand 'bogus'. Use 'preflight', 'scrape', 'salvage'.",
  ]);
  assert.deepEqual(code(["scarpe"]), [2, "Unknown subcommand 'scarpe'. Did you mean 'scrape'?"]);
  assert.deepEqual(code(["--target", "x", "scrape"]), [
    2,
    "--target goes after the subcommand: 'preflight', 'scrape' or 'salvage' first (see --help).",
  ]);
  assert.deepEqual(code(["scrape", "--bogus"]), [2, "Unknown option '--bogus'."]);
  assert.deepEqual(code(["scrape", "scrape"]), [2, "Unexpected argument 'scrape' (see --help)."]);
  assert.deepEqual(code(["scrape", "--target"]), [2, "Missing value for --target."]);
  assert.deepEqual(code(["--env-file"]), [2, "Missing value for --env-file."]);
  assert.deepEqual(code(["salvage", "--exporter", "podman"]), [
    2,
    "--exporter must be 'cli' or 'compose', got 'podman'.",
  ]);
});

Deno.test("parseHostArgs() --help anywhere wins; no subcommand is left to the caller", () => {
  assert.equal(parseHostArgs(["bogus", "-h"]).help, true);
  assert.equal(parseHostArgs(["scrape", "--help"]).help, true);
  assert.equal(parseHostArgs([]).subcommand, undefined);
  assert.equal(parseHostArgs(["--env-file", "x"]).subcommand, undefined);
});
