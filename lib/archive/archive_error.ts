// The one error type the archive engine throws for bad input or unsafe states: an operator-fixable UserError.
import { UserError } from "../cli/errors.ts";

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
  constructor(kind: ArchiveErrorKind, message: string, exitCode = 1) {
    super(message, { exitCode });
    this.name = "ArchiveError";
    this.kind = kind;
  }
}
