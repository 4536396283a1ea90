// parseEnvFile/loadEnvFile: the env-file rules (docs/host-runner.md#settings), no expansion ever, and errors that never echo a value.
import assert from "node:assert/strict";
import { join } from "node:path";
import { EnvFileError, loadEnvFile, parseEnvFile } from "../lib/host/env_file.ts";

Deno.test("parseEnvFile() trims, skips blanks and comments, strips export and one pair of quotes", () => {
  const text = [
    "# a comment",
    "",
    "   ",
    "  DISCORD_TOKEN=abc  ",
    "export DCE_CONTAINER_MEMORY=8g",
    'QUOTED="two words"',
    "SINGLE='x'",
    `NESTED="'inner'"`,
    'HALF="open',
    "EMPTY=",
    "EQ=a=b",
    "DISCORD_TOKEN=later",
  ].join("\n");
  const values = parseEnvFile(text, "scrape.env");
  assert.deepEqual(Object.fromEntries(values), {
    DISCORD_TOKEN: "later",
    DCE_CONTAINER_MEMORY: "8g",
    QUOTED: "two words",
    SINGLE: "x",
    NESTED: "'inner'",
    HALF: '"open',
    EMPTY: "",
    EQ: "a=b",
  });
});

Deno.test("parseEnvFile() never expands: $(...), backticks and $VAR stay literal", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const marker = join(dir, "pwned");
    const values = parseEnvFile(
      `A=$(touch ${marker})\nB=\`touch ${marker}\`\nC=$HOME\nD="\${PATH}"`,
      "f",
    );
    assert.equal(values.get("A"), `$(touch ${marker})`);
    assert.equal(values.get("B"), `\`touch ${marker}\``);
    assert.equal(values.get("C"), "$HOME");
    assert.equal(values.get("D"), "${PATH}");
    await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseEnvFile() rejects bad lines without echoing their content", async (t) => {
  const secret = "mfa.SeCrEt-ToKeN.value_123";
  const cases: [string, RegExp][] = [
    [secret, /line 2 \(expected NAME=value; line content not shown\)/],
    [`1BAD=${secret}`, /'1BAD' is not a valid variable name/],
    [`${secret}=x`, /the part before '=' is not a valid variable name/],
    [`FOO BAR=${secret}`, /'FOO BAR' is not a valid variable name/],
  ];
  for (const [line, pattern] of cases) {
    await t.step(line.slice(0, 12), () => {
      assert.throws(
        () => parseEnvFile(`OK=1\n${line}\n`, "/x/scrape.env"),
        (err: unknown) => {
          assert.ok(err instanceof EnvFileError);
          assert.match(err.message, /^Invalid env assignment in \/x\/scrape\.env: /);
          assert.match(err.message, pattern);
          assert.ok(!err.message.includes(secret), err.message);
          assert.equal(err.exitCode, 1);
          return true;
        },
      );
    });
  }
});

Deno.test("loadEnvFile() returns null for a missing file, errors clearly for a directory, reads CRLF", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await loadEnvFile(join(dir, "absent.env")), null);
    await assert.rejects(loadEnvFile(dir), /is a directory/);
    const file = join(dir, "crlf.env");
    await Deno.writeTextFile(file, "A=1\r\nB='2'\r\n");
    assert.deepEqual(Object.fromEntries((await loadEnvFile(file)) ?? []), { A: "1", B: "2" });
    await Deno.writeFile(join(dir, "bin.env"), new Uint8Array([0xff, 0xfe, 0x41]));
    await assert.rejects(loadEnvFile(join(dir, "bin.env")), /not UTF-8/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
