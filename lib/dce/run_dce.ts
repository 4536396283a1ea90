// Runs one DCE CLI command in its own process group: streams its output line by line, keeps a bounded tail.
import { UserError } from "../cli/errors.ts";
import { signalGroup, spawnGuarded, whichOnPath } from "../process/child_process.ts";
import { pumpLines } from "../process/line_pump.ts";
import { childExitCode } from "../process/signals.ts";

export type Stream = "stdout" | "stderr";

export interface TailLine {
  stream: Stream;
  line: string;
}

export interface DceRunOptions {
  bin: string;
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Every output line as it arrives (the core forwards them to its log). */
  onLine?: (line: string, stream: Stream) => void;
  /** Abort = SIGTERM to the CLI's whole group, SIGKILL after `killGraceMs`. */
  signal?: AbortSignal;
  /**
   * Called once with the CLI's pid (= its process group id) right after it starts. It may return a
   * function, called once the CLI has exited: from then on the group id may name another process.
   */
  onChild?: ChildHook;
  /** How many trailing lines to keep for classification (default 400). */
  tailLines?: number;
  /** Keep the whole stdout (listings); exports keep only the tail. */
  captureStdout?: boolean;
  killGraceMs?: number;
}

/** See `DceRunOptions.onChild`. */
export type ChildHook = (pid: number) => (() => void) | void;

export interface DceRunResult {
  /** Exit code; 128 + n when killed by signal n. */
  code: number;
  signal: Deno.Signal | null;
  /** The last lines of stdout and stderr interleaved in arrival order. */
  tail: TailLine[];
  stdout: string;
  /** True when our AbortSignal stopped it. */
  aborted: boolean;
  pid: number;
}

/** A line longer than this is cut into pieces, so a newline-free flood cannot grow memory. */
const MAX_LINE = 64 * 1024;

export async function runDce(opts: DceRunOptions): Promise<DceRunResult> {
  if (opts.signal?.aborted) {
    return { code: 130, signal: null, tail: [], stdout: "", aborted: true, pid: 0 };
  }
  await assertExecutable(opts.bin, opts.env.PATH ?? "");
  let spawned;
  try {
    spawned = spawnGuarded(opts.bin, opts.argv, {
      env: opts.env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.PermissionDenied) {
      throw new UserError(
        `Cannot run the DCE CLI '${opts.bin}': ${
          (err as Error).message
        }. Set DCE_CLI_BIN to the DiscordChatExporter.Cli executable.`,
      );
    }
    throw err;
  }
  const { child, pid } = spawned;
  const ended = opts.onChild?.(pid);
  if (ended) void child.status.then(ended, ended);

  const limit = opts.tailLines ?? 400;
  const tail: TailLine[] = [];
  let stdout = "";
  const push = (line: string, stream: Stream) => {
    tail.push({ stream, line });
    if (tail.length > limit) tail.shift();
    if (stream === "stdout" && opts.captureStdout) stdout += `${line}\n`;
    opts.onLine?.(line, stream);
  };

  let aborted = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = () => {
    aborted = true;
    signalGroup(pid, "SIGTERM");
    killTimer = setTimeout(() => signalGroup(pid, "SIGKILL"), opts.killGraceMs ?? 10_000);
  };
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  // An abort during the awaits above fired before the listener existed: honour it now.
  if (opts.signal?.aborted) onAbort();
  try {
    const [status] = await Promise.all([
      child.status,
      pumpLines(child.stdout, (l) => push(l, "stdout"), { maxLine: MAX_LINE }),
      pumpLines(child.stderr, (l) => push(l, "stderr"), { maxLine: MAX_LINE }),
    ]);
    return { code: childExitCode(status), signal: status.signal, tail, stdout, aborted, pid };
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    if (killTimer !== undefined) clearTimeout(killTimer);
  }
}

/**
 * Checked before spawning: under setpriv a missing binary would only show up as setpriv's own
 * exit 127 and be misread as a CLI failure.
 */
async function assertExecutable(bin: string, pathVar: string): Promise<void> {
  if (await whichOnPath(bin, pathVar) !== null) return;
  throw new UserError(
    `Cannot run the DCE CLI '${bin}': no executable file there${
      bin.includes("/") ? "" : " or on PATH"
    }. Set DCE_CLI_BIN to the DiscordChatExporter.Cli executable.`,
  );
}
