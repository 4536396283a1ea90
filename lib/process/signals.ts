// SIGINT/SIGTERM/SIGHUP for the host runner: remembered, forwarded to the running exporter, exit 128+n.

import { signalGroup } from "./child_process.ts";

const CODES: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
export const HANDLED_SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Thrown at the next checkpoint after a signal arrived while no exporter was running. */
export class Interrupted extends Error {
  constructor(readonly signal: Deno.Signal) {
    super(`interrupted by ${signal}`);
    this.name = "Interrupted";
  }
}

export type Forwarder = (signal: Deno.Signal, repeat: boolean) => void;

/**
 * Register before spawning anything (a child spawned earlier would inherit an ignored SIGINT from
 * a non-interactive shell: research/deno-notes.md). A listener replaces Deno's default "die", so
 * the runner keeps control: it forwards the signal, waits for the exporter, cleans up and exits
 * with 128+n. A second signal is forwarded too, with `repeat` set (callers escalate to SIGKILL).
 */
export class HostSignals {
  #received: Deno.Signal | null = null;
  #forwarders = new Set<Forwarder>();
  #listeners: [Deno.Signal, () => void][] = [];

  install(): this {
    for (const signal of HANDLED_SIGNALS) {
      const listener = () => this.deliver(signal);
      Deno.addSignalListener(signal, listener);
      this.#listeners.push([signal, listener]);
    }
    return this;
  }

  /** What a listener does; public so unit tests can drive it without real signals. */
  deliver(signal: Deno.Signal): void {
    const repeat = this.#received !== null;
    if (!repeat) this.#received = signal;
    for (const forward of this.#forwarders) forward(signal, repeat);
  }

  get received(): Deno.Signal | null {
    return this.#received;
  }

  /** Forward signals to a running exporter until the returned function is called. */
  forwardTo(forward: Forwarder): () => void {
    this.#forwarders.add(forward);
    return () => this.#forwarders.delete(forward);
  }

  /**
   * Forwards signals to one run until `stop()`: each aborts `abort` and goes to the export child's
   * group while that child lives. `started(pid)` marks a new export child (and sends it a signal it
   * missed); the function it returns marks the child's exit, after which its group id may belong to
   * another process and is never signalled.
   */
  forwardToRun(abort: AbortController): { started(pid: number): () => void; stop(): void } {
    let live: number | null = null;
    const stop = this.forwardTo((signal, repeat) => {
      abort.abort(signal);
      if (live !== null) signalExporter(live, signal, repeat);
    });
    return {
      stop,
      started: (pid) => {
        live = pid;
        this.catchUp(pid);
        return () => {
          if (live === pid) live = null;
        };
      },
    };
  }

  /** Sends a signal that already arrived to an exporter started just now (it missed the forward). */
  catchUp(leader: number): void {
    if (this.#received !== null) signalExporter(leader, this.#received, false);
  }

  /** Throws Interrupted when a signal has arrived: call between steps. */
  checkpoint(): void {
    if (this.#received !== null) throw new Interrupted(this.#received);
  }

  dispose(): void {
    for (const [signal, listener] of this.#listeners) Deno.removeSignalListener(signal, listener);
    this.#listeners = [];
  }
}

/**
 * Sends `signal` to the exporter's whole process group (`leader` is its pid), or SIGKILL when the
 * operator insists (`repeat`). A group that is already gone, or no longer ours (EPERM), is left alone.
 */
export function signalExporter(leader: number, signal: Deno.Signal, repeat: boolean): void {
  try {
    signalGroup(leader, repeat ? "SIGKILL" : signal);
  } catch { /* gone */ }
}

/** 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP. */
export function signalExitCode(signal: Deno.Signal): number {
  return CODES[signal] ?? 1;
}
