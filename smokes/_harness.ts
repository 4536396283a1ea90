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

/**
 * A quiet, deterministic environment for children: no colour, no disk gate unless a case sets one,
 * and the retries of a channel after a transient failure 50 ms apart instead of minutes.
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { NO_COLOR: "1", DCE_MIN_FREE_MB: "0", DCE_RETRY_DELAYS: "0.05,0.05", ...extra };
}

export async function runTool(
  tool: string,
  args: string[],
  opts: ToolOptions = {},
): Promise<ToolRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: toolArgs(tool, args),
    cwd: opts.cwd ?? ROOT,
    env: childEnv(opts.env),
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(opts.stdin));
    await writer.close();
  }
  const out = await child.output();
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
