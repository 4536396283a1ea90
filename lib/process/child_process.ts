// Child processes that cannot outlive us unnoticed: own process group, die-with-parent, /proc identity.
import { join } from "node:path";

export type Stdio = "inherit" | "piped" | "null";

export interface SpawnGuardedOptions {
  env?: Record<string, string>;
  /** Start from an empty environment (plus `env`) instead of ours. */
  clearEnv?: boolean;
  cwd?: string;
  stdin?: Stdio;
  stdout?: Stdio;
  stderr?: Stdio;
  /** Test hook: do not wrap in setpriv even where it exists. */
  noPdeathsig?: boolean;
}

export interface GuardedChild {
  child: Deno.ChildProcess;
  /** Also the process group id: the child leads its own group (detached). */
  pid: number;
  /** True when the child was started under `setpriv --pdeathsig KILL`. */
  diesWithParent: boolean;
}

const SETPRIV_CANDIDATES = ["/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv"];
let setprivPath: string | null | undefined;

/** util-linux setpriv, if installed; looked up once. */
export function findSetpriv(): string | null {
  if (setprivPath !== undefined) return setprivPath;
  setprivPath = null;
  for (const candidate of SETPRIV_CANDIDATES) {
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) {
        setprivPath = candidate;
        break;
      }
    } catch { /* not here */ }
  }
  return setprivPath;
}

/**
 * Spawns `cmd args` as the leader of a new process group (so the whole tree can be signalled),
 * and, where setpriv exists, with PR_SET_PDEATHSIG=KILL so a SIGKILLed parent takes the child
 * with it. Deno spawns from its main thread, which lives as long as the process (proved in
 * smokes/lock_child_smoke.ts), so the parent-death signal fires only when we really die.
 */
export function spawnGuarded(
  cmd: string,
  args: string[],
  opts: SpawnGuardedOptions = {},
): GuardedChild {
  const setpriv = opts.noPdeathsig ? null : findSetpriv();
  const program = setpriv ?? cmd;
  const argv = setpriv ? ["--pdeathsig", "KILL", "--", cmd, ...args] : args;
  const options: Deno.CommandOptions = {
    args: argv,
    detached: true,
    stdin: opts.stdin ?? "inherit",
    stdout: opts.stdout ?? "inherit",
    stderr: opts.stderr ?? "inherit",
  };
  if (opts.env !== undefined) options.env = opts.env;
  if (opts.clearEnv !== undefined) options.clearEnv = opts.clearEnv;
  if (opts.cwd !== undefined) options.cwd = opts.cwd;
  const child = new Deno.Command(program, options).spawn();
  return { child, pid: child.pid, diesWithParent: setpriv !== null };
}

/** The first of the paths exec tries for `name` that `accept`s: as given with a "/", else each PATH folder (empty = here). */
function findOnPath(
  name: string,
  pathVar: string,
  accept: (info: Deno.FileInfo) => boolean,
): string | null {
  if (name === "") return null;
  const candidates = name.includes("/")
    ? [name]
    : pathVar.split(":").map((dir) => join(dir || ".", name));
  for (const candidate of candidates) {
    try {
      if (accept(Deno.statSync(candidate))) return candidate;
    } catch { /* try the next */ }
  }
  return null;
}

/**
 * Whether exec would find `cmd` at all: a path with a "/" that exists, or a name present in a PATH
 * folder. Under setpriv a missing command shows only as setpriv's exit 127, which a command may
 * return itself too, so a caller that must tell the two apart looks first.
 */
export function commandExists(
  cmd: string,
  pathVar = Deno.env.get("PATH") ?? "/usr/bin:/bin",
): boolean {
  return findOnPath(cmd, pathVar, () => true) !== null;
}

/** PATH lookup as the shell does it: the first executable regular file, or null. */
export function whichOnPath(name: string, pathVar: string | undefined): Promise<string | null> {
  const executable = (info: Deno.FileInfo) => info.isFile && ((info.mode ?? 0) & 0o111) !== 0;
  return Promise.resolve(findOnPath(name, pathVar ?? "", executable));
}

/** Sends `signal` to every process in the group led by `pid`; a group already gone is fine. */
export function signalGroup(pid: number, signal: Deno.Signal): boolean {
  if (!Number.isInteger(pid) || pid <= 1) {
    throw new RangeError(`Cannot signal process group ${pid}: not a valid group id`);
  }
  try {
    Deno.kill(-pid, signal);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false; // ESRCH: nobody left in the group
    throw err;
  }
}

/** Start time (/proc/<pid>/stat field 22, clock ticks since boot); null when there is no such process. */
export function readProcessStartTime(pid: number): string | null {
  return readProcessStat(pid)?.startTime ?? null;
}

let bootId: string | null | undefined;

/** This boot's random id (a UUID), or null where the kernel does not offer it. */
export function readBootId(): string | null {
  if (bootId !== undefined) return bootId;
  try {
    bootId = Deno.readTextFileSync("/proc/sys/kernel/random/boot_id").trim() || null;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    bootId = null;
  }
  return bootId;
}

export interface ProcessStat {
  /** Field 3: R, S, D, Z (zombie), X (dead), … */
  state: string;
  /** Field 5: the process group id. */
  pgrp: number;
  /** Field 22, clock ticks since boot. */
  startTime: string;
}

/**
 * Parses a /proc/<pid>/stat line; null when malformed. The command name (field 2) may contain
 * spaces and parentheses, so the fields are counted after the LAST ')'.
 */
export function parseProcStat(text: string): ProcessStat | null {
  const close = text.lastIndexOf(")");
  if (close < 0) return null;
  const rest = text.slice(close + 2).trim().split(" ");
  const [state, , pgrp] = rest;
  const startTime = rest[19];
  if (state === undefined || startTime === undefined || !/^\d+$/.test(startTime)) return null;
  return { state, pgrp: Number(pgrp), startTime };
}

/** State, group and start time of a process, or null when there is no such process. */
export function readProcessStat(pid: number): ProcessStat | null {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || isNoSuchProcess(err)) return null;
    throw err;
  }
  return parseProcStat(text);
}

/**
 * ESRCH from reading a /proc/<pid> file: the process was reaped between the open and the read.
 * Deno raises it as a plain Error, "No such process (os error 3)", with the path appended by
 * the file-reading functions.
 */
export function isNoSuchProcess(err: unknown): boolean {
  return err instanceof Error && err.message.includes("(os error 3)");
}
