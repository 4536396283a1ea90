// Builds the crontab command line that runs the documents scrape through ./dce from an absolute path.

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
  /** Environment assignments to put before the command (only the ones that are set). */
  env: Record<string, string>;
  /** The command, word by word (scheduledRunArgv). */
  argv: string[];
}

/**
 * The command part of the crontab line. No flock wrapper: the documents scrape takes the archive-root
 * lock itself (the old `/tmp/<job>.lock` serialised only this one cron entry). Cron mails whatever a
 * job prints, which is why the command asks for quiet mode and a silent busy exit, and each run
 * writes its own log in DCE_LOG_DIR unless the operator named one log file (scheduled_run.ts).
 */
export function cronCommand(opts: CronJobOptions): string {
  const assignments = Object.entries(opts.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const words = opts.argv.map(shellQuote);
  const command = `cd ${shellQuote(opts.root)} && ${[...assignments, ...words].join(" ")}`;
  return escapeCronPercent(command);
}
