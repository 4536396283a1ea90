// with-scrape-lock's engine: acquire, run the command in its own group, forward signals, wait, release.
import {
  commandExists,
  type GuardedChild,
  signalGroup,
  spawnGuarded,
  type Stdio,
} from "../process/child_process.ts";
import { UserError } from "../cli/errors.ts";
import { HostSignals, signalExitCode, signalExporter } from "../process/signals.ts";
import { heldLockEnv } from "./held_lock_env.ts";
import { acquireLock, type AcquireOptions, type LockHandle, lockSkipped } from "./acquire_lock.ts";

/** acquireLock's options, with the command to run in place of the `cmd` it records. */
export interface RunUnderLockOptions
  extends
    Pick<AcquireOptions, "path" | "tool" | "checkout" | "waitSeconds" | "pollMs" | "env" | "warn"> {
  command: string;
  args: string[];
  stdio?: Stdio;
}

export interface RunUnderLockResult {
  /** What the tool should exit with: the command's status, or 128+n after a forwarded signal. */
  exitCode: number;
  /** The signal we received and forwarded, if any. */
  signal: Deno.Signal | null;
  /** "skipped" when DCE_SKIP_SCRAPE_LOCK=1; "failed" when releasing hit an I/O error (warned). */
  release: "released" | "taken-over" | "skipped" | "failed";
}

/** A missing command is a UserError exiting 127 (as a shell's), told apart from the command's own 127. */
function spawnCommand(opts: RunUnderLockOptions, env: Record<string, string>) {
  const missing = new UserError(`Command not found: ${opts.command}`, { exitCode: 127 });
  if (!commandExists(opts.command)) throw missing;
  try {
    return spawnGuarded(opts.command, opts.args, {
      stdin: opts.stdio ?? "inherit",
      stdout: opts.stdio ?? "inherit",
      stderr: opts.stdio ?? "inherit",
      env,
    });
  } catch (err) {
    throw err instanceof Deno.errors.NotFound ? missing : err;
  }
}

/**
 * Releases after the command ran: a failure here (the archive disk vanished) is a warning, because
 * the command's own status is what the caller needs. The kernel drops our flock when we exit, and
 * the record left behind names a dead process, so the next acquire reclaims it.
 */
export async function releaseKeepingStatus(
  handle: LockHandle,
  warn: (line: string) => void,
): Promise<RunUnderLockResult["release"]> {
  try {
    return await handle.release();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    warn(`WARN: could not release the scrape lock cleanly (${why}); the next run reclaims it.`);
    return "failed";
  }
}

/**
 * Signal listeners go in BEFORE the child is spawned: a child started earlier would inherit an
 * ignored SIGINT (docs/development.md#deno-facts-we-rely-on). A signal that arrives while we still wait for the lock just
 * ends the wait: nothing is held yet.
 */
export async function runUnderLock(opts: RunUnderLockOptions): Promise<RunUnderLockResult> {
  const env = opts.env ?? Deno.env;
  const warn = opts.warn ?? ((line: string) => console.error(line));
  let childPid: number | null = null;
  const abort = new AbortController();
  const signals = new HostSignals().install();
  // Every signal goes on to the command's group as it is (a second one too: no SIGKILL escalation).
  signals.forwardTo((sig) => {
    if (childPid !== null) signalExporter(childPid, sig, false);
    else abort.abort();
  });
  try {
    const skip = lockSkipped(env, warn);
    let handle = null;
    if (!skip) {
      try {
        handle = await acquireLock({
          path: opts.path,
          cmd: [opts.command, ...opts.args],
          tool: opts.tool,
          checkout: opts.checkout,
          waitSeconds: opts.waitSeconds ?? 0,
          pollMs: opts.pollMs ?? 100,
          env,
          warn,
          signal: abort.signal,
        });
      } catch (err) {
        if (signals.received === null) throw err;
      }
    }
    const received = signals.received;
    if (received !== null) {
      // Interrupted before the command started: nothing ran, give back what we hold.
      const release = handle === null ? "skipped" : await releaseKeepingStatus(handle, warn);
      return { exitCode: signalExitCode(received), signal: received, release };
    }
    let status: Deno.CommandStatus | null = null;
    let failure: unknown = null;
    let spawned: GuardedChild | null = null;
    try {
      // No await since the check above: a signal cannot have arrived before the child exists.
      spawned = spawnCommand(
        opts,
        handle === null ? {} : heldLockEnv(handle.path, handle.token),
      );
      childPid = spawned.pid;
      await handle?.recordChild(spawned.pid);
      status = await spawned.child.status;
    } catch (err) {
      failure = err;
    }
    if (spawned !== null) {
      // Stragglers the command left in its group (background jobs), or the command itself when it
      // could not be recorded, must be gone before the lock is: kill, wait, then release.
      signalGroup(spawned.pid, "SIGKILL");
      await spawned.child.status;
    }
    const release = handle === null ? "skipped" : await releaseKeepingStatus(handle, warn);
    if (release === "taken-over") {
      warn(
        `WARN: the scrape lock ${opts.path} was taken over (broken) while we held it; left it alone.`,
      );
    }
    if (status === null) throw failure;
    const sig = signals.received;
    return {
      exitCode: sig !== null ? signalExitCode(sig) : status.code,
      signal: sig,
      release,
    };
  } finally {
    signals.dispose();
  }
}
