// Finds and runs smoke modules: each is a `deno test` file run in its own process group with a deadline.
import { join } from "node:path";

export async function findSmokes(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith("_smoke.ts")) names.push(entry.name);
  }
  return names.sort().map((name) => join(dir, name));
}

export interface SmokeResult {
  ok: boolean;
  /** "exit N", "timed out after Ns" */
  reason: string;
  /** Tests counted from deno test's summary line (0 when it printed none). */
  tests: number;
  millis: number;
  /** Combined stdout and stderr, for showing a failure. */
  output: string;
}

export async function runSmoke(
  path: string,
  opts: { timeoutMs: number; env: Record<string, string> },
): Promise<SmokeResult> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "--no-prompt", "-A", "--quiet", path],
    env: opts.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // Its own process group, so a timeout kills the smoke's holders and fakes too.
    detached: true,
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch { /* already gone */ }
  }, opts.timeoutMs);
  const [stdout, stderr, status] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.status,
  ]);
  clearTimeout(timer);
  const output = stdout + stderr;
  const summary = /(\d+) passed.*?\| (\d+) failed/.exec(output);
  const tests = summary ? Number(summary[1]) + Number(summary[2]) : 0;
  const ok = !timedOut && status.success;
  const reason = timedOut ? `timed out after ${opts.timeoutMs / 1000}s` : `exit ${status.code}`;
  return { ok, reason, tests, millis: performance.now() - started, output };
}
