import assert from "node:assert/strict";
import { join } from "node:path";
import { DceJsonScanner, ScanError } from "../lib/archive/dce_json_scanner.ts";
import { ExportReader } from "../lib/archive/export_reader.ts";
import { ExportWriter } from "../lib/archive/export_writer.ts";
import { readExportHeader } from "../lib/archive/export_header.ts";
import { countMessages } from "../lib/archive/export_queries.ts";
import { ArchiveError } from "../lib/archive/archive_error.ts";
import { compareIds } from "../lib/archive/snowflake.ts";
import { IdSetGuard } from "../lib/archive/id_set_guard.ts";
import { externallySorted } from "../lib/archive/external_sort.ts";
import {
  compareSnapshots,
  formatSnapshot,
  parseSnapshot,
} from "../lib/archive/archive_snapshot.ts";
import {
  dceExportText,
  realisticMessage,
  withoutHeaderReserve,
} from "./fixtures/archive_fixture.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Scans `text` fed in chunks of `chunk` bytes; returns messages and fields as text. */
function scan(text: string, chunk = 7) {
  const messages: { id: string | null; text: string }[] = [];
  const fields: Record<string, string> = {};
  const s = new DceJsonScanner({
    field: (k, raw) => (fields[k] = dec.decode(raw)),
    messagesStart() {},
    message: (id, raw) => messages.push({ id, text: dec.decode(raw) }),
    messagesEnd() {},
  });
  const bytes = enc.encode(text);
  for (let i = 0; i < bytes.length; i += chunk) s.push(bytes.subarray(i, i + chunk));
  s.finish();
  return { messages, fields };
}

Deno.test("compareIds: numeric order for snowflakes of different lengths, beyond 2^53", () => {
  assert.equal(compareIds("999", "1000") < 0, true);
  assert.equal(compareIds("999999999999999999", "1000000000000000000") < 0, true);
  assert.equal(compareIds("18446744073709551615", "18446744073709551614") > 0, true);
  assert.equal(compareIds("9", "10") < 0, true); // not lexical (docs/bash-suite.md#h12-string-sort)
  assert.equal(compareIds("007", "7"), 0);
  const ids = ["10", "9", "1000000000000000001", "2", "999999999999999999"];
  assert.deepEqual(ids.sort(compareIds), [
    "2",
    "9",
    "10",
    "999999999999999999",
    "1000000000000000001",
  ]);
});

Deno.test("scanner: any chunking of minified, CRLF or tab-indented input gives DCE's canonical layout", () => {
  const m = {
    id: "5",
    content: 'a "q" \\ } ] { [ , : \u00e9', // (non-BMP escapes are kept verbatim, see merge tests)
    e: [],
    o: {},
    n: [1, -2.5e3, true, false, null, { x: [] }],
  };
  const canonical = dceExportText({ messages: [m], messageCount: "auto" });
  const want = scan(canonical, 1 << 20);
  const variants = [
    canonical,
    canonical.replaceAll("\n", "\r\n"),
    JSON.stringify(JSON.parse(canonical)),
    JSON.stringify(JSON.parse(canonical), null, "\t"),
  ];
  for (const v of variants) {
    for (const chunk of [1, 2, 3, 5, 64]) {
      assert.deepEqual(scan(v, chunk), want, `chunk ${chunk}: ${v.slice(0, 30)}`);
    }
  }
  assert.equal(want.messages[0]!.id, "5");
  // The canonical text of the message is exactly DCE's (4-space base indent inside the file).
  assert.ok(canonical.includes("    " + want.messages[0]!.text));
  assert.ok(want.messages[0]!.text.includes('"e": [],\n      "o": {},'));
});

Deno.test("scanner: escaped quotes and backslash runs across chunk borders do not end strings early", () => {
  // Runs of 1-3 backslashes right before quotes, as JSON escapes (\\ and \").
  const value = 'x\\"y\\\\"z\\\\\\"w"';
  const text = JSON.stringify({ channel: { id: "1" }, messages: [{ id: "1", content: value }] });
  JSON.parse(text); // the fixture itself is valid JSON
  for (let chunk = 1; chunk < 12; chunk++) {
    const got = scan(text, chunk);
    assert.equal(JSON.parse(got.messages[0]!.text).content, value);
  }
});

