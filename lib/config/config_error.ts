// A config file that cannot be used: every problem found, one `ERROR:` line each, exit 1 (as the bash core).
import { UserErrorList } from "../cli/errors.ts";

export class ConfigError extends UserErrorList {
  constructor(problems: readonly string[]) {
    super(problems, 1);
    this.name = "ConfigError";
  }
}
