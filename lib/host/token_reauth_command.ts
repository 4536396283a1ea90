// DCE_REAUTH_COMMAND: validated before the run starts (docs/bash-suite.md#h22-reauth-only-with-a-tty), run once before the auth retry.

import { isAbsolute, sep } from "node:path";
import { UserError } from "../cli/errors.ts";

/**
 * The physical path of the reauth script, or null when DCE_REAUTH_COMMAND is unset/empty.
 * Rules (docs/host-runner.md#auth-retry): an absolute path, whose symlink-resolved location is an existing executable
 * regular file inside the (symlink-resolved) repository root. Checked up front so that a
 * misconfigured command fails the run before any export, never in the middle of a retry.
 */
export async function validateReauthCommand(
  value: string | undefined,
  repoRoot: string,
): Promise<string | null> {
  if (!value) return null;
  if (!isAbsolute(value)) {
    throw new UserError(
      "DCE_REAUTH_COMMAND must be an absolute path to an executable script under the repository.",
    );
  }
  let real: string;
  try {
    real = await Deno.realPath(value);
  } catch {
    throw new UserError(`DCE_REAUTH_COMMAND does not exist: ${value}`);
  }
  const info = await Deno.stat(real);
  if (!info.isFile || ((info.mode ?? 0) & 0o111) === 0) {
    throw new UserError(`DCE_REAUTH_COMMAND is not executable: ${value}`);
  }
  let realRoot: string;
  try {
    realRoot = await Deno.realPath(repoRoot);
  } catch {
    realRoot = repoRoot;
  }
  const prefix = realRoot.endsWith(sep) ? realRoot : realRoot + sep;
  if (!real.startsWith(prefix)) {
    throw new UserError("DCE_REAUTH_COMMAND must be a script inside the repository root.");
  }
  return real;
}

/**
 * Runs the reauth script once, without arguments; its output goes to our log (it is
 * diagnostics) unless we run on a terminal, where it gets the terminal (it may prompt); otherwise
 * its stdin is /dev/null, so under cron it cannot hang waiting for input. A failure is reported and otherwise ignored: the retry
 * still happens with whatever token the sources now give.
 */
export async function runReauthCommand(
  path: string,
  opts: { env: Record<string, string>; interactive: boolean; log: (line: string) => void },
): Promise<void> {
  opts.log("Auth failed; running DCE_REAUTH_COMMAND...");
  try {
    const child = new Deno.Command(path, {
      args: [],
      env: opts.env,
      clearEnv: true,
      // On a terminal the script may prompt (a browser login, a password): give it the terminal.
      stdin: opts.interactive ? "inherit" : "null",
      stdout: opts.interactive ? "inherit" : "piped",
      stderr: opts.interactive ? "inherit" : "piped",
    }).spawn();
    const out = await child.output();
    if (!opts.interactive) {
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      for (const line of text.split("\n")) if (line !== "") opts.log(line);
    }
    if (!out.success) {
      opts.log(`WARN: DCE_REAUTH_COMMAND exited ${out.code}; retrying with the current token.`);
    }
  } catch (err) {
    opts.log(
      `WARN: DCE_REAUTH_COMMAND could not run (${(err as Error).message}); retrying anyway.`,
    );
  }
}