Deno.test("scanner: grammar errors are ScanErrors with the offset; a cut is 'truncated'", () => {
  const bad: [string, RegExp, boolean][] = [
    ['{"messages": [{"id": "1"} {"id": "2"}]}', /expected ","/, false],
    ['{"messages": [{"id": "1",}]}', /expected an object key/, false],
    ['{"messages": [{"id": tru}]}', /invalid literal/, false],
    ['{"messages": [{"id": "1"}]]', /mismatched/, false],
    ['{"messages": [1]}', /not a JSON object/, false],
    ['{"messages": [{"x": 1}]}', /has no "id"/, false],
    ['{"guild": {}}', /no "messages"/, false],
    // A reader stops at the first array: a second one would be dropped from every merge.
    ['{"messages": [{"id": "1"}], "messages": [{"id": "2"}]}', /second "messages"/, false],
    ["[1, 2]", /not a JSON object/, false],
    ['{"messages": [{"id": "1"}]} x', /after the end/, false],
    ['{"messages": [{"id": "1", "c": "abc', /truncated/, true],
    ['{"messages": [{"id": "1", "n": 12', /truncated/, true],
  ];
  for (const [text, pattern, truncated] of bad) {
    assert.throws(() => scan(text), (err: unknown) => {
      assert.ok(err instanceof ScanError, text);
      assert.match(err.message, pattern, text);
      assert.equal(err.truncated, truncated, text);
      return true;
    });
  }
});

