// Runs a script's main(): user errors become one stderr line and their exit code, bugs crash with a stack.
import { UserError, UserErrorList } from "./errors.ts";

export type Main = (argv: string[]) => Promise<number>;

/** Formats any thrown value as the one line an operator sees. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `ERROR: ${message.replaceAll("\n", " ")}`;
}

export async function runMain(main: Main, argv: string[] = Deno.args): Promise<void> {
  try {
    Deno.exitCode = await main(argv);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    const lines = err instanceof UserErrorList ? err.problems.map(errorLine) : [errorLine(err)];
    for (const line of lines) console.error(line);
    Deno.exitCode = err.exitCode;
  }
}
