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

Deno.test("parseArgv() keeps the caller's usage exit code", () => {
  assert.throws(
    () => parseArgv({ args: ["--config"], options: { config: { type: "string" } } }, 1),
    (err: unknown) => err instanceof UsageError && err.exitCode === 1,
  );
});

Deno.test("errorLine() folds a multi-line message onto one line", () => {
  assert.equal(errorLine(new Error("a\nb")), "ERROR: a b");
});
