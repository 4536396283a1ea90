// The header and trailing fields of a merge's result: the export's fields win, dateRange is merged
// (the archive's start, the export's end), keys in DCE's order.
import type { RawField } from "./export_reader.ts";

const HEADER_ORDER = ["guild", "channel", "dateRange", "exportedAt"];
const encoder = new TextEncoder();

function truthy(v: unknown): boolean {
  return v !== null && v !== undefined && v !== false && v !== "" && v !== 0;
}

/** The header of the result: export's fields win, dateRange merged, DCE key order. */
export function mergedHeader(
  archive: Map<string, RawField> | null,
  exp: Map<string, RawField>,
): [string, Uint8Array][] {
  const keys = [...HEADER_ORDER];
  for (const source of [archive, exp]) {
    for (const key of source?.keys() ?? []) {
      if (!keys.includes(key) && key !== "messages" && key !== "messageCount") keys.push(key);
    }
  }
  const out: [string, Uint8Array][] = [];
  for (const key of keys) {
    const a = archive?.get(key);
    const e = exp.get(key);
    if (key === "dateRange" && a && e) {
      const av = (a.value ?? {}) as Record<string, unknown>;
      const ev = (e.value ?? {}) as Record<string, unknown>;
      const after = truthy(av.after) ? av.after : (ev.after ?? null);
      const before = truthy(ev.before) ? ev.before : (av.before ?? null);
      const text = `{\n    "after": ${JSON.stringify(after)},\n    "before": ${
        JSON.stringify(before)
      }\n  }`;
      out.push([key, encoder.encode(text)]);
      continue;
    }
    const chosen = e ?? a;
    if (chosen) out.push([key, chosen.raw]);
  }
  return out;
}

/** Fields that came after the messages array and were not written in the header. */
export function trailingExtras(
  written: [string, Uint8Array][],
  ...sources: Map<string, RawField>[]
): [string, Uint8Array][] {
  const seen = new Set(written.map(([k]) => k));
  const extras: [string, Uint8Array][] = [];
  for (const source of sources) {
    for (const [key, field] of source) {
      if (seen.has(key) || key === "messageCount" || key === "messages") continue;
      seen.add(key);
      extras.push([key, field.raw]);
    }
  }
  return extras;
}
