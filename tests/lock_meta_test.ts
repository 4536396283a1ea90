// Unit tests for .meta parsing/writing, command redaction and the atomic publish.
import assert from "node:assert/strict";
import { join } from "node:path";
import { reclaimWarning } from "../lib/lock/acquire_lock.ts";
import {
  formatMeta,
  type LockMeta,
  parseMeta,
  readMeta,
  redactCommand,
  truncateBytes,
  utcStamp,
  writeMetaAtomic,
} from "../lib/lock/lock_meta.ts";

const full: LockMeta = {
  pid: 10,
  started: "2026-01-02T03:04:05Z",
  cmd: "run x",
  host: "h",
  bootId: "b",
  starttime: "99",
  token: "t",
  checkout: "/repo",
  tool: "with-scrape-lock (dce-ops)",
  children: [{ pid: 11, starttime: "100" }, { pid: 12, starttime: null }],
};

Deno.test("formatMeta() writes the legacy keys first, in the legacy order", () => {
  const lines = formatMeta(full).trimEnd().split("\n");
  assert.deepEqual(lines.slice(0, 3), ["pid=10", "started=2026-01-02T03:04:05Z", "cmd=run x"]);
  assert.deepEqual(parseMeta(formatMeta(full)), full);
});

Deno.test("parseMeta() reads legacy meta, ignores unknown keys and junk, first key wins", () => {
  const meta = parseMeta(
    "pid=55\nstarted=Tue Mar  3 10:00:00 UTC 2026\ncmd=a=b c\nfoo=bar\njunk\npid=66\n",
  );
  assert.equal(meta.pid, 55);
  assert.equal(meta.started, "Tue Mar  3 10:00:00 UTC 2026"); // shown as written
  assert.equal(meta.cmd, "a=b c");
  assert.equal(meta.token, undefined);
  assert.deepEqual(meta.children, []);
  assert.equal(parseMeta("pid=abc\n").pid, undefined);
  assert.equal(parseMeta("pid=7\r\nstarted=x\r\n").pid, 7);
});

Deno.test("redactCommand() hides token values and keeps one line of at most 500 bytes", () => {
  assert.equal(
    redactCommand([
      "env",
      "DISCORD_TOKEN=abc.def",
      "dce",
      "--token",
      "sekrit",
      "--token=zz",
      "-t",
      "q",
    ]),
    "env DISCORD_TOKEN=[REDACTED] dce --token [REDACTED] --token=[REDACTED] -t [REDACTED]",
  );
  assert.equal(
    redactCommand(["sh", "-c", "echo mytokenvalue1"], "mytokenvalue1"),
    "sh -c echo [REDACTED]",
  );
  // Every spelling of DCE's token option, without the token in the environment to match on.
  assert.equal(
    redactCommand(["dce", "-tTOK1", "--Token", "TOK2", "-T", "TOK3", "--TOKEN=TOK4", "-t=TOK5"]),
    "dce -t[REDACTED] --Token [REDACTED] -T [REDACTED] --TOKEN=[REDACTED] -t=[REDACTED]",
  );
  assert.equal(redactCommand(["env", "discord_token=x1"]), "env discord_token=[REDACTED]");
  assert.equal(redactCommand(["a\nb", "c\rd"]), "a b c d");
  const long = redactCommand(["x", "é".repeat(400)]);
  assert.ok(new TextEncoder().encode(long).length <= 500);
  assert.ok(!long.includes("\uFFFD"), "no split UTF-8 sequence");
  assert.equal(truncateBytes("abc", 2), "ab");
});

Deno.test("utcStamp() is YYYY-MM-DDTHH:MM:SSZ", () => {
  assert.equal(utcStamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678))), "2026-01-02T03:04:05Z");
});

Deno.test("writeMetaAtomic() replaces a symlink at the meta path instead of writing through it", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const lock = join(dir, "L");
    const victim = join(dir, "victim");
    Deno.writeTextFileSync(victim, "precious");
    Deno.symlinkSync(victim, `${lock}.meta`);
    writeMetaAtomic(lock, full, "tag");
    assert.equal(Deno.readTextFileSync(victim), "precious");
    assert.equal(readMeta(lock)?.pid, 10);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["L.meta", "victim"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("reclaimWarning(): the legacy line only when the pid is gone, the true reason otherwise", () => {
  assert.equal(
    reclaimWarning(42, "no process with pid 42"),
    "WARN: reclaiming scrape lock; previous holder pid 42 is not running.",
  );
  const reused = reclaimWarning(42, "pid 42 was reused (start time 9, recorded 8)");
  assert.doesNotMatch(reused, /is not running/);
  assert.match(reused, /previous holder pid 42 has ended \(pid 42 was reused/);
});
