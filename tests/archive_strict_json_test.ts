// The scanner accepts exactly the string contents JSON allows (RFC 8259 in UTF-8): raw control
// characters, bad escapes and ill-formed UTF-8 are refused at their first byte. JSON.parse over a
// strict UTF-8 decoding is the oracle, on random strings pushed in random chunk sizes.
import assert from "node:assert/strict";
import { DceJsonScanner, ScanError } from "../lib/archive/dce_json_scanner.ts";
import { firstInvalidUtf8 } from "../lib/archive/utf8_check.ts";
import { seededRandom } from "./fixtures/seeded_random.ts";

const HEAD = new TextEncoder().encode(
  '{"channel": {"id": "1"}, "messages": [{"id": "7", "content": "',
);
const TAIL = new TextEncoder().encode('"}]}');

function withContent(content: Uint8Array): Uint8Array {
  const doc = new Uint8Array(HEAD.length + content.length + TAIL.length);
  doc.set(HEAD);
  doc.set(content, HEAD.length);
  doc.set(TAIL, HEAD.length + content.length);
  return doc;
}

/** null when the scanner accepts `doc` (pushed in chunks of `chunk` bytes), else the error. */
function scan(doc: Uint8Array, chunk = doc.length): ScanError | null {
  const scanner = new DceJsonScanner({
    field() {},
    messagesStart() {},
    message() {},
    messagesEnd() {},
  });
  try {
    for (let i = 0; i < doc.length; i += chunk) scanner.push(doc.subarray(i, i + chunk));
    scanner.finish();
    return null;
  } catch (err) {
    if (err instanceof ScanError) return err;
    throw err;
  }
}

function oracleAccepts(doc: Uint8Array): boolean {
  try {
    JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(doc));
    return true;
  } catch {
    return false;
  }
}

const bytes = (...b: number[]) => new Uint8Array(b);
const ascii = (s: string) => new TextEncoder().encode(s);

Deno.test("strict strings: each kind of bad content is refused at its first offending byte", () => {
  const cases: [string, Uint8Array, number, RegExp][] = [
    ["raw line break", ascii("ab\ncd"), 2, /raw control character \(byte 0x0A\)/],
    ["raw NUL", bytes(0x61, 0x00), 1, /raw control character \(byte 0x00\)/],
    ["raw tab", ascii("a\tb"), 1, /raw control character \(byte 0x09\)/],
    ["\\x escape", ascii("a\\x41"), 1, /invalid escape "\\x"/],
    ["\\u with 2 hex digits", ascii("\\u12"), 4, /invalid \\u escape .*found "/],
    ["\\u with a non-hex digit", ascii("\\u12G4"), 4, /invalid \\u escape .*found G/],
    ["escaped raw line break", ascii("\\\n"), 0, /invalid escape "\\byte 0x0A"/],
    ["overlong slash C0 AF", bytes(0x61, 0xc0, 0xaf), 1, /not valid UTF-8 \(byte 0xC0\)/],
    ["overlong E0 80 80", bytes(0xe0, 0x80, 0x80), 0, /not valid UTF-8/],
    ["surrogate ED A0 80", bytes(0x62, 0xed, 0xa0, 0x80), 1, /not valid UTF-8 \(byte 0xED\)/],
    ["above U+10FFFF", bytes(0xf4, 0x90, 0x80, 0x80), 0, /not valid UTF-8/],
    ["byte F5", bytes(0xf5, 0x80, 0x80, 0x80), 0, /not valid UTF-8 \(byte 0xF5\)/],
    ["byte FF", bytes(0x61, 0x61, 0xff), 2, /not valid UTF-8 \(byte 0xFF\)/],
    ["lone continuation byte", bytes(0x80), 0, /not valid UTF-8 \(byte 0x80\)/],
    ["sequence cut short", bytes(0xe2, 0x82, 0x61), 0, /not valid UTF-8 \(byte 0xE2\)/],
  ];
  for (const [name, content, at, message] of cases) {
    const doc = withContent(content);
    assert.equal(oracleAccepts(doc), false, `${name}: the oracle accepts it`);
    for (const chunk of [doc.length, 1, 2, 3, 5]) {
      const err = scan(doc, chunk);
      assert.ok(err, `${name} (chunks of ${chunk}) was accepted`);
      assert.equal(err.offset, HEAD.length + at, `${name} (chunks of ${chunk}): ${err.message}`);
      assert.match(err.message, message, `${name} (chunks of ${chunk}): ${err.message}`);
      assert.equal(err.truncated, false, name);
    }
  }
});

Deno.test("strict strings: what JSON allows stays allowed, byte for byte", () => {
  const good = [
    ascii('\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE80 \\uDEAD'), // lone surrogate escape: JSON allows it
    ascii("é ✓ 🚀 \u007f"),
    bytes(0xef, 0xbf, 0xbf, 0xf4, 0x8f, 0xbf, 0xbf, 0xed, 0x9f, 0xbf), // U+FFFF, U+10FFFF, U+D7FF
  ];
  for (const content of good) {
    const doc = withContent(content);
    assert.equal(oracleAccepts(doc), true);
    for (const chunk of [doc.length, 1, 3]) {
      assert.equal(scan(doc, chunk), null, `chunks of ${chunk}`);
    }
  }
});

/** Random string content, mostly plausible, biased towards the edges of what is allowed. */
function randomContent(rand: () => number): Uint8Array {
  const pieces: number[][] = [
    [0x61],
    [0x20],
    [0x5c, 0x6e],
    [0x5c, 0x22],
    [0x5c, 0x5c],
    [0x5c, 0x75, 0x30, 0x30, 0x65, 0x39],
    [0x5c, 0x75, 0x44, 0x38, 0x33, 0x44],
    [0x5c],
    [0x5c, 0x75],
    [0x5c, 0x78],
    [0x22],
    [0xc3, 0xa9],
    [0xe2, 0x9c, 0x93],
    [0xf0, 0x9f, 0x9a, 0x80],
    [0xed, 0x9f, 0xbf],
    [0xed, 0xa0, 0x80],
    [0xc0, 0x80],
    [0xe0, 0x9f, 0xbf],
    [0xf4, 0x90, 0x80, 0x80],
  ];
  const out: number[] = [];
  for (let n = Math.floor(rand() * 12); n > 0; n--) {
    const r = rand();
    if (r < 0.08) out.push(Math.floor(rand() * 0x20)); // a control byte
    else if (r < 0.16) out.push(0x80 + Math.floor(rand() * 0x80)); // any high byte
    else out.push(...pieces[Math.floor(rand() * pieces.length)]!);
  }
  return new Uint8Array(out);
}

Deno.test("strict strings: the scanner and JSON.parse agree on 5,000 random strings", () => {
  const rand = seededRandom(8259);
  let accepted = 0;
  for (let k = 0; k < 5000; k++) {
    const doc = withContent(randomContent(rand));
    const chunk = 1 + Math.floor(rand() * 9);
    const err = scan(doc, chunk);
    const expected = oracleAccepts(doc);
    const shown = [...doc.subarray(HEAD.length, doc.length - TAIL.length)].map((b) =>
      b.toString(16)
    );
    assert.equal(err === null, expected, `[${shown}] chunks of ${chunk}: ${err?.message}`);
    if (expected) accepted++;
    // The reported byte is at or before the first byte the UTF-8 rules alone reject.
    const bad = firstInvalidUtf8(doc);
    if (bad >= 0) assert.ok(err !== null && err.offset <= bad, `[${shown}]`);
  }
  assert.ok(
    accepted > 500 && accepted < 4500,
    `${accepted} accepted: the generator lost its balance`,
  );
});
