// Shared by every smoke: run a real tool as its own process, isolated, and collect what it printed.
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname ?? ".", "..");
export const FAKES = join(ROOT, "smokes", "fakes");

export interface ToolRun {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

export interface ToolOptions {
  env?: Record<string, string>;
  cwd?: string;
  stdin?: string;
}

/** The argv that runs scripts/<tool>.ts exactly as ./dce does. */
export function toolArgs(tool: string, args: string[]): string[] {
  return ["run", "--no-prompt", "-A", join(ROOT, "scripts", `${tool}.ts`), ...args];
}

/** DCE_SMOKE_SCALE multiplies repetition counts and every wait's timeout (default 1, CI size). */
export const SCALE = Math.max(1, Number(Deno.env.get("DCE_SMOKE_SCALE") ?? "1") || 1);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` until it is true; throws `timed out waiting for <what>` after `timeoutMs` × SCALE
 * (generous by default: a loaded CI box is slow, and a wait that gives up quietly proves nothing).
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
  pollMs = 10,
): Promise<void> {
  const deadline = performance.now() + timeoutMs * SCALE;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}

/** Where Deno keeps its cache for us; children keep using it (a cold cache would slow every spawn). */
const DENO_DIR = Deno.env.get("DENO_DIR") ||
  join(Deno.env.get("XDG_CACHE_HOME") || join(Deno.env.get("HOME") || "/root", ".cache"), "deno");

/** The caller's DCE_* settings, blanked: a smoke must not pick up the operator's config or lock. */
function blankedSettings(): Record<string, string> {
  const keep = new Set(["DCE_SMOKE_SCALE", "DCE_DENO_BIN"]);
  const blank: Record<string, string> = {};
  for (const key of Object.keys(Deno.env.toObject())) {
    if (key.startsWith("DCE_") && !keep.has(key)) blank[key] = "";
  }
  return blank;
}

/**
 * A quiet, deterministic environment for children: no colour, no disk gate unless a case sets one,
 * none of the caller's DCE_* settings, and a HOME that does not exist (no real token or config
 * under ~ is ever read); a case that needs a home passes one inside its temp folder. The retries
 * of a channel after a transient failure are 50 ms apart instead of minutes.
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...blankedSettings(),
    NO_COLOR: "1",
    DCE_MIN_FREE_MB: "0",
    DCE_RETRY_DELAYS: "0.05,0.05",
    HOME: "/nonexistent",
    DENO_DIR,
    ...extra,
  };
}

export interface SpawnOptions {
  env?: Record<string, string>;
  cwd?: string;
  stdin?: "piped" | "null";
  stdout?: "piped" | "null";
  stderr?: "piped" | "null";
  /** Its own process group (a shell job): a signal sent to -pid reaches it and its children. */
  detached?: boolean;
}

/**
 * Starts scripts/<tool>.ts as ./dce does, in the environment runTool gives, and returns it running:
 * for smokes that kill it, race it against another process or read its output as it comes.
 */
export function spawnTool(
  tool: string,
  args: string[],
  opts: SpawnOptions = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: toolArgs(tool, args),
    cwd: opts.cwd ?? ROOT,
    env: childEnv(opts.env),
    stdin: opts.stdin ?? "null",
    stdout: opts.stdout ?? "piped",
    stderr: opts.stderr ?? "piped",
    ...(opts.detached ? { detached: true } : {}),
  }).spawn();
}

export async function runTool(
  tool: string,
  args: string[],
  opts: ToolOptions = {},
): Promise<ToolRun> {
  const child = spawnTool(tool, args, {
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    stdin: opts.stdin === undefined ? "null" : "piped",
  });
  if (opts.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(opts.stdin));
    await writer.close();
  }
  return decodedRun(await child.output());
}

/** A finished process's status and its whole output as text. */
export function decodedRun(out: Deno.CommandOutput): ToolRun {
  const decoder = new TextDecoder();
  return {
    code: out.code,
    signal: out.signal,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** A temp folder removed when the `await using` scope ends. */
export async function tempDir(prefix = "dce-smoke-"): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}
