// The one signals module: SIGINT/SIGTERM/SIGHUP remembered and forwarded to a running child's group,
// the signal → exit-code table (128+n), and the one error that says "stopped by a signal".

import { UserError } from "../cli/errors.ts";
import { signalGroup } from "./child_process.ts";

/** The signals every tool handles: a listener replaces Deno's default "die" for each. */
export const HANDLED_SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

const NUMBERS: Partial<Record<Deno.Signal, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

/** The signal's number on Linux (0 when unknown). */
export function signalNumber(signal: Deno.Signal): number {
  return NUMBERS[signal] ?? 0;
}

/** 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP (128+n); 1 for anything we do not know. */
export function signalExitCode(signal: string): number {
  const n = NUMBERS[signal as Deno.Signal];
  return n === undefined ? 1 : 128 + n;
}

/** A child's exit as a shell reports it: its code, or 128+n when signal n killed it. */
export function childExitCode(status: Deno.CommandStatus): number {
  return status.signal !== null ? 128 + signalNumber(status.signal) : status.code;
}

/**
 * The run was stopped by a signal: thrown at the next checkpoint, or after a child the signal was
 * forwarded to has exited. Exits 128+n; its sentence names what was running.
 */
export class Interrupted extends UserError {
  constructor(readonly signal: Deno.Signal, what = "the run") {
    super(`Interrupted by ${signal} while ${what} ran; stopped.`, {
      exitCode: signalExitCode(signal),
    });
    this.name = "Interrupted";
  }
}

export type Forwarder = (signal: Deno.Signal, repeat: boolean) => void;

/**
 * Register before spawning anything (a child spawned earlier would inherit an ignored SIGINT from
 * a non-interactive shell: docs/development.md#deno-facts-we-rely-on). A listener replaces Deno's default "die", so
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

  /** Throws Interrupted (naming `what` was running) when a signal has arrived: call between steps. */
  checkpoint(what?: string): void {
    if (this.#received !== null) throw new Interrupted(this.#received, what);
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

let shared: HostSignals | null = null;
let holds = 0;

/**
 * The process-wide listeners, for code that runs several children one after another (workflows):
 * installed while at least one hold is open. `fresh` starts with no signal remembered (a workflow
 * that starts while nothing else holds them); otherwise a signal from before still counts.
 */
export function holdProcessSignals(fresh = false): { signals: HostSignals; release(): void } {
  if (holds === 0) {
    if (fresh || shared === null) shared = new HostSignals();
    shared.install();
  }
  holds++;
  const signals = shared as HostSignals;
  let released = false;
  return {
    signals,
    release() {
      if (released) return;
      released = true;
      if (--holds === 0) signals.dispose();
    },
  };
}

/** The first signal the process-wide listeners received (since the last fresh hold), or null. */
export function processSignalReceived(): Deno.Signal | null {
  return shared?.received ?? null;
}
