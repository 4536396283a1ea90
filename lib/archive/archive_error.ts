// The one error type the archive engine throws for bad input or unsafe states: an operator-fixable UserError.
import { type ExitOptions, UserError } from "../cli/errors.ts";

/** Why an archive operation refused; callers may branch on `kind` (e.g. salvage treats "truncated" specially). */
export type ArchiveErrorKind =
  | "not-found"
  | "unreadable"
  | "not-json"
  | "truncated"
  | "not-dce-export"
  | "wrong-channel"
  | "unsafe-path"
  | "guard"
  | "write-failed";

export class ArchiveError extends UserError {
  readonly kind: ArchiveErrorKind;
  constructor(kind: ArchiveErrorKind, message: string, options: ExitOptions = {}) {
    super(message, options);
    this.name = "ArchiveError";
    this.kind = kind;
  }
}

/**
 * An existing archive the run cannot build on, called what it is: valid JSON that is not a DCE
 * export is not "invalid JSON", and a cut-off file has its own repair.
 */
export function existingArchiveError(path: string, err: ArchiveError): UserError {
  switch (err.kind) {
    case "not-dce-export":
      return new UserError(
        `Existing archive ${path} is valid JSON but not a DCE export (${err.message}); move it out of the target folder.`,
      );
    case "truncated":
      return new UserError(`Existing archive ${path} is cut off: ${err.message}`);
    default:
      return new UserError(`Existing export is not valid JSON: ${path} (${err.message})`);
  }
}
