// The exit-code contract every tool that scrapes shares (docs/unattended.md has the table).

/** Everything asked for was done (skipped channels a guild lists but the token cannot read included). */
export const EXIT_OK = 0;
/** The run failed or stopped early: nothing after the failure was done. */
export const EXIT_FAILURE = 1;
/** Wrong command line. */
export const EXIT_USAGE = 2;
/**
 * The run finished, but some channels were not exported: a channel failed after its retries, an
 * export was killed, a channel the config names could not be read, or (--strict) any skip. No
 * tool of the older suite exits 3, so a wrapper written for it still sees "non-zero = problem".
 */
export const EXIT_PARTIAL = 3;
/** EX_TEMPFAIL (sysexits.h): what the cron line asks for when another scrape holds the lock. */
export const EXIT_TEMPFAIL = 75;
