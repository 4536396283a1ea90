// HostSignals: remembers the first signal, forwards every one (repeat flag on the second), checkpoints throw.
import assert from "node:assert/strict";
import { spawnGuarded } from "../lib/process/child_process.ts";
import { HostSignals, Interrupted, signalExitCode } from "../lib/process/signals.ts";

Deno.test("HostSignals forwards to registered exporters and escalates on repeat", () => {
  const signals = new HostSignals();
  signals.checkpoint(); // nothing received: no throw
  const seen: [string, boolean][] = [];
  const stop = signals.forwardTo((s, repeat) => seen.push([s, repeat]));
  signals.deliver("SIGTERM");
  signals.deliver("SIGINT");
  stop();
  signals.deliver("SIGHUP");
  assert.deepEqual(seen, [["SIGTERM", false], ["SIGINT", true]]);
  assert.equal(signals.received, "SIGTERM", "the first signal decides the exit code");
  assert.throws(
    () => signals.checkpoint(),
    (e: unknown) => e instanceof Interrupted && e.signal === "SIGTERM",
  );
});

Deno.test("forwardToRun(): signals reach the export child only while it lives", async () => {
  const signals = new HostSignals();
  const abort = new AbortController();
  const run = signals.forwardToRun(abort);
  // A live group standing in for a process that got the ended export's id: it must not be signalled.
  const other = spawnGuarded("sleep", ["60"], { stdin: "null", stdout: "null", stderr: "null" });
  try {
    const ended = run.started(other.pid);
    ended();
    signals.deliver("SIGTERM");
    assert.equal(abort.signal.reason, "SIGTERM", "the run itself is still told to stop");
    const stillRunning = await Promise.race([
      other.child.status.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), 200)),
    ]);
    assert.ok(stillRunning, "an ended export's group id is not signalled");

    const live = spawnGuarded("sleep", ["60"], { stdin: "null", stdout: "null", stderr: "null" });
    run.started(live.pid); // a signal that already arrived is sent to it at once
    assert.equal((await live.child.status).signal, "SIGTERM");
    run.started(live.pid)(); // an ended callback of an older child does not forget a newer one
  } finally {
    run.stop();
    try {
      Deno.kill(-other.pid, "SIGKILL");
    } catch { /* gone */ }
    await other.child.status;
  }
});

Deno.test("signalExitCode(): 130/143/129", () => {
  assert.equal(signalExitCode("SIGINT"), 130);
  assert.equal(signalExitCode("SIGTERM"), 143);
  assert.equal(signalExitCode("SIGHUP"), 129);
});

Deno.test("HostSignals.install() keeps a real SIGTERM from killing the process until dispose()", async () => {
  const signals = new HostSignals().install();
  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A signal listener does not keep the event loop alive; the timer does (and bounds the wait).
    const got = new Promise<string>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error("no SIGTERM delivered")), 30_000);
      signals.forwardTo((s) => resolve(s));
    });
    Deno.kill(Deno.pid, "SIGTERM");
    try {
      assert.equal(await got, "SIGTERM");
    } finally {
      clearTimeout(timer);
    }
  } finally {
    signals.dispose();
  }
});
