// setup-scrape-auth: writes the env file (mode 600) from the token the environment holds, starting
// from scrape.env.example, as the bash suite's setup tool did.
import { dirname, join, resolve } from "node:path";
import { UserError } from "../cli/errors.ts";
import type { OpsOutput } from "./ops_log.ts";
import { exists } from "../fs/file_predicates.ts";
import { readSmallTextFile, SIZE_CAP } from "../fs/read_small_file.ts";

export interface SetupAuthOptions {
  /** The env file to write (resolveSettings' envFilePath). */
  envFilePath: string;
  force: boolean;
  env: Record<string, string | undefined>;
  repoRoot: string;
  cwd: string;
  out: OpsOutput;
}

const TOKEN_KEYS = ["DISCORD_TOKEN", "DISCORD_TOKEN_FILE"] as const;

/**
 * Leaves an existing file alone unless --force. The token never reaches the screen, and the file is
 * created with mode 600 before any byte is written (then renamed into place), so there is no moment
 * when others can read it.
 */
export async function setupScrapeAuth(opts: SetupAuthOptions): Promise<void> {
  const path = opts.envFilePath;
  if (!opts.force && (await exists(path))) {
    opts.out.out(`scrape.env already exists at ${path} (use --force to overwrite).`);
    return;
  }
  const values = tokenValues(opts);
  if (values.size === 0) {
    throw new UserError(
      "Set DISCORD_TOKEN or DISCORD_TOKEN_FILE in the environment, then rerun this script.",
    );
  }
  const template = await readTemplate(join(opts.repoRoot, "scrape.env.example"));
  const text = withValues(template, values);
  const temp = join(dirname(path), `.${crypto.randomUUID()}.tmp`);
  try {
    await Deno.writeTextFile(temp, text, { mode: 0o600, createNew: true });
    await Deno.chmod(temp, 0o600); // the umask cannot have loosened it, but make it certain
    await Deno.rename(temp, path);
  } catch (err) {
    await Deno.remove(temp).catch(() => {});
    const reason = err instanceof Error ? err.message : String(err);
    throw new UserError(
      `Cannot write ${path}: ${reason}. Check the folder exists and is writable.`,
    );
  }
  const names = [...values.keys()].join(" and ");
  opts.out.out(`Created ${path} (mode 600) with ${names} from the environment.`);
}

function tokenValues(opts: SetupAuthOptions): Map<string, string> {
  const values = new Map<string, string>();
  for (const key of TOKEN_KEYS) {
    const value = opts.env[key]?.trim();
    if (!value) continue;
    if (/[\r\n]/.test(value)) {
      throw new UserError(`${key} holds a line break; set it to the token alone and rerun.`);
    }
    // The env file reads a relative DISCORD_TOKEN_FILE from its own folder: write it absolute.
    values.set(key, key === "DISCORD_TOKEN_FILE" ? resolve(opts.cwd, value) : value);
  }
  return values;
}

/** Each `KEY=` line of the template gets its value; a key the template lacks is appended. */
export function withValues(template: string, values: ReadonlyMap<string, string>): string {
  const written = new Set<string>();
  const lines = template.split("\n").map((line) => {
    const key = line.match(/^([A-Z_]+)=/)?.[1];
    if (key === undefined || !values.has(key)) return line;
    written.add(key);
    return `${key}=${values.get(key)}`;
  });
  let text = lines.join("\n");
  if (!text.endsWith("\n")) text += "\n";
  for (const [key, value] of values) if (!written.has(key)) text += `${key}=${value}\n`;
  return text;
}

async function readTemplate(path: string): Promise<string> {
  try {
    return await readSmallTextFile(path, { what: "Env template", maxBytes: SIZE_CAP.settings });
  } catch {
    return "";
  }
}
