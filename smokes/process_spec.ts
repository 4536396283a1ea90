// One case runner for process specs, in the manner of denoland/deno's tests/specs: a table row says
// what to run (args, env) and what must come out (exit code, stdout/stderr as whole text with
// wildcards); the runner runs it and reports the first difference.
import assert from "node:assert/strict";
import type { ToolRun } from "./_harness.ts";

/**
 * Expected output, compared as a whole: `[WILDCARD]` matches any text (newlines too), `[WILDLINE]`
 * the rest of one line. Everything else must match exactly.
 */
export type TextSpec = string;

export interface ProcessSpec {
  /** Exit code the process must end with. */
  code: number;
  stdout?: TextSpec;
  stderr?: TextSpec;
}

function specRegExp(spec: TextSpec): RegExp {
  const parts = spec.split(/(\[WILDCARD\]|\[WILDLINE\])/);
  const body = parts.map((part) => {
    if (part === "[WILDCARD]") return "[\\s\\S]*";
    if (part === "[WILDLINE]") return "[^\\n]*";
    return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }).join("");
  return new RegExp(`^${body}$`);
}

/** Whether `actual` is `spec`, wildcards filled in. */
export function matchesSpec(actual: string, spec: TextSpec): boolean {
  return specRegExp(spec).test(actual);
}

/** Fails with both texts in full when `actual` is not `spec`. */
export function assertText(actual: string, spec: TextSpec, what: string): void {
  if (matchesSpec(actual, spec)) return;
  assert.fail(`${what} differs.\n--- expected ---\n${spec}\n--- actual ---\n${actual}\n---`);
}

/** Checks a finished run against its spec: the exit code first, then each text given. */
export function assertRun(run: ToolRun, spec: ProcessSpec): void {
  assert.equal(
    run.code,
    spec.code,
    `exit code\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`,
  );
  if (spec.stdout !== undefined) assertText(run.stdout, spec.stdout, "stdout");
  if (spec.stderr !== undefined) assertText(run.stderr, spec.stderr, "stderr");
  assert.doesNotMatch(run.stderr, /Uncaught|^\s+at /m, "never a stack trace");
}
