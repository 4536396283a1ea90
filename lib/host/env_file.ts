// Parses scrape.env-style files: NAME=value lines, one pair of quotes stripped, never any expansion.

import { UserError } from "../cli/errors.ts";
import { readSmallFile, SIZE_CAP } from "../fs/read_small_file.ts";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const EXPORT_PREFIX = /^export\s+/;

/** A line that is not `NAME=value`. The message never repeats the line: it may hold a token. */
export class EnvFileError extends UserError {
  constructor(file: string, lineNumber: number, hint: string) {
    super(
      `Invalid env assignment in ${file}: line ${lineNumber} (${hint}; line content not shown)`,
    );
    this.name = "EnvFileError";
  }
}

/**
 * Assignments in file order; a later line for the same name wins. Values are taken literally:
 * `$VAR`, `${VAR}`, `$(cmd)` and backticks stay as written, so a hostile env file cannot run
 * anything (the bash runner's smoke proves `$(touch …)` inert; we never evaluate at all).
 */
export function parseEnvFile(text: string, file: string): Map<string, string> {
  const values = new Map<string, string>();
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const body = line.replace(EXPORT_PREFIX, "");
    const eq = body.indexOf("=");
    if (eq < 0) throw new EnvFileError(file, index + 1, "expected NAME=value");
    const name = body.slice(0, eq);
    if (!NAME.test(name)) {
      throw new EnvFileError(file, index + 1, `${describeBadName(name)}; expected NAME=value`);
    }
    values.set(name, unquote(body.slice(eq + 1)));
  }
  return values;
}

/** Names short and plain enough to be a mistyped variable name are shown; anything else is not. */
function describeBadName(name: string): string {
  if (name.length > 0 && name.length <= 32 && /^[A-Za-z0-9_ -]+$/.test(name)) {
    return `'${name}' is not a valid variable name`;
  }
  return "the part before '=' is not a valid variable name";
}

function unquote(value: string): string {
  if (value.length >= 2) {
    const first = value[0];
    if ((first === '"' || first === "'") && value.endsWith(first)) return value.slice(1, -1);
  }
  return value;
}

/**
 * Reads and parses an env file; null when it does not exist (callers decide whether that is an
 * error). A directory, an unreadable file or invalid UTF-8 is a clear error.
 */
export async function loadEnvFile(path: string): Promise<Map<string, string> | null> {
  let bytes: Uint8Array;
  try {
    bytes = await readSmallFile(path, { what: "Env file", maxBytes: SIZE_CAP.settings });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    if (err instanceof UserError) throw err;
    if (err instanceof Deno.errors.PermissionDenied) {
      throw new UserError(
        `Cannot read env file ${path}: permission denied; fix its owner or mode.`,
      );
    }
    if (err instanceof Deno.errors.IsADirectory) {
      throw new UserError(`Env file ${path} is a directory; point --env-file at a file.`);
    }
    throw new UserError(`Cannot read env file ${path}: ${(err as Error).message}`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`Env file ${path} is not UTF-8 text; is it the right file?`);
  }
  return parseEnvFile(text.replaceAll("\r\n", "\n"), path);
}
