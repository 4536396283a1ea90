import assert from "node:assert/strict";
import { validateConfig } from "../lib/config/validate_config.ts";
import { UNATTENDED_DEFAULTS } from "../lib/config/scrape_config.ts";
import { unattendedSettings } from "../lib/config/unattended_settings.ts";
import { UsageError } from "../lib/cli/errors.ts";

const base = {
  archive_root: "/srv/a",
  targets: [{ name: "t", output_dir: "/srv/a/t", channel_ids: ["1"] }],
};

Deno.test("unattended: absent section gives the documented defaults", () => {
  const result = validateConfig(base, "/c.json");
  assert.deepEqual(result.ok && result.config.unattended, { ...UNATTENDED_DEFAULTS });
});

Deno.test("unattended: every key is read", () => {
  const result = validateConfig({
    ...base,
    unattended: {
      failure_hook: "/usr/local/bin/page-me",
      hook_timeout_seconds: 5,
      keep_days: 7,
      keep_failed_days: 60,
      keep_runs: 50,
    },
  }, "/c.json");
  assert.deepEqual(result.ok && result.config.unattended, {
    failureHook: "/usr/local/bin/page-me",
    hookTimeoutSeconds: 5,
    keepDays: 7,
    keepFailedDays: 60,
    keepRuns: 50,
  });
});

Deno.test("unattended: bad values and unknown keys are each one problem", () => {
  const result = validateConfig({
    ...base,
    unattended: { failure_hook: "", keep_days: 0, keep_runs: "9", keep_day: 3 },
  }, "/c.json");
  assert.equal(result.ok, false);
  const problems = result.ok ? [] : result.problems;
  assert.equal(problems.length, 4, problems.join("\n"));
  assert.ok(problems.some((p) => p.includes("Did you mean 'keep_days'")), problems.join("\n"));
});

Deno.test("unattended: the environment beats the file; an empty variable is unset", () => {
  const settings = unattendedSettings(
    { ...UNATTENDED_DEFAULTS, failureHook: "from-file", keepDays: 7 },
    { DCE_FAILURE_HOOK: "from-env", DCE_KEEP_DAYS: "", DCE_KEEP_RUNS: "12" },
  );
  assert.deepEqual(settings.failureHook, "from-env");
  assert.deepEqual(settings.keepDays, 7);
  assert.deepEqual(settings.keepRuns, 12);
  assert.throws(() => unattendedSettings(UNATTENDED_DEFAULTS, { DCE_KEEP_DAYS: "3d" }), UsageError);
});

Deno.test("unattended: DCE_FAILURE_HOOK=none turns the configured hook off", () => {
  const settings = unattendedSettings(
    { ...UNATTENDED_DEFAULTS, failureHook: "from-file" },
    { DCE_FAILURE_HOOK: "none" },
  );
  assert.equal(settings.failureHook, undefined);
});
