// Reads a Discord token file: the first line, carriage return and surrounding blanks removed.

import { UserError } from "../cli/errors.ts";
import { readSmallTextFile, SIZE_CAP } from "../fs/read_small_file.ts";

/**
 * `label` names the setting in errors ("DISCORD_TOKEN_FILE", "Token file"). The token itself is
 * never part of any message.
 */
export async function readTokenFile(path: string, label = "DISCORD_TOKEN_FILE"): Promise<string> {
  let text: string;
  try {
    text = await readSmallTextFile(path, { what: label, maxBytes: SIZE_CAP.token });
  } catch (err) {
    if (err instanceof UserError) throw err;
    if (err instanceof Deno.errors.NotFound) {
      throw new UserError(`${label} does not exist: ${path}`);
    }
    if (err instanceof Deno.errors.PermissionDenied) {
      throw new UserError(
        `Cannot read ${label} ${path}: permission denied; fix its owner or mode.`,
      );
    }
    if (err instanceof Deno.errors.IsADirectory) {
      throw new UserError(`${label} ${path} is a directory, not a token file.`);
    }
    throw new UserError(`Cannot read ${label} ${path}: ${(err as Error).message}`);
  }
  const first = (text.split("\n", 1)[0] ?? "").replaceAll("\r", "").trim();
  if (first === "") throw new UserError(`${label} is empty: ${path}`);
  return first;
}
