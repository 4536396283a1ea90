// Reads and replaces the user's crontab through the crontab binary (DCE_CRONTAB_BIN, else `crontab`).
import { UserError } from "../cli/errors.ts";
import { runCaptured } from "../process/run_captured.ts";

function run(bin: string, args: string[], stdin?: string) {
  return runCaptured(bin, args, {
    ...(stdin === undefined ? {} : { stdin }),
    label: "crontab binary",
    missingHint: "Install cron (package cron or cronie) or set DCE_CRONTAB_BIN.",
  });
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
