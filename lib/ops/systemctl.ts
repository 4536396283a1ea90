// Talks to systemd through systemctl (DCE_SYSTEMCTL_BIN, else `systemctl`), for the user's manager
// (`--user`) or the system's.
import { UserError } from "../cli/errors.ts";
import { type Captured, runCaptured } from "../process/run_captured.ts";

export class Systemctl {
  readonly #bin: string;
  readonly #scope: string[];

  constructor(env: Record<string, string | undefined>, system: boolean) {
    this.#bin = env["DCE_SYSTEMCTL_BIN"] || "systemctl";
    this.#scope = system ? [] : ["--user"];
  }

  /** The command as an operator would type it, for messages. */
  describe(args: string[]): string {
    return ["systemctl", ...this.#scope, ...args].join(" ");
  }

  /** Runs a query; its exit status is the caller's to judge. */
  query(args: string[]): Promise<Captured> {
    return runCaptured(this.#bin, [...this.#scope, ...args], {
      label: "systemctl",
      missingHint:
        "This host has no systemd; use ./dce setup-cron instead (or set DCE_SYSTEMCTL_BIN).",
    });
  }

  /** Runs a command that must succeed; a failure is one line with systemctl's own reason. */
  async run(args: string[]): Promise<void> {
    const result = await this.query(args);
    if (result.code !== 0) throw new UserError(this.failure(args, result));
  }

  failure(args: string[], result: Captured): string {
    const reason = result.stderr.trim().split("\n")[0] || "no message";
    return `'${this.describe(args)}' failed (exit ${result.code}): ${reason}`;
  }
}
