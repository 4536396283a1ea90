import assert from "node:assert/strict";
import { join } from "node:path";
import { planRepair, repairTruncatedExport } from "../lib/archive/repair_truncated_export.ts";
import { dceExportText, dceJson, type FixtureExport } from "./fixtures/archive_fixture.ts";

// Messages chosen to put the hard cases near every cut: escaped quotes and backslashes, braces
// and brackets inside strings, nested attachments/embeds/reactions, empty arrays, emoji escapes.
const doc: FixtureExport = {
  messages: [
    { id: "101", content: 'say "hi" \\ {not: [a, brace]}', attachments: [] },
    {
      id: "102",
      content: "},\n    {",
      attachments: [{ id: "9", fileName: 'a "b".png', fileSizeBytes: 12 }],
      embeds: [{ title: "t", fields: [{ name: "n", value: 'v\\"', isInline: false }] }],
    },
    { id: "103", content: "\u{1F680}", reactions: [{ emoji: { id: "", name: "x" }, count: 1 }] },
    { id: "104", content: "", mentions: [] },
  ],
  messageCount: "auto",
};

type Layout = { name: string; text: string; ends: number[] };

function layouts(): Layout[] {
  const lf = dceExportText(doc);
  const crlf = dceExportText(doc, "\r\n");
  const minified = JSON.stringify({
    guild: { id: "222", name: "Fixture Guild" },
    channel: { id: "111" },
    messages: doc.messages,
    messageCount: doc.messages.length,
  });
  // Where each message's serialisation ends in each layout (computed independently of the code).
  const endsIn = (text: string, render: (m: unknown) => string) =>
    doc.messages.map((m) => {
      const s = render(m);
      const at = text.indexOf(s);
      assert.ok(at >= 0);
      return new TextEncoder().encode(text.slice(0, at + s.length)).length; // bytes, not UTF-16
    });
  return [
    { name: "LF", text: lf, ends: endsIn(lf, (m) => dceJson(m, 2)) },
    {
      name: "CRLF",
      text: crlf,
      ends: endsIn(crlf, (m) => dceJson(m, 2).replaceAll("\n", "\r\n")),
    },
    { name: "minified", text: minified, ends: endsIn(minified, (m) => JSON.stringify(m)) },
  ];
}

for (const layout of layouts()) {
  Deno.test(`repair: every cut point of a ${layout.name} export keeps exactly the complete messages`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "archive-repair-test-" });
    try {
      const bytes = new TextEncoder().encode(layout.text);
      const marker = layout.text.includes('"messages": [') ? '"messages": [' : '"messages":[';
      const messagesAt = layout.text.indexOf(marker) + marker.length; // ASCII header: bytes = chars
      const path = join(dir, "cut.json");
      let repaired = 0;
      for (let cut = 0; cut < bytes.length; cut++) {
        const prefix = bytes.subarray(0, cut);
        await Deno.writeFile(path, prefix);
        for (const verify of [false, true]) {
          const plan = await planRepair(path, verify);
          if (cut < messagesAt) {
            assert.equal(plan.status, "unrepairable", `cut ${cut}`);
            continue;
          }
          assert.equal(
            plan.status,
            "repaired",
            `cut ${cut} verify=${verify}: ${JSON.stringify(plan)}`,
          );
          if (plan.status !== "repaired") continue;
          const expected = layout.ends.filter((end) => end <= cut).length;
          const text = new TextDecoder().decode(prefix.subarray(0, plan.keep)) + plan.closing;
          const parsed = JSON.parse(text);
          assert.deepEqual(parsed.messages, doc.messages.slice(0, expected), `cut ${cut}`);
          assert.equal(parsed.messageCount, expected, `cut ${cut}`);
          assert.equal(plan.kept, expected, `cut ${cut}`);
        }
        // The real in-place repair (temp, fsync, rename) on a sample of the cuts.
        if (cut >= messagesAt && (cut % 29 === 0 || cut === bytes.length - 1)) {
          const r = await repairTruncatedExport(path);
          assert.equal(r.status, "repaired");
          const parsed = JSON.parse(await Deno.readTextFile(path));
          assert.equal(parsed.messages.length, r.kept);
          assert.equal(r.newBytes, (await Deno.stat(path)).size);
          repaired++;
        } else if (cut < messagesAt && cut % 29 === 0) {
          const r = await repairTruncatedExport(path);
          assert.equal(r.status, "unrepairable");
          assert.deepEqual(await Deno.readFile(path), prefix, `untouched at ${cut}`);
        }
      }
      assert.ok(repaired >= 10);
      await Deno.writeFile(path, bytes);
      const whole = await repairTruncatedExport(path);
      assert.deepEqual([whole.status, whole.kept], ["already-valid", 4]);
      assert.deepEqual(await Deno.readFile(path), bytes);
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["cut.json"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("repair: dry run changes nothing; backup keeps the original bytes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "archive-repair-test-" });
  try {
    const text = dceExportText(doc);
    const cutText = text.slice(0, text.indexOf('"103"') + 10);
    const path = join(dir, "a.json");
    await Deno.writeTextFile(path, cutText);
    const dry = await repairTruncatedExport(path, { dryRun: true });
    assert.equal(dry.status, "repaired");
    assert.equal(dry.kept, 2);
    assert.equal(await Deno.readTextFile(path), cutText);
    const backupPath = join(dir, "a.json.bak.20240101T000000Z");
    const r = await repairTruncatedExport(path, { backupPath });
    assert.equal(r.backupPath, backupPath);
    assert.equal(await Deno.readTextFile(backupPath), cutText);
    assert.equal(JSON.parse(await Deno.readTextFile(path)).messageCount, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repair: damage in the middle (not a cut) is unrepairable with verify, left alone", async () => {
  const dir = await Deno.makeTempDir({ prefix: "archive-repair-test-" });
  try {
    const text = dceExportText(doc);
    const broken = text.replace('"id": "102"', '"id" "102"');
    const minified = JSON.stringify({ channel: { id: "1" }, messages: doc.messages })
      .replace('"id":"102"', '"id":102"').slice(0, -30);
    for (const body of [broken.slice(0, -5), minified, "not json at all", "[1, 2"]) {
      const path = join(dir, "a.json");
      await Deno.writeTextFile(path, body);
      const r = await repairTruncatedExport(path, { verify: true });
      assert.equal(r.status, "unrepairable", body.slice(0, 40));
      assert.equal(await Deno.readTextFile(path), body);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
