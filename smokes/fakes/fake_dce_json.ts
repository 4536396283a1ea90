// Byte-exact DCE JSON rendering for the fake CLI: .NET Utf8JsonWriter indented layout and relaxed escaping.

/** A JSON value whose object keys keep insertion order (DCE's field order matters byte for byte). */
export type JsonValue = string | number | boolean | null | JsonValue[] | {
  [key: string]: JsonValue;
};

const NEWLINE = "\n";

/**
 * The relaxed encoder: quote, backslash and control characters escaped; characters outside the
 * BMP always as upper-case surrogate escapes; a few space/format characters escaped too.
 */
export function jsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (mustEscape(c)) out += `\\u${c.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += text[i];
  }
  return `${out}"`;
}

function mustEscape(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff) || c === 0xad ||
    (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) || (c >= 0x205f && c <= 0x206f) ||
    c === 0x3000 || c === 0xfeff;
}

/** Renders a value in the indented layout, starting at `indent` spaces (used for the first line's children). */
export function renderJson(value: JsonValue, indent: number): string {
  if (value === null) return "null";
  if (typeof value === "string") return jsonString(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const pad = " ".repeat(indent + 2);
  const close = " ".repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((v) => pad + renderJson(v, indent + 2));
    return `[${NEWLINE}${items.join(`,${NEWLINE}`)}${NEWLINE}${close}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return "{}";
  const items = keys.map((k) =>
    `${pad}${jsonString(k)}: ${renderJson(value[k] as JsonValue, indent + 2)}`
  );
  return `{${NEWLINE}${items.join(`,${NEWLINE}`)}${NEWLINE}${close}}`;
}

/** DCE timestamp: round-trip form, fraction without trailing zeros (omitted when zero), `+00:00` offset. */
export function formatTimestamp(ms: number, extraDigits = ""): string {
  const iso = new Date(ms).toISOString(); // 2024-01-01T00:00:00.120Z
  const base = iso.slice(0, 19);
  const fraction = (iso.slice(20, 23) + extraDigits).replace(/0+$/, "");
  return `${base}${fraction ? `.${fraction}` : ""}+00:00`;
}

export const DISCORD_EPOCH_MS = 1420070400000;

export function snowflakeToMs(id: bigint): number {
  return Number(id >> 22n) + DISCORD_EPOCH_MS;
}

export function msToSnowflake(ms: number): bigint {
  return BigInt(Math.max(0, ms - DISCORD_EPOCH_MS)) << 22n;
}

/** The top-level keys before `messages`, rendered as DCE streams them (ends with `"messages": [`). */
export function renderPreamble(head: {
  guild: JsonValue;
  channel: JsonValue;
  dateRange: JsonValue;
  exportedAt: string;
}): string {
  return [
    "{",
    `  "guild": ${renderJson(head.guild, 2)},`,
    `  "channel": ${renderJson(head.channel, 2)},`,
    `  "dateRange": ${renderJson(head.dateRange, 2)},`,
    `  "exportedAt": ${jsonString(head.exportedAt)},`,
    `  "messages": [`,
  ].join(NEWLINE);
}

/** One message as it is appended after the previous one (separator first, as the .NET writer does). */
export function renderMessageChunk(message: JsonValue, first: boolean): string {
  return `${first ? "" : ","}${NEWLINE}    ${renderJson(message, 4)}`;
}

/** The tail after the last message (or right after `[` when there were none); no trailing newline. */
export function renderTail(count: number): string {
  if (count === 0) return `],${NEWLINE}  "messageCount": 0${NEWLINE}}`;
  return `${NEWLINE}  ],${NEWLINE}  "messageCount": ${count}${NEWLINE}}`;
}
