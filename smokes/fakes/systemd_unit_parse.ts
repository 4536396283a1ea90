// A test-side model of how systemd reads our unit files: sections and settings, Environment=
// assignments and ExecStart= words, unquoted by systemd's rules (docs/unattended.md#unit-file-quoting).
// The smokes and unit tests read the units back with it, so quoting is checked by a round trip.

export type Unit = Map<string, Map<string, string[]>>;

/** Sections → settings → every value in file order; comment and blank lines skipped. */
export function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const line of text.split("\n")) {
    if (line.trim() === "" || /^[#;]/.test(line)) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      unit.set(header[1]!, section);
      continue;
    }
    if (!section) throw new Error(`setting outside a section: ${line}`);
    const eq = line.indexOf("=");
    if (eq < 0) throw new Error(`not a setting: ${line}`);
    const key = line.slice(0, eq).trim();
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return unit;
}

export function setting(unit: Unit, section: string, key: string): string[] {
  return unit.get(section)?.get(key) ?? [];
}

/** `%%` → `%`; any other specifier is a test failure (we never write one). */
function specifiers(value: string): string {
  return value.replace(/%(.)/g, (_, c: string) => {
    if (c === "%") return "%";
    throw new Error(`unexpected specifier %${c} in ${value}`);
  });
}

/** Splits on whitespace outside double quotes; `\\` and `\"` escapes inside quotes. */
function words(value: string): { text: string; quoted: boolean }[] {
  const out: { text: string; quoted: boolean }[] = [];
  let i = 0;
  while (i < value.length) {
    if (/\s/.test(value[i]!)) {
      i++;
      continue;
    }
    let text = "";
    let quoted = false;
    if (value[i] === '"') {
      quoted = true;
      i++;
      while (value[i] !== '"') {
        if (i >= value.length) throw new Error(`unterminated quote in ${value}`);
        if (value[i] === "\\") i++;
        text += value[i++];
      }
      i++;
      if (i < value.length && !/\s/.test(value[i]!)) throw new Error(`text after quote: ${value}`);
    } else {
      while (i < value.length && !/\s/.test(value[i]!)) {
        if (value[i] === "\\" || value[i] === '"') throw new Error(`unquoted escape in ${value}`);
        text += value[i++];
      }
    }
    out.push({ text, quoted });
  }
  return out;
}

/** ExecStart= as argv: specifiers, then words, then `$$` → `$` in the arguments (never in the program). */
export function execArgv(value: string): string[] {
  return words(specifiers(value)).map(({ text, quoted }, i) => {
    if (!quoted && text === ";") throw new Error(`a lone ';' splits the command: ${value}`);
    if (i === 0) return text;
    if (text.replaceAll("$$", "").includes("$")) throw new Error(`variable in ${text}`);
    return text.replaceAll("$$", "$");
  });
}

/** Environment= lines as one record. */
export function environment(values: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const value of values) {
    for (const { text } of words(specifiers(value))) {
      const eq = text.indexOf("=");
      env[text.slice(0, eq)] = text.slice(eq + 1);
    }
  }
  return env;
}
