// Unit tests for the lock file's record format and the strict PID parser.
import assert from "node:assert/strict";
import { formatLockFile, newToken, parseLockFile, parsePid } from "../lib/lock/lock_record.ts";

Deno.test("parsePid() accepts only decimal PIDs in 1..4194304", () => {
  assert.equal(parsePid("1"), 1);
  assert.equal(parsePid("4194304"), 4194304);
  for (
    const bad of [
      "",
      "0",
      "-1",
      "+5",
      " 5",
      "5 ",
      "1e3",
      "abc",
      "4194305",
      "99999999999999999999",
      "0x10",
      "007",
    ]
  ) {
    assert.equal(parsePid(bad), null, bad);
  }
});

Deno.test("parseLockFile() round-trips what formatLockFile() writes", () => {
  const record = { pid: 4242, token: newToken(), host: "h1", bootId: "b-1", starttime: "777" };
  const parsed = parseLockFile(formatLockFile(record));
  assert.deepEqual(parsed, { kind: "record", record });
});

Deno.test("parseLockFile() classifies empty, garbage, CRLF and bare-PID content", () => {
  assert.deepEqual(parseLockFile(""), { kind: "empty" });
  assert.deepEqual(parseLockFile("  \n"), { kind: "empty" });
  for (const garbage of ["0", "-1", "12345678901234567890", "abc", "\0\0\0\0"]) {
    assert.equal(parseLockFile(garbage).kind, "garbage", JSON.stringify(garbage));
  }
  const token = newToken();
  const crlf = parseLockFile(`77\r\n${token}\r\nhost=x\r\n`);
  assert.deepEqual(crlf, { kind: "record", record: { pid: 77, token, host: "x" } });
  assert.deepEqual(parseLockFile("123\n"), { kind: "record", record: { pid: 123, token: "" } });
});

Deno.test("newToken() gives 32 hex characters, different every time", () => {
  const a = newToken();
  assert.match(a, /^[0-9a-f]{32}$/);
  assert.notEqual(a, newToken());
});
