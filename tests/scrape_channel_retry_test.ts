import assert from "node:assert/strict";
import { isTransient, retryPolicyFromEnv } from "../lib/scrape/channel_retry.ts";
import { UserError } from "../lib/cli/errors.ts";

Deno.test("retryPolicyFromEnv(): default 30 s then 2 min; seconds list; none; bad values refused", () => {
  assert.deepEqual(retryPolicyFromEnv({}).delaysMs, [30_000, 120_000]);
  assert.deepEqual(retryPolicyFromEnv({ DCE_RETRY_DELAYS: "" }).delaysMs, [30_000, 120_000]);
  assert.deepEqual(retryPolicyFromEnv({ DCE_RETRY_DELAYS: "0.05, 1" }).delaysMs, [50, 1000]);
  assert.deepEqual(retryPolicyFromEnv({ DCE_RETRY_DELAYS: "none" }).delaysMs, []);
  for (const bad of ["-1", "a", "1,,2", "4000", "1,1,1,1,1,1,1,1,1,1,1"]) {
    assert.throws(() => retryPolicyFromEnv({ DCE_RETRY_DELAYS: bad }), UserError, bad);
  }
});

Deno.test("isTransient(): network, a kill and a stranger's signal are; access, auth, disk and our stop are not", () => {
  assert.ok(isTransient({ kind: "network", reason: "x" }, false));
  assert.ok(isTransient({ kind: "oom", exitCode: 137, reason: "x" }, false));
  assert.ok(isTransient({ kind: "aborted", exitCode: 143, reason: "x" }, false));
  assert.ok(!isTransient({ kind: "aborted", exitCode: 143, reason: "x" }, true));
  assert.ok(!isTransient({ kind: "oom", exitCode: 137, reason: "x" }, true));
  for (const kind of ["access", "auth", "disk-full", "failed", "forum"] as const) {
    assert.ok(!isTransient({ kind, reason: "x" }, false), kind);
  }
});
