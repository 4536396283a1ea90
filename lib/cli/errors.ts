// Typed errors that carry their exit code and own their sentences: the one place a user-facing
// failure becomes a status, and the one wording of each mistake that several tools can make.
import { didYouMean } from "./did_you_mean.ts";

/**
 * Exit statuses every tool shares (docs/cli.md; the scraping tools' table is in docs/unattended.md).
 * `partial`: a scrape finished but some channels were not exported (no tool of the older suite
 * exits 3, so its wrappers still read "non-zero = problem"). `tempfail`: EX_TEMPFAIL (sysexits.h),
 * what the cron line asks for when another scrape holds the lock.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, partial: 3, tempfail: 75 } as const;

export interface ExitOptions {
  /** The status the tool ends with; defaults to the class's own (1 for failures, 2 for usage). */
  exitCode?: number;
}

/** A failure the operator can fix: printed as one `ERROR: …` line, never with a stack. */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: ExitOptions = {}) {
    super(message);
    this.name = "UserError";
    this.exitCode = options.exitCode ?? EXIT.failure;
  }
}

/** Wrong command line: always exit 2, so a wrapper can tell "you typed it wrong" from "it failed". */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, { exitCode: EXIT.usage });
    this.name = "UsageError";
  }
}

/** `--bogus`: the one wording for an option a tool does not know. */
export class UnknownOptionError extends UsageError {
  constructor(option: string, known: readonly string[] = []) {
    super(`Unknown option '${option}'.${didYouMean(option, known)}`);
    this.name = "UnknownOptionError";
  }
}

/** `scarpe`: refused before anything runs, with the closest subcommand when there is one. */
export class UnknownSubcommandError extends UsageError {
  constructor(word: string, known: readonly string[]) {
    const hint = didYouMean(word, known) || ` Use ${known.map((k) => `'${k}'`).join(", ")}.`;
    super(`Unknown subcommand '${word}'.${hint}`);
    this.name = "UnknownSubcommandError";
  }
}

/** A word where the tool takes none (no subcommand, no further file). */
export class UnexpectedArgumentError extends UsageError {
  constructor(word: string) {
    super(`Unexpected argument '${word}' (see --help).`);
    this.name = "UnexpectedArgumentError";
  }
}

/** An option given without its value. */
export class MissingValueError extends UsageError {
  constructor(option: string) {
    super(`Missing value for ${option}.`);
    this.name = "MissingValueError";
  }
}

/** Several independent problems found in one pass (e.g. every config mistake): one `ERROR:` line each. */
export class UserErrorList extends UserError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options: ExitOptions = {}) {
    super(problems.join("\n"), options);
    this.name = "UserErrorList";
    this.problems = problems;
  }
}
