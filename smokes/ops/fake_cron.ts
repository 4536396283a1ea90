// The cron side of the setup-cron smokes: a fake `crontab` that keeps the table in a file, and an
// installed line run the way cron runs it (no environment but PATH and HOME, no terminal, sh -c).
import { join } from "node:path";
import { decodedRun } from "../_harness.ts";
import type { Sandbox } from "./sandbox.ts";

const FAKE_CRONTAB = `#!/bin/sh
f="$FAKE_CRONTAB_FILE"
case "$1" in
  -l) if [ -f "$f" ]; then cat "$f"; else echo "no crontab for tester" >&2; exit 1; fi ;;
  -) cat > "$f.tmp" && mv "$f.tmp" "$f" ;;
  *) echo "fake crontab: unsupported $*" >&2; exit 2 ;;
esac
`;

/** Puts the fake `crontab` in the box: `file` is its table, `env` points setup-cron at it. */
export async function fakeCrontab(
  box: Sandbox,
): Promise<{ file: string; env: Record<string, string> }> {
  const bin = join(box.dir, "crontab");
  await Deno.writeTextFile(bin, FAKE_CRONTAB);
  await Deno.chmod(bin, 0o755);
  const file = join(box.dir, "crontab.txt");
  return { file, env: { ...box.env, DCE_CRONTAB_BIN: bin, FAKE_CRONTAB_FILE: file } };
}

/** What cron hands to sh for a crontab line: the five schedule fields dropped, "\%" back to "%". */
export function cronCommand(line: string): string {
  return line.split(/\s+/).slice(5).join(" ").replaceAll("\\%", "%");
}

/**
 * Runs `command` as cron does: `env -i` with only PATH, HOME, the fake Discord world and `extra`,
 * no terminal, `/bin/sh -c`.
 */
export async function runAsCron(
  box: Sandbox,
  command: string,
  extra: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const vars = Object.entries(extra).map(([name, value]) => `${name}=${value}`);
  const out = await new Deno.Command("env", {
    args: [
      "-i",
      "PATH=/usr/bin:/bin",
      `HOME=${join(box.dir, "home")}`,
      `FAKE_DCE_WORLD=${box.world}`,
      ...vars,
      "/bin/sh",
      "-c",
      command,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return decodedRun(out);
}
