// Failures of the DCE CLI that stop a scrape run; each message is one operator-facing line.
import { UserError } from "../cli/errors.ts";

/**
 * The token was rejected. The message always contains `Authentication token is invalid`, the
 * stable marker the host runner greps before its single token-refresh retry (docs/host-runner.md#auth-retry).
 */
export class DceAuthError extends UserError {
  constructor(context: string) {
    super(
      `Authentication token is invalid (Discord rejected DISCORD_TOKEN ${context}). Refresh the token (scrape.env or DISCORD_TOKEN_FILE) and rerun.`,
    );
    this.name = "DceAuthError";
  }
}

/** The disk filled up during an export: the run stops; archives are untouched. */
export class DiskFullError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "DiskFullError";
  }
}

/** A listing (`guilds`, `channels`, `dm`) failed for another reason. */
export class DiscoveryError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "DiscoveryError";
  }
}
