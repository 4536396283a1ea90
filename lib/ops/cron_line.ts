// Builds the crontab command line that runs the documents scrape through ./dce from an absolute path.
import { join } from "node:path";

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
  logFile: string;
  /** Environment assignments to put before the command (only the ones that are set). */
  env: Record<string, string>;
  /** Pass-through selection arguments (--target/--guild/--channel pairs), in order. */
  selection: string[];
  salvageBeforeScrape: boolean;
}

/**
 * The command part of the crontab line. No flock wrapper: the documents scrape takes the archive-root lock
 * itself (the old `/tmp/<job>.lock` serialised only this one cron entry). stdout goes to /dev/null because
 * the workflow appends everything to its own log file; stderr still reaches cron's mail.
 */
export function cronCommand(opts: CronJobOptions): string {
  const assignments = Object.entries(opts.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const words = [
    join(opts.root, "dce"),
    "run-documents-scrape",
    "--config",
    opts.config,
    "--log-file",
    opts.logFile,
    ...opts.selection,
    ...(opts.salvageBeforeScrape ? ["--salvage-before-scrape"] : []),
  ].map(shellQuote);
  const command = `cd ${shellQuote(opts.root)} && ${
    [...assignments, ...words].join(" ")
  } >/dev/null`;
  return escapeCronPercent(command);
}
