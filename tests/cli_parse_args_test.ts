import assert from "node:assert/strict";
import { parseArgv } from "../lib/cli/parse_args.ts";
import { UsageError } from "../lib/cli/errors.ts";
import { errorLine } from "../lib/cli/run_main.ts";

Deno.test("parseArgv() turns an unknown option into a UsageError naming it", () => {
  assert.throws(
    () => parseArgv({ args: ["--nope"], options: { config: { type: "string" } } }),
    (err: unknown) =>
      err instanceof UsageError && err.exitCode === 2 && err.message === "Unknown option '--nope'.",
  );
});

Deno.test("parseArgv(): the shared wording for a missing value, a near miss and a stray word", () => {
  const options = { config: { type: "string" }, "dry-run": { type: "boolean" } } as const;
  const message = (args: string[]) => {
    try {
      parseArgv({ args, options });
    } catch (err) {
      assert.ok(err instanceof UsageError && err.exitCode === 2);
      return err.message;
    }
    throw new Error("accepted");
  };
  assert.equal(message(["--config"]), "Missing value for --config.");
  assert.equal(message(["--dryrun"]), "Unknown option '--dryrun'. Did you mean '--dry-run'?");
  assert.equal(
    message(["scarpe"]),
    "Unexpected argument 'scarpe' (see --help).",
  );
});

Deno.test("errorLine() folds a multi-line message onto one line", () => {
  assert.equal(errorLine(new Error("a\nb")), "ERROR: a b");
});
