// Runs a short helper program (crontab, systemctl) to its end and returns its exit code and output.
import { UserError } from "../cli/errors.ts";

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CapturedOptions {
  /** Written to the program's stdin, then closed; without it stdin is /dev/null. */
  stdin?: string;
  /** What the program is, for the error line: "crontab binary". */
  label: string;
  /** What to do when it is not installed: "Install cron (...) or set DCE_CRONTAB_BIN." */
  missingHint: string;
}

/** A program that cannot be started is a UserError naming it; any exit status is the caller's to judge. */
export async function runCaptured(
  bin: string,
  args: string[],
  opts: CapturedOptions,
): Promise<Captured> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(bin, {
      args,
      stdin: opts.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new UserError(`Cannot run ${opts.label} '${bin}': not found. ${opts.missingHint}`);
    }
    throw new UserError(`Cannot run ${opts.label} '${bin}': ${(err as Error).message}`);
  }
  if (opts.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    try {
      await writer.write(new TextEncoder().encode(opts.stdin));
      await writer.close();
    } catch (err) {
      // The program stopped reading (it refused early): its exit status and message say why.
      if (!(err instanceof Deno.errors.BrokenPipe)) throw err;
    }
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}
