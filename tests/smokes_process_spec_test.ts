// The smokes' case runner: whole-text comparison with [WILDCARD] and [WILDLINE].
import assert from "node:assert/strict";
import { assertRun, matchesSpec } from "../smokes/process_spec.ts";

Deno.test("matchesSpec(): whole text, [WILDCARD] across lines, [WILDLINE] within one", () => {
  assert.ok(matchesSpec("a\nb\nc\n", "a\n[WILDCARD]c\n"));
  assert.ok(matchesSpec("ERROR: x (exit 7).\n", "ERROR: [WILDLINE]\n"));
  assert.ok(!matchesSpec("a\nb\n", "a\n[WILDLINE]"), "[WILDLINE] stops at a newline");
  assert.ok(!matchesSpec("xa\n", "a\n"), "anchored at the start");
  assert.ok(!matchesSpec("a\nmore", "a\n"), "anchored at the end");
  assert.ok(matchesSpec("cost: $1 (x+y)?", "cost: $1 (x+y)?"), "regex characters are literal");
});

Deno.test("assertRun(): exit code, then the texts; a stack trace always fails", () => {
  const run = { code: 1, signal: null, stdout: "", stderr: "ERROR: nope\n" };
  assertRun(run, { code: 1, stdout: "", stderr: "ERROR: [WILDLINE]\n" });
  assert.throws(() => assertRun(run, { code: 0 }), /exit code/);
  assert.throws(() => assertRun(run, { code: 1, stderr: "ERROR: yes\n" }), /stderr differs/);
  const crash = { ...run, stderr: "error: Uncaught Error\n    at main (x.ts:1:1)\n" };
  assert.throws(() => assertRun(crash, { code: 1 }), /stack trace/);
});
