// Runs a tool: --help and --version the same way in every tool, user errors as one stderr line and
// their exit code, bugs crash with a stack.
import { EXIT, UserError, UserErrorList } from "./errors.ts";
import { repoRoot } from "./repo_root.ts";
import { versionLine } from "./version.ts";

export type Main = (argv: string[]) => Promise<number>;

export interface Tool {
  /** The name operators type after ./dce (the script's file name). */
  name: string;
  /** The --help text, also the tool's section of docs/tools.md. */
  usage: string;
  main: Main;
  /**
   * Which standard flag the command line asks for. Default: `--help`/`-h`/`--version` anywhere
   * before a `--` (after it they belong to the command a tool runs).
   */
  standardFlag?: (argv: readonly string[]) => StandardFlag | undefined;
}

export type StandardFlag = "help" | "version";

export function standardFlag(argv: readonly string[]): StandardFlag | undefined {
  const end = argv.indexOf("--");
  const own = end === -1 ? argv : argv.slice(0, end);
  if (own.includes("--version")) return "version";
  if (own.includes("--help") || own.includes("-h")) return "help";
  return undefined;
}

/** Formats any thrown value as the one line an operator sees. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `ERROR: ${message.replaceAll("\n", " ")}`;
}

/** Prints a user error (each problem of a list on its own line) and returns its exit code. */
export function reportUserError(err: UserError, print = console.error): number {
  const lines = err instanceof UserErrorList ? err.problems.map(errorLine) : [errorLine(err)];
  for (const line of lines) print(line);
  return err.exitCode;
}

export async function runMain(tool: Tool, argv: string[] = Deno.args): Promise<void> {
  try {
    const flag = (tool.standardFlag ?? standardFlag)(argv);
    if (flag === "help") {
      console.log(tool.usage);
      Deno.exitCode = EXIT.ok;
    } else if (flag === "version") {
      console.log(versionLine(tool.name, repoRoot()));
      Deno.exitCode = EXIT.ok;
    } else {
      Deno.exitCode = await tool.main(argv);
    }
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    Deno.exitCode = reportUserError(err);
  }
}
