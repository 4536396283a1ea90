// Repair fuzzed across layouts and cut points: a file cut anywhere after `"messages": [` keeps
// exactly the messages that were complete before the cut, whatever the indentation (0-8 spaces,
// tabs, mixed, ragged), line breaks (LF, CRLF, none) or a UTF-8 byte-order mark. Deterministic:
// one seeded generator, so a failure names a layout and a cut that reproduce it.
import assert from "node:assert/strict";
import { join } from "node:path";
import { repairTruncatedExport } from "../lib/archive/repair_truncated_export.ts";
import { seededRandom } from "./fixtures/seeded_random.ts";

const TRICKY = [
  '"',
  "\\",
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  "\n",
  "\t",
  "\r\n",
  "    }",
  "🚀",
  "é",
  " ",
];

function text(rand: () => number, max: number): string {
  let s = "";
  for (let n = Math.floor(rand() * max); n > 0; n--) {
    s += rand() < 0.3
      ? TRICKY[Math.floor(rand() * TRICKY.length)]
      : String.fromCharCode(97 + Math.floor(rand() * 26));
  }
  return s;
}

function message(rand: () => number, i: number): Record<string, unknown> {
  const m: Record<string, unknown> = {
    id: String(1_100_000_000_000_000_000n + BigInt(i) * 4_194_304n),
    type: "Default",
    content: text(rand, 60),
    author: { id: "412345678901234567", name: text(rand, 8), roles: [] },
    attachments: [],
    embeds: [],
  };
  for (let k = Math.floor(rand() * 3); k > 0; k--) {
    (m.attachments as unknown[]).push({ id: String(k), fileName: text(rand, 10), size: k * 7 });
  }
  if (rand() < 0.4) {
    m.embeds = [{
      title: text(rand, 12),
      fields: [{ name: "}", value: "{", isInline: false }],
      footer: {},
    }];
  }
  if (rand() < 0.3) m.reference = { messageId: null, pinned: rand() < 0.5, score: -1.5e3 };
  return m;
}

interface Style {
  name: string;
  /** The indent unit, or a function giving each line's indent (ragged); null = minified. */
  indent: string | ((depth: number) => string) | null;
  newline: "\n" | "\r\n";
  bom?: boolean;
}

/** JSON text of `value` in `style` at `depth` (the caller has written the first line's indent). */
function render(value: unknown, style: Style, depth: number): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const entries = Array.isArray(value)
    ? value.map((v) => render(v, style, depth + 1))
    : Object.entries(value).map(([k, v]) =>
      `${JSON.stringify(k)}:${style.indent === null ? "" : " "}${render(v, style, depth + 1)}`
    );
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) return open + close;
  if (style.indent === null) return open + entries.join(",") + close;
  const line = (d: number) => style.newline + pad(style, d);
  return open + entries.map((e) => line(depth + 1) + e).join(",") + line(depth) + close;
}

function pad(style: Style, depth: number): string {
  if (style.indent === null) return "";
  return typeof style.indent === "string" ? style.indent.repeat(depth) : style.indent(depth);
}

const encoder = new TextEncoder();

/** The document's bytes, where the messages array starts, and where each message ends. */
function documentIn(style: Style, messages: Record<string, unknown>[]) {
  const min = style.indent === null;
  const nl = (d: number) => (min ? "" : style.newline + pad(style, d));
  const parts: string[] = [style.bom ? "\uFEFF{" : "{"];
  parts.push(
    nl(1) + `"guild":${min ? "" : " "}` + render({ id: "222", name: "G" }, style, 1) + ",",
  );
  parts.push(
    nl(1) + `"channel":${min ? "" : " "}` + render({ id: "111", name: "c" }, style, 1) + ",",
  );
  parts.push(nl(1) + `"messages":${min ? "" : " "}[`);
  let bytes = parts.reduce((n, p) => n + encoder.encode(p).length, 0);
  const messagesAt = bytes;
  const ends: number[] = [];
  messages.forEach((m, i) => {
    const part = (i > 0 ? "," : "") + nl(2) + render(m, style, 2);
    parts.push(part);
    bytes += encoder.encode(part).length;
    ends.push(bytes);
  });
  parts.push(
    nl(1) + "]," + nl(1) + `"messageCount":${min ? "" : " "}${messages.length}` + nl(0) + "}",
  );
  return { bytes: encoder.encode(parts.join("")), messagesAt, ends };
}

