// Writing values into systemd unit files: specifiers, ExecStart= words and Environment= assignments
// (docs/unattended.md#unit-file-quoting).
import { UserError } from "../cli/errors.ts";

/**
 * A line break would end the setting, and a trailing backslash would continue it onto the next
 * line; neither can be written safely, so such a value is refused, never mangled.
 */
function checkWritable(value: string, what: string): void {
  if (/[\n\r]/.test(value) || value.endsWith("\\")) {
    throw new UserError(
      `Cannot write ${what} '${value}' into a systemd unit: it contains a line break or ends in a backslash. Use a path without them.`,
    );
  }
}

/** systemd expands `%x` specifiers in almost every setting; `%%` is a literal `%`. */
export function escapeSpecifiers(value: string): string {
  return value.replaceAll("%", "%%");
}

/** A setting value taken as it stands (Description=, WorkingDirectory=): only specifiers escaped. */
export function unitValue(value: string, what: string): string {
  checkWritable(value, what);
  if (value !== value.trim()) {
    throw new UserError(
      `Cannot write ${what} '${value}' into a systemd unit: systemd strips its leading and trailing spaces.`,
    );
  }
  return escapeSpecifiers(value);
}

/** Characters a word may hold and stay unquoted (no quotes, `$`, `%`, `;`, `\`, spaces). */
const BARE_WORD = /^[A-Za-z0-9_\/.,:=+@-]+$/;

/**
 * One word of an ExecStart= command line. systemd splits the line on whitespace unless a word is
 * in double quotes, where `\\` and `\"` are escapes, and `%%` is a literal `%` (specifiers are
 * expanded inside quotes too). In the arguments, not in the program path, `$NAME`/`${NAME}` are
 * environment substitutions and `$$` a literal `$`. A lone `;` separates commands, so it is quoted
 * like any other special word.
 */
export function execWord(word: string, program = false): string {
  checkWritable(word, program ? "the program path" : "the argument");
  if (BARE_WORD.test(word)) return word;
  const escaped = word.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
  return `"${escapeSpecifiers(program ? escaped : escaped.replaceAll("$", "$$$$"))}"`;
}

/** A whole ExecStart= value: the absolute program, then its arguments. */
export function execLine(argv: readonly string[]): string {
  const [program, ...args] = argv;
  if (!program?.startsWith("/")) {
    throw new UserError(`systemd needs an absolute program path in ExecStart=, got '${program}'.`);
  }
  return [execWord(program, true), ...args.map((a) => execWord(a))].join(" ");
}

/**
 * One Environment= value. Assignments are separated by spaces unless double-quoted (with `\\` and
 * `\"` escapes); `$` means nothing there, but specifiers are expanded.
 */
export function environmentAssignment(name: string, value: string): string {
  checkWritable(value, `the value of ${name}`);
  const assignment = `${name}=${value}`;
  if (BARE_WORD.test(assignment)) return assignment;
  return `"${escapeSpecifiers(assignment.replaceAll("\\", "\\\\").replaceAll('"', '\\"'))}"`;
}
