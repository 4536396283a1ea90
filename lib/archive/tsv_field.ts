// A path or name as one field of a tab-separated output line: backslash, tab, line breaks and other
// control characters escaped, so a file name can neither split a line nor forge another one.

// deno-lint-ignore no-control-regex
const SPECIAL = /[\\\u0000-\u001f\u007f]/g;

export function escapeField(s: string): string {
  return s.replace(SPECIAL, (c) => {
    switch (c) {
      case "\\":
        return "\\\\";
      case "\t":
        return "\\t";
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      default:
        return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
    }
  });
}

export function unescapeField(s: string): string {
  return s.replace(/\\(x[0-9a-f]{2}|[\\tnr])/g, (_, c: string) => {
    if (c.startsWith("x")) return String.fromCharCode(parseInt(c.slice(1), 16));
    return c === "t" ? "\t" : c === "n" ? "\n" : c === "r" ? "\r" : "\\";
  });
}
