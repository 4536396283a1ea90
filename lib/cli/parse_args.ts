// node:util parseArgs with its TypeErrors turned into our one wording of each usage mistake (exit 2).
import { parseArgs, type ParseArgsConfig } from "node:util";
import {
  MissingValueError,
  UnexpectedArgumentError,
  UnknownOptionError,
  UsageError,
} from "./errors.ts";

export function parseArgv<T extends ParseArgsConfig>(config: T) {
  try {
    return parseArgs({ strict: true, ...config });
  } catch (err) {
    if (
      err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")
    ) {
      throw usageError(err, Object.keys(config.options ?? {}).map((name) => `--${name}`));
    }
    throw err;
  }
}

function usageError(err: TypeError, known: string[]): UsageError {
  const code = String((err as TypeError & { code: unknown }).code);
  const quoted = err.message.match(/'([^']+)'/)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && quoted) {
    return new UnknownOptionError(quoted, known);
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL" && quoted) {
    return new UnexpectedArgumentError(quoted);
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && /argument missing/.test(err.message)) {
    const option = err.message.match(/--[\w-]+/)?.[0];
    if (option) return new MissingValueError(option);
  }
  // Keep the first sentence: parseArgs appends advice about "--" that does not fit our tools.
  const first = err.message.split(". ")[0] ?? err.message;
  return new UsageError(first.endsWith(".") ? first : `${first}.`);
}
