// CliFx 2.3.6 argument binding as DCE sees it: `--long`/`-s` options, values until the next option, no `=` form.

export type OptionKind = "string" | "bool" | "strings" | "snowflake" | "snowflakes";

export interface OptionSchema {
  long: string;
  short?: string;
  kind: OptionKind;
  required?: boolean;
  env?: string;
}

export type Parsed =
  | { ok: true; values: Map<string, string[]> }
  | { ok: false; stderr: string };

const COMMON: OptionSchema[] = [
  { long: "token", short: "t", kind: "string", required: true, env: "DISCORD_TOKEN" },
  { long: "bot", short: "b", kind: "bool", env: "DISCORD_TOKEN_BOT" },
  { long: "respect-rate-limits", kind: "bool" },
];

const EXPORT_COMMON: OptionSchema[] = [
  { long: "output", short: "o", kind: "string" },
  { long: "format", short: "f", kind: "string" },
  { long: "after", kind: "snowflake" },
  { long: "before", kind: "snowflake" },
  { long: "partition", short: "p", kind: "string" },
  { long: "include-threads", kind: "string" },
  { long: "filter", kind: "string" },
  { long: "parallel", kind: "string" },
  { long: "reverse", kind: "bool" },
  { long: "markdown", kind: "bool" },
  { long: "media", kind: "bool" },
  { long: "reuse-media", kind: "bool" },
  { long: "media-dir", kind: "string" },
  { long: "dateformat", kind: "string" },
  { long: "locale", kind: "string" },
  { long: "utc", kind: "bool" },
  { long: "fuck-russia", kind: "bool", env: "FUCK_RUSSIA" },
];

export const COMMANDS: Record<string, OptionSchema[]> = {
  export: [
    ...COMMON,
    ...EXPORT_COMMON,
    { long: "channel", short: "c", kind: "snowflakes", required: true },
  ],
  guilds: [...COMMON],
  channels: [
    ...COMMON,
    { long: "guild", short: "g", kind: "snowflake", required: true },
    { long: "include-vc", kind: "bool" },
    { long: "include-threads", kind: "string" },
  ],
  dm: [...COMMON],
};

function isOptionToken(arg: string): boolean {
  return /^--[a-zA-Z]/.test(arg) || /^-[a-zA-Z]/.test(arg);
}

function identifier(o: OptionSchema): string {
  return o.short ? `-${o.short}|--${o.long}` : `--${o.long}`;
}

/** `Invalid snowflake '<v>'.` for anything that is neither digits nor a parseable date. */
export function parseSnowflakeOrDate(value: string): bigint | null {
  if (/^[0-9]+$/.test(value)) {
    // A snowflake is a 64-bit unsigned integer; anything larger does not parse.
    const id = BigInt(value);
    return id <= 0xffffffffffffffffn ? id : null;
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  return BigInt(Math.max(0, ms - 1420070400000)) << 22n;
}

export function bindArgs(
  schema: OptionSchema[],
  argv: string[],
  env: (name: string) => string | undefined,
): Parsed {
  const raw = new Map<string, string[]>();
  const unknown: string[] = [];
  const positional: string[] = [];
  let current: string[] | null = null;
  for (const arg of argv) {
    if (isOptionToken(arg)) {
      const names = arg.startsWith("--") ? [arg.slice(2)] : [...arg.slice(1)];
      for (const name of names) {
        const option = arg.startsWith("--")
          ? schema.find((o) => o.long.toLowerCase() === name.toLowerCase())
          : schema.find((o) => o.short === name);
        if (!option) {
          unknown.push(arg.startsWith("--") ? `--${name}` : `-${name}`);
          current = [];
          continue;
        }
        const list = raw.get(option.long) ?? [];
        raw.set(option.long, list);
        current = list;
      }
    } else if (current) {
      current.push(arg);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length > 0) {
    return { ok: false, stderr: `Unexpected parameter(s):\n${positional.join(" ")}` };
  }
  if (unknown.length > 0) {
    return { ok: false, stderr: `Unrecognized option(s):\n${unknown.join(", ")}` };
  }
  const values = new Map<string, string[]>();
  const missing: string[] = [];
  for (const option of schema) {
    let given = raw.get(option.long);
    if (given === undefined && option.env !== undefined) {
      const fromEnv = env(option.env);
      if (fromEnv !== undefined) given = option.kind === "bool" && fromEnv === "" ? [] : [fromEnv];
    }
    if (given === undefined) {
      if (option.required) missing.push(identifier(option));
      continue;
    }
    const multi = option.kind === "strings" || option.kind === "snowflakes";
    if (option.kind === "bool") {
      if (given.length > 1) return tooMany(option, given);
      const v = given[0];
      if (v !== undefined && !/^(true|false)$/i.test(v)) {
        return cannotSet(option, v, `String '${v}' was not recognized as a valid Boolean.`);
      }
      values.set(option.long, [v === undefined ? "true" : v.toLowerCase()]);
      continue;
    }
    if (given.length === 0) {
      if (option.required) missing.push(identifier(option));
      else return cannotSet(option, "", "Missing value.");
      continue;
    }
    if (!multi && given.length > 1) return tooMany(option, given);
    if (option.kind === "snowflake" || option.kind === "snowflakes") {
      for (const v of given) {
        if (parseSnowflakeOrDate(v) === null) {
          return cannotSet(option, v, `Invalid snowflake '${v}'.`);
        }
      }
    }
    values.set(option.long, given);
  }
  if (missing.length > 0) {
    return { ok: false, stderr: `Missing required option(s):\n${missing.join(", ")}` };
  }
  return { ok: true, values };
}

function cannotSet(option: OptionSchema, value: string, inner: string): Parsed {
  return {
    ok: false,
    stderr: `Option ${
      identifier(option)
    } cannot be set from the provided argument(s):\n${value}\nError: ${inner}`,
  };
}

function tooMany(option: OptionSchema, given: string[]): Parsed {
  return {
    ok: false,
    stderr: `Option ${identifier(option)} expects a single argument, but provided with multiple:\n${
      given.join(" ")
    }`,
  };
}
