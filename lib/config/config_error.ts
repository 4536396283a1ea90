// The config's own failures: every problem in one file (exit 1), no file at all (exit 2), a target
// name it does not hold (exit 1).
import { EXIT, type ExitOptions, UserError, UserErrorList } from "../cli/errors.ts";
import { didYouMean } from "../cli/did_you_mean.ts";

/**
 * A config file that cannot be used: every problem found, one `ERROR:` line each; exit 1 unless a
 * tool's contract says otherwise (the lock tools use 2, as their 1 means "held").
 */
export class ConfigError extends UserErrorList {
  constructor(problems: readonly string[], options: ExitOptions = {}) {
    super(problems, options);
    this.name = "ConfigError";
  }
}

/** The example every new checkout copies; named in the one "missing config" sentence. */
export const EXAMPLE_CONFIG = "config/scrape-targets.example.json";

/**
 * No config where the tool looked: the same sentence and exit 2 in every tool (a wrong --config or
 * a checkout not set up yet is a command-line problem, not a failed run).
 */
export class MissingConfigError extends UserError {
  constructor(path: string) {
    super(
      `Missing config: ${path}. Copy ${EXAMPLE_CONFIG} to config/scrape-targets.json and edit it, or pass --config PATH.`,
      { exitCode: EXIT.usage },
    );
    this.name = "MissingConfigError";
  }
}

/** --target names that are not in the config: the one sentence every tool prints. */
export class UnknownTargetError extends UserError {
  constructor(names: readonly string[], configPath: string, known: readonly string[]) {
    const quoted = names.map((n) => `'${n}'`).join(", ");
    const hint = names.length === 1 ? didYouMean(names[0] as string, known) : "";
    super(
      `Unknown target${names.length === 1 ? "" : "s"} ${quoted} in ${configPath}.${hint} Known: ${
        known.join(", ") || "(none)"
      }.`,
    );
    this.name = "UnknownTargetError";
  }
}
