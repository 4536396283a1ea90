// Runs a sibling tool (or any command) as a child process, streaming its lines into the workflow log as they
// come, and forwarding SIGINT/SIGTERM/SIGHUP so the child (which may hold the scrape lock) can clean up.
import { join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { pumpLines } from "../process/line_pump.ts";
import {
  holdProcessSignals,
  type HostSignals,
  processSignalReceived,
  signalExitCode,
} from "../process/signals.ts";
import type { OpsOutput } from "./ops_log.ts";

/**
 * Keeps the signal listeners for a whole workflow, not only while a child runs: a signal between two
 * steps then stops the workflow at the next step (Interrupted) instead of killing it on the spot,
 * so `Log:` and summary recovery still happen. Returns the release function.
 */
export function holdSignals(): () => void {
  // A workflow that starts while nothing else holds the listeners starts with a clean slate.
  return holdProcessSignals(true).release;
}

/** The first SIGINT/SIGTERM/SIGHUP received while listening, if any, with its exit code. */
export function interruption(): { signal: Deno.Signal; exitCode: number } | undefined {
  const received = processSignalReceived();
  return received ? { signal: received, exitCode: signalExitCode(received) } : undefined;
}

export interface ChildOptions {
  /**
   * The whole environment the child starts from (the workflow's `env` parameter), instead of this
   * process's; undefined entries are left out. Without it the child inherits ours.
   */
  baseEnv?: Record<string, string | undefined>;
  /** Variables set on top. */
  env?: Record<string, string>;
  cwd?: string;
  /** Label used in messages ("verify-operator-ready"). */
  label?: string;
}

/** Runs `command args`, streaming stdout/stderr line by line into `log`; returns the exit code. */
export async function runChild(
  log: OpsOutput,
  command: string,
  args: string[],
  opts: ChildOptions = {},
): Promise<number> {
  const label = opts.label ?? command;
  const hold = holdProcessSignals();
  try {
    return await runHeld(log, command, args, opts, label, hold.signals);
  } finally {
    hold.release();
  }
}

async function runHeld(
  log: OpsOutput,
  command: string,
  args: string[],
  opts: ChildOptions,
  label: string,
  signals: HostSignals,
): Promise<number> {
  signals.checkpoint(`the step before ${label}`);
  let child: Deno.ChildProcess;
  try {
    let env = opts.env;
    if (opts.baseEnv) {
      env = {};
      for (const [k, v] of Object.entries(opts.baseEnv)) if (v !== undefined) env[k] = v;
      Object.assign(env, opts.env ?? {});
    }
    child = new Deno.Command(command, {
      args,
      ...(env ? { env } : {}),
      ...(opts.baseEnv ? { clearEnv: true } : {}),
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      // Its own process group: a terminal's Ctrl-C reaches only us and we forward it once. Sharing the
      // group, the child would get it twice (directly and from us), which the host runner treats as
      // "insist" and answers by SIGKILLing the export.
      detached: true,
    }).spawn();
  } catch (err) {
    throw new UserError(`Cannot start ${label}: ${(err as Error).message}`);
  }
  // The child leads its own group but only it is signalled: it forwards to its own children.
  const stopForwarding = signals.forwardTo((signal) => {
    try {
      child.kill(signal);
    } catch { /* already gone */ }
  });
  try {
    const [status] = await Promise.all([
      child.status,
      pumpLines(child.stdout, (line) => log.out(line)),
      pumpLines(child.stderr, (line) => log.err(line)),
    ]);
    signals.checkpoint(label);
    // Deno reports a child killed by a signal as 128 + signo, like a shell.
    return status.code;
  } finally {
    stopForwarding();
  }
}

/** The argv that runs `<root>/scripts/<tool>.ts` the way ./dce does, with the Deno running us. */
export function toolCommand(root: string, tool: string, args: string[]): [string, string[]] {
  return [Deno.execPath(), [
    "run",
    "--no-prompt",
    "-A",
    join(root, "scripts", `${tool}.ts`),
    ...args,
  ]];
}

/** Runs a sibling tool of the suite (resolved under the repo root, so DCE_REPO_ROOT redirects it). */
export async function runTool(
  log: OpsOutput,
  root: string,
  tool: string,
  args: string[],
  opts: ChildOptions = {},
): Promise<number> {
  const [command, argv] = toolCommand(root, tool, args);
  try {
    await Deno.stat(argv[3]!);
  } catch {
    throw new UserError(
      `Missing tool ${argv[3]}: this checkout (or DCE_REPO_ROOT) does not have ${tool}.`,
    );
  }
  return await runChild(log, command, argv, { label: tool, ...opts });
}
