// Typed errors that carry their exit code: the one place a user-facing failure becomes a status.

/** A failure the operator can fix: printed as one `ERROR: …` line, never with a stack. */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = "UserError";
    this.exitCode = exitCode;
  }
}

/** Wrong command line: exit 2 unless a tool's compatibility contract says otherwise. */
export class UsageError extends UserError {
  constructor(message: string, exitCode = 2) {
    super(message, exitCode);
    this.name = "UsageError";
  }
}

/** Several independent problems found in one pass (e.g. every config mistake): one `ERROR:` line each. */
export class UserErrorList extends UserError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], exitCode = 1) {
    super(problems.join("\n"), exitCode);
    this.name = "UserErrorList";
    this.problems = problems;
  }
}
