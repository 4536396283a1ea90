// The lock is held by someone else: the one error a --wait retries and with-scrape-lock maps to its conflict code.
import { UserError } from "../cli/errors.ts";
import type { Holder } from "./holder.ts";

/** Exit 1 by default; with-scrape-lock turns it into --conflict-exit-code. */
export class LockBusyError extends UserError {
  readonly holder: Holder | null;
  constructor(message: string, holder: Holder | null, exitCode = 1) {
    super(message, { exitCode });
    this.name = "LockBusyError";
    this.holder = holder;
  }
}
