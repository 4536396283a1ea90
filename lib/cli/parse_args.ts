// node:util parseArgs with its TypeErrors turned into UsageErrors that name the option.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.ts";

export function parseArgv<T extends ParseArgsConfig>(config: T, usageExit = 2) {
  try {
    return parseArgs({ strict: true, ...config });
  } catch (err) {
    if (
      err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")
    ) {
      // Keep the first sentence: parseArgs appends advice about "--" that does not fit our tools.
      const first = err.message.split(". ")[0] ?? err.message;
      throw new UsageError(first.endsWith(".") ? first : `${first}.`, usageExit);
    }
    throw err;
  }
}
