// Builds the crontab command line that runs the documents scrape through ./dce from an absolute path.
import { join } from "node:path";
import { EXIT } from "../cli/errors.ts";

/** Quotes a word for /bin/sh, which is what cron hands the line to. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_\/.,:=+@-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Cron turns an unescaped '%' into a newline, so every '%' in the command must be escaped. */
export function escapeCronPercent(command: string): string {
  return command.replaceAll("%", "\\%");
}

export interface CronJobOptions {
  /** Absolute checkout root that holds ./dce. */
  root: string;
  config: string;
  /** A log the operator named: every run appends to it (it is theirs, never pruned). */
  logFile?: string | undefined;
  /** Environment assignments to put before the command (only the ones that are set). */
  env: Record<string, string>;
  /** Pass-through selection arguments (--target/--guild/--channel pairs), in order. */
  selection: string[];
  salvageBeforeScrape: boolean;
}

/**
 * The command part of the crontab line. No flock wrapper: the documents scrape takes the archive-root
 * lock itself (the old `/tmp/<job>.lock` serialised only this one cron entry). Cron mails whatever a
 * job prints, so the line asks for quiet mode (nothing on success, the log keeps it all; a digest on
 * stderr when the run fails or is partial) and for EX_TEMPFAIL (75), silently, when another scrape
 * holds the lock: what `flock -n -E 75` and `chronic` gave bash jobs. Without a log file the run
 * makes its own log (and summary) in DCE_LOG_DIR, which the caller puts in `env`: one log per run,
 * which retention prunes, not one file every run appends to for ever.
 */
export function cronCommand(opts: CronJobOptions): string {
  const assignments = Object.entries(opts.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const words = [
    join(opts.root, "dce"),
    "run-documents-scrape",
    "--quiet",
    "--conflict-exit-code",
    String(EXIT.tempfail),
    "--config",
    opts.config,
    ...(opts.logFile !== undefined ? ["--log-file", opts.logFile] : []),
    ...opts.selection,
    ...(opts.salvageBeforeScrape ? ["--salvage-before-scrape"] : []),
  ].map(shellQuote);
  const command = `cd ${shellQuote(opts.root)} && ${[...assignments, ...words].join(" ")}`;
  return escapeCronPercent(command);
}
