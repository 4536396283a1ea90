import assert from "node:assert/strict";
import { OpsLog } from "../lib/ops/ops_log.ts";
import { holdSignals, interruption, runChild } from "../lib/ops/run_child.ts";
import { Interrupted } from "../lib/process/signals.ts";

const quiet = { stdout: () => {}, stderr: () => {} };

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

Deno.test("a signal between two steps is held and stops the workflow at the next step with 128+n", async () => {
  const release = holdSignals();
  try {
    using log = await OpsLog.open(undefined, quiet);
    assert.equal(await runChild(log, "/bin/true", []), 0);
    Deno.kill(Deno.pid, "SIGTERM");
    await until(() => interruption() !== undefined);
    assert.deepEqual(interruption(), { signal: "SIGTERM", exitCode: 143 });
    await assert.rejects(
      () => runChild(log, "/bin/true", [], { label: "next-step" }),
      (e: unknown) => e instanceof Interrupted && e.exitCode === 143 && /next-step/.test(e.message),
    );
  } finally {
    release();
  }
  // The next workflow starts clean.
  const again = holdSignals();
  assert.equal(interruption(), undefined);
  again();
});