function styles(rand: () => number): Style[] {
  const out: Style[] = [];
  for (let n = 0; n <= 8; n++) {
    out.push({ name: `${n} spaces`, indent: " ".repeat(n), newline: "\n" });
  }
  out.push({ name: "tabs", indent: "\t", newline: "\n" });
  out.push({ name: "tab+space", indent: "\t ", newline: "\n" });
  out.push({ name: "space+tab CRLF", indent: " \t", newline: "\r\n" });
  out.push({ name: "2 spaces CRLF", indent: "  ", newline: "\r\n" });
  out.push({ name: "tabs CRLF", indent: "\t", newline: "\r\n" });
  out.push({ name: "0 spaces CRLF", indent: "", newline: "\r\n" });
  out.push({ name: "minified", indent: null, newline: "\n" });
  out.push({ name: "BOM 2 spaces", indent: "  ", newline: "\n", bom: true });
  out.push({ name: "BOM tabs CRLF", indent: "\t", newline: "\r\n", bom: true });
  out.push({ name: "BOM minified", indent: null, newline: "\n", bom: true });
  out.push({
    name: "ragged (random blanks per line)",
    indent: () => [" ", "\t", "  "][Math.floor(rand() * 3)]!.repeat(Math.floor(rand() * 5)),
    newline: "\n",
  });
  return out;
}

Deno.test("repair fuzz: kept == messages complete before the cut, for every layout and cut", async () => {
  const rand = seededRandom(0x5eed);
  const dir = await Deno.makeTempDir({ prefix: "archive-repair-fuzz-" });
  const path = join(dir, "cut.json");
  let cuts = 0;
  try {
    for (const style of styles(rand)) {
      const messages = Array.from({ length: 8 }, (_, i) => message(rand, i));
      const doc = documentIn(style, messages);
      // Random cuts, plus each message's last byte, the byte after it, and the whole file.
      const points = new Set<number>([doc.bytes.length]);
      for (const end of doc.ends) [end - 1, end, end + 1].forEach((p) => points.add(p));
      for (let k = 0; k < 30; k++) {
        points.add(doc.messagesAt + Math.floor(rand() * (doc.bytes.length - doc.messagesAt)));
      }
      for (const cut of points) {
        const where = `${style.name}, cut at byte ${cut} of ${doc.bytes.length}`;
        await Deno.writeFile(path, doc.bytes.subarray(0, cut));
        const result = await repairTruncatedExport(path);
        const complete = doc.ends.filter((end) => end <= cut).length;
        assert.equal(result.kept, complete, `${where}: ${JSON.stringify(result)}`);
        // TextDecoder drops a byte-order mark (JSON.parse alone would refuse it).
        const repaired = JSON.parse(new TextDecoder().decode(await Deno.readFile(path)));
        assert.deepEqual(repaired.messages, messages.slice(0, complete), where);
        assert.equal(repaired.messageCount, complete, where);
        cuts++;
      }
    }
    assert.ok(cuts >= 500, `only ${cuts} cuts`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repair: lines longer than the line pass's buffer and cuts across its blocks", async () => {
  const dir = await Deno.makeTempDir({ prefix: "archive-repair-fuzz-" });
  const path = join(dir, "cut.json");
  try {
    const rand = seededRandom(3);
    const messages = Array.from({ length: 6 }, (_, i) => message(rand, i));
    messages[2]!.content = "x".repeat(3 << 20); // one 3 MiB line
    const doc = documentIn({ name: "tabs", indent: "\t", newline: "\n" }, messages);
    for (const cut of [doc.ends[1]! + 5, doc.ends[2]! - 3, doc.ends[2]!, doc.bytes.length - 9]) {
      await Deno.writeFile(path, doc.bytes.subarray(0, cut));
      const result = await repairTruncatedExport(path);
      assert.equal(result.kept, doc.ends.filter((end) => end <= cut).length, `cut at ${cut}`);
      JSON.parse(await Deno.readTextFile(path));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
