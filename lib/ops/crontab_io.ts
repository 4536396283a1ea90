// Reads and replaces the user's crontab through the crontab binary (DCE_CRONTAB_BIN, else `crontab`).
import { UserError } from "../cli/errors.ts";

async function run(bin: string, args: string[], stdin?: string) {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(bin, {
      args,
      stdin: stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new UserError(
        `Cannot run crontab binary '${bin}': not found. Install cron (package cron or cronie) or set DCE_CRONTAB_BIN.`,
      );
    }
    throw new UserError(`Cannot run crontab binary '${bin}': ${(err as Error).message}`);
  }
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    try {
      await writer.write(new TextEncoder().encode(stdin));
      await writer.close();
    } catch (err) {
      // crontab stopped reading (it refused early): its exit status and message below say why.
      if (!(err instanceof Deno.errors.BrokenPipe)) throw err;
    }
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** The current crontab text; an absent crontab ("no crontab for <user>") is the empty string. */
export async function readCrontab(bin: string): Promise<string> {
  const result = await run(bin, ["-l"]);
  if (result.code === 0) return result.stdout;
  if (/no crontab for/i.test(result.stderr)) return "";
  throw new UserError(
    `'${bin} -l' failed (exit ${result.code}): ${
      result.stderr.trim() || "no message"
    }. Nothing was changed.`,
  );
}

/** Installs the text as the whole crontab (`crontab -`, which replaces it atomically). */
export async function writeCrontab(bin: string, text: string): Promise<void> {
  const result = await run(bin, ["-"], text);
  if (result.code !== 0) {
    throw new UserError(
      `'${bin} -' refused the new crontab (exit ${result.code}): ${
        result.stderr.trim() || "no message"
      }. The old crontab is still in place.`,
    );
  }
}
