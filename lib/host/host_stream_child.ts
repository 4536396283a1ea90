// Runs one exporter process (the compose client) in its own process group, streaming its output live.

import { spawnGuarded } from "../process/child_process.ts";
import { childExitCode, type HostSignals, signalExporter } from "../process/signals.ts";
import { type ChunkSink, type OutputTail, pumpToTail } from "./host_output_tail.ts";

export interface StreamedChildOptions {
  env: Record<string, string>;
  cwd: string;
  /** "inherit" gives the child our terminal (compose's TTY mode); "null" for cron. */
  stdin: "inherit" | "null";
  stdout: ChunkSink;
  stderr: ChunkSink;
  tail: OutputTail;
  signals: HostSignals;
  /** Called with the child's pid (= its process group id) right after the spawn. */
  onSpawn?: (pid: number) => void | Promise<void>;
}

/**
 * Spawns `cmd args` as a group leader (and die-with-parent where setpriv exists), forwards any
 * signal we receive to the whole group (a second signal escalates to SIGKILL), and returns the exit
 * code (128+n when the child itself died of a signal). A missing program is reported by the caller.
 */
export async function runStreamedChild(
  cmd: string,
  args: string[],
  opts: StreamedChildOptions,
): Promise<number> {
  const { child, pid } = spawnGuarded(cmd, args, {
    env: opts.env,
    clearEnv: true,
    cwd: opts.cwd,
    stdin: opts.stdin,
    stdout: "piped",
    stderr: "piped",
  });
  const stopForwarding = opts.signals.forwardTo((signal, repeat) =>
    signalExporter(pid, signal, repeat)
  );
  try {
    // A signal that arrived between the checkpoint and the spawn must still reach the child.
    opts.signals.catchUp(pid);
    await opts.onSpawn?.(pid);
    const [status] = await Promise.all([
      child.status,
      pumpToTail(child.stdout, opts.stdout, opts.tail),
      pumpToTail(child.stderr, opts.stderr, opts.tail),
    ]);
    return childExitCode(status);
  } finally {
    stopForwarding();
  }
}
