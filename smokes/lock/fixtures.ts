// Shared by the lock smokes: spawn contenders and tools as real processes, seed lock states, poll.
import { join } from "node:path";
import { childEnv, ROOT, toolArgs, waitFor } from "../_harness.ts";
export { waitFor };
import { formatLockFile, newToken } from "../../lib/lock/lock_record.ts";
import { formatMeta } from "../../lib/lock/lock_meta.ts";
import {
  readBootId,
  readProcessStartTime,
  readProcessStat,
} from "../../lib/process/child_process.ts";

export const CONTENDER = join(ROOT, "smokes", "lock", "contender.ts");

export { SCALE, sleep } from "../_harness.ts";

export function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Every process a smoke starts leads its own group, so cleanup can take its whole tree. */
export class Procs {
  #children: Deno.ChildProcess[] = [];
  #reaped = new Set<Deno.ChildProcess>();

  spawn(
    cmd: string,
    args: string[],
    opts: { env?: Record<string, string>; stdout?: "piped" | "null" } = {},
  ) {
    const child = new Deno.Command(cmd, {
      args,
      env: childEnv(opts.env),
      stdin: "null",
      stdout: opts.stdout ?? "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
    this.#children.push(child);
    child.status.then(() => this.#reaped.add(child), () => {});
    return child;
  }

  contender(args: string[], env: Record<string, string> = {}) {
    return this.spawn(Deno.execPath(), ["run", "--no-prompt", "-A", CONTENDER, ...args], { env });
  }

  tool(tool: string, args: string[], env: Record<string, string> = {}) {
    return this.spawn(Deno.execPath(), toolArgs(tool, args), { env });
  }

  async [Symbol.asyncDispose]() {
    for (const child of this.#children) {
      // A reaped child's PID may already name another test's process leading its own group. While
      // members of our group remain, the PID cannot be handed out, so: signal the group unless the
      // child is reaped and its PID names a process again.
      if (!this.#reaped.has(child) || readProcessStat(child.pid) === null) {
        try {
          Deno.kill(-child.pid, "SIGKILL");
        } catch { /* already gone */ }
      }
      await child.status.catch(() => {});
      await child.stdout?.cancel().catch(() => {});
      await child.stderr?.cancel().catch(() => {});
    }
  }
}

/** Reads one line from a child's piped stdout (the contenders announce themselves this way). */
export async function readLine(child: Deno.ChildProcess): Promise<string> {
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
  } finally {
    reader.releaseLock();
  }
  return text.split("\n")[0] ?? "";
}

/**
 * Starts a legacy holder, `flock -n L sleep 600` (the older suite's way), and returns once it holds
 * the flock. The holder says so itself: polling with `flock -n L true` takes the lock for a moment,
 * and a holder starting in that moment fails its own `flock -n`.
 */
export async function legacyHolder(procs: Procs, lock: string): Promise<Deno.ChildProcess> {
  const holder = procs.spawn("flock", ["-n", lock, "sh", "-c", "echo locked; exec sleep 600"]);
  const line = await readLine(holder);
  if (line !== "locked") throw new Error(`the legacy holder did not get the flock on ${lock}`);
  return holder;
}

/**
 * The result files contenders have published for stampede round `r` (`res.<r>.<id>`, written
 * whole by rename). Final names only: a listing taken during a rename can show the temp name and
 * the final name both, and counting the temp made a round look complete one contender early.
 */
export function roundResultNames(dir: string, r: number): string[] {
  const pattern = new RegExp(`^res\\.${r}\\.\\d+$`);
  return [...new Set([...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => pattern.test(n)))];
}

/** The PID of a process that has exited (and been reaped). */
export async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

/** Writes a holder record (lock file + meta) as a holder with this pid would have. */
export function seedRecord(
  lockPath: string,
  pid: number,
  opts: { starttime?: string | null; host?: string; bootId?: string; started?: string } = {},
): string {
  const token = newToken();
  const starttime = opts.starttime === undefined
    ? readProcessStartTime(pid) ?? "1"
    : opts.starttime;
  const host = opts.host ?? Deno.hostname();
  const bootId = opts.bootId ?? readBootId() ?? undefined;
  const record = {
    pid,
    token,
    host,
    ...(bootId ? { bootId } : {}),
    ...(starttime ? { starttime } : {}),
  };
  Deno.writeTextFileSync(lockPath, formatLockFile(record));
  Deno.writeTextFileSync(
    `${lockPath}.meta`,
    formatMeta({
      pid,
      started: opts.started ?? "2026-01-01T00:00:00Z",
      cmd: "seeded holder",
      host,
      ...(bootId ? { bootId } : {}),
      ...(starttime ? { starttime } : {}),
      token,
      checkout: "/seeded/checkout",
      tool: "seed",
      children: [],
    }),
  );
  return token;
}

/** Writes a config whose archive_root is `dir`. */
export function writeConfig(
  dir: string,
  body: unknown = { archive_root: dir, targets: [] },
): string {
  const path = join(dir, "config.json");
  Deno.writeTextFileSync(path, typeof body === "string" ? body : JSON.stringify(body));
  return path;
}

export async function collect(child: Deno.ChildProcess) {
  const [status, stdout, stderr] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code: status.code, signal: status.signal, stdout, stderr };
}

/**
 * Starts `with-scrape-lock --config CONFIG -- sleep` and returns once it holds the lock and has
 * written its record (`<lockDir>/.dce-scrape.lock.meta`): a scrape in progress.
 */
export async function scrapeHolder(
  procs: Procs,
  config: string,
  lockDir: string,
): Promise<Deno.ChildProcess> {
  const holder = procs.tool("with-scrape-lock", [
    "--config",
    config,
    "--",
    "sh",
    "-c",
    "echo running; exec sleep 600",
  ]);
  if ((await readLine(holder)) !== "running") throw new Error("the holder did not start");
  await waitFor(() => exists(join(lockDir, ".dce-scrape.lock.meta")), "the holder's .meta");
  return holder;
}