Deno.test("reader + writer round-trip a realistic export byte-for-byte; header and count", async () => {
  const dir = await Deno.makeTempDir({ prefix: "archive-scanner-test-" });
  try {
    const messages = Array.from({ length: 300 }, (_, n) => realisticMessage(1000n + BigInt(n), n));
    const text = dceExportText({
      messages: messages as { id: string }[],
      messageCount: "auto",
      dateRange: { after: "2024-01-01T00:00:00+00:00", before: null },
    });
    const src = join(dir, "src.json");
    await Deno.writeTextFile(src, text);
    const header = await readExportHeader(src);
    assert.equal(header.channel.id, "111");
    assert.equal(header.guild.name, "Fixture Guild");
    assert.deepEqual(header.dateRange, { after: "2024-01-01T00:00:00+00:00", before: null });
    assert.equal(header.messageCount, 300);
    assert.equal(await countMessages(src), 300);

    const out = join(dir, "out.json");
    {
      using reader = await ExportReader.open(src);
      await reader.readHeader();
      using file = await Deno.open(out, { write: true, create: true });
      const writer = new ExportWriter(file);
      await writer.begin([...reader.fields].map(([k, v]) => [k, v.raw] as const));
      for (let m = await reader.next(); m; m = await reader.next()) await writer.message(m.bytes);
      await writer.end();
    }
    // The same bytes apart from the header reserve (spaces before "messages") our writer adds.
    const written = await Deno.readTextFile(out);
    assert.match(written, /"exportedAt": "[^"]*", {128,}\n {2}"messages"/);
    assert.equal(withoutHeaderReserve(written), text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readExportHeader: clear ArchiveErrors for unusable files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "archive-scanner-test-" });
  try {
    const cases: [string, string | null, string, RegExp][] = [
      ["empty.json", "", "not-json", /the file is empty/],
      ["text.json", "hello", "not-json", /not valid JSON|not a JSON object/],
      ["other.json", '{"a": 1}', "not-dce-export", /not a DCE JSON export/],
      ["nochan.json", '{"guild": {"id": "1"}, "messages": []}', "not-dce-export", /channel/],
      [
        "noid.json",
        '{"guild": {"id": "1"}, "channel": {}, "messages": []}',
        "not-dce-export",
        /missing channel\.id/,
      ],
      ["dir.json", null, "not-dce-export", /is a directory/],
      ["missing.json", undefined as unknown as null, "not-found", /File not found/],
    ];
    for (const [name, body, kind, pattern] of cases) {
      const path = join(dir, name);
      if (body === null) await Deno.mkdir(path);
      else if (body !== undefined) await Deno.writeTextFile(path, body);
      await assert.rejects(readExportHeader(path), (err: unknown) => {
        assert.ok(err instanceof ArchiveError, name);
        assert.equal(err.kind, kind, name);
        assert.match(err.message, pattern, name);
        assert.ok(!err.message.includes("\n"), "one line");
        return true;
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("IdSetGuard: refuses when an archive id is skipped or the output goes backwards", () => {
  const ok = new IdSetGuard("a.json");
  ok.archiveId("1");
  ok.written("1");
  ok.written("2");
  ok.archiveId("3");
  ok.archiveId("3");
  ok.written("3");
  ok.finish();
  assert.equal(ok.verified, 2);

  const skipped = new IdSetGuard("a.json");
  skipped.archiveId("1");
  skipped.archiveId("2");
  skipped.written("1");
  assert.throws(() => skipped.written("3"), /archive message 2 is missing/);

  const tail = new IdSetGuard("a.json");
  tail.archiveId("9");
  tail.written("1");
  assert.throws(() => tail.finish(), /archive message 9 is missing.*not modified/);

  const back = new IdSetGuard("a.json");
  back.written("5");
  assert.throws(() => back.written("5"), /not strictly ascending/);
});

Deno.test("externallySorted: many spilled runs, (id, rank, seq) order, run files removed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "archive-sort-test-" });
  try {
    const ids = Array.from({ length: 500 }, (_, i) => String((i * 7919) % 1000));
    const source = (rank: number, list: string[]) => {
      let i = 0;
      return {
        rank,
        next: () =>
          Promise.resolve(
            i < list.length ? { id: list[i]!, bytes: enc.encode(`${rank}:${i++}`) } : null,
          ),
      };
    };
    const work = join(dir, "work");
    const got = [];
    for await (
      const r of externallySorted([source(0, ids), source(1, ids.slice(0, 50))], work, 200)
    ) {
      got.push(r);
    }
    assert.equal(got.length, 550);
    for (let i = 1; i < got.length; i++) {
      const a = got[i - 1]!;
      const b = got[i]!;
      const c = compareIds(a.id, b.id) || a.rank - b.rank || a.seq - b.seq;
      assert.ok(c < 0, `order at ${i}`);
    }
    assert.equal(dec.decode(got[0]!.bytes).split(":")[0], "0");
    await assert.rejects(Deno.stat(work), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("snapshots: tabs/newlines in paths round-trip; matching is exact, not by suffix", () => {
  const entries = [
    { path: "/o/a [1234567890123456].json", channelId: "1234567890123456", count: 5 },
    { path: "/o/x/o/a [1234567890123456].json", channelId: "1234567890123456", count: 3 },
    { path: "/o/t\tab\nnl\\ [1234567890123457].json", channelId: "1234567890123457", count: 1 },
  ];
  const parsed = parseSnapshot(formatSnapshot(entries), "s.tsv");
  assert.deepEqual(parsed, entries);
  const after = [{ ...entries[0]!, count: 2 }, entries[1]!, { ...entries[2]!, count: 4 }];
  const cmp = compareSnapshots(entries, after);
  assert.deepEqual(cmp.failures, [
    "FAIL: message count shrank for /o/a [1234567890123456].json (5 -> 2)",
  ]);
  assert.equal(cmp.ok.length, 2);
  assert.throws(() => parseSnapshot("garbage line\n", "s.tsv"), /line 1/);
});

Deno.test("scanner: literal fast path agrees with the JSON grammar", () => {
  const doc = (lit: string) => `{"channel":{"id":"1"},"messages":[{"id":"1","v":${lit}}]}`;
  for (const ok of ["0", "-0", "7", "-12", "1.5", "-0.25e-3", "1E9", "true", "false", "null"]) {
    assert.deepEqual(JSON.parse(scan(doc(ok)).messages[0]!.text).v, JSON.parse(ok), ok);
  }
  for (const bad of ["01", "-", "1.", ".5", "+1", "tru", "truee", "nul", "False", "1e", "0x10"]) {
    assert.throws(() => scan(doc(bad)), ScanError, bad);
  }
  // A numeric id (not DCE's string form) is still found.
  assert.equal(scan('{"messages":[{"id":123}]}').messages[0]!.id, "123");
});

Deno.test("scanner: a top-level field far larger than any DCE header is refused, not buffered whole", () => {
  const big = `{"data": "${"x".repeat(17 << 20)}", "messages": []}`;
  assert.throws(() => scan(big, 1 << 20), (err: unknown) => {
    assert.ok(err instanceof ScanError);
    assert.match(err.message, /^top-level field "data" is not a DCE header: larger than 16 MiB/);
    return true;
  });
});
