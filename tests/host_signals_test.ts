// HostSignals: remembers the first signal, forwards every one (repeat flag on the second), checkpoints throw.
import assert from "node:assert/strict";
import { HostSignals, Interrupted, signalExitCode } from "../lib/export/host_signals.ts";

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
