// Looks a command up on PATH (or checks an explicit path) without running it.
import { delimiter, isAbsolute, join } from "node:path";

export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    return info.isFile && ((info.mode ?? 0) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The absolute path of `name` (a path if it contains "/", else searched on PATH), or undefined. */
export async function findExecutable(
  name: string,
  pathVar: string | undefined,
): Promise<string | undefined> {
  if (name.includes("/")) {
    const path = isAbsolute(name) ? name : join(Deno.cwd(), name);
    return (await isExecutableFile(path)) ? path : undefined;
  }
  for (const dir of (pathVar ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** Runs a probe command quietly; true when it exits 0. A missing binary is simply false. */
export async function probeSucceeds(
  command: string,
  args: string[],
  env?: Record<string, string>,
): Promise<boolean> {
  try {
    const out = await new Deno.Command(command, {
      args,
      ...(env ? { env } : {}),
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}
