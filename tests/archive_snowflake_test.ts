// Which strings may be a message's snowflake (and so the `--after` cursor), and how ids are quoted.
import assert from "node:assert/strict";
import {
  DISCORD_EPOCH_MS,
  quoteId,
  SNOWFLAKE_FUTURE_TOLERANCE_MS,
  snowflakeProblem,
} from "../lib/archive/snowflake.ts";
import { CursorTracker } from "../lib/archive/cursor_tracker.ts";

const NOW = new Date("2026-01-01T00:00:00Z");

/** The snowflake whose timestamp is `ms` (worker/sequence bits zero). */
function idAt(ms: number): string {
  return (BigInt(ms - DISCORD_EPOCH_MS) << 22n).toString();
}

Deno.test("snowflakeProblem: the valid range, and one reason for each way out of it", () => {
  const valid = ["1", "175928847299117063", idAt(NOW.getTime()), idAt(NOW.getTime() + 60_000)];
  for (const id of valid) assert.equal(snowflakeProblem(id, NOW), null, id);
  const invalid: [string, RegExp][] = [
    ["", /not 1 to 20 ASCII digits/],
    ["0", /starts with a zero/],
    ["0175928847299117063", /starts with a zero/],
    ["１７５９２８８４７２９９１１７０６３", /not 1 to 20 ASCII digits/],
    ["17592884729911706a", /not 1 to 20 ASCII digits/],
    [" 175928847299117063", /not 1 to 20 ASCII digits/],
    ["-1", /not 1 to 20 ASCII digits/],
    ["1e18", /not 1 to 20 ASCII digits/],
    ["123456789012345678901", /more than 20 digits/],
    ["9".repeat(70_000), /more than 20 digits/],
    ["18446744073709551616", /64 bits/],
    ["99999999999999999999", /64 bits/],
    ["18446744073709551615", /timestamp 2154-.* in the future/],
    [idAt(NOW.getTime() + SNOWFLAKE_FUTURE_TOLERANCE_MS + 1), /in the future/],
  ];
  for (const [id, reason] of invalid) {
    assert.match(snowflakeProblem(id, NOW) ?? "valid", reason, id);
  }
});

Deno.test("quoteId: JSON quotes, no raw line breaks, long ids shortened with their length", () => {
  assert.equal(quoteId("12\n3"), '"12\\n3"');
  const long = quoteId("7".repeat(70_000));
  assert.ok(long.length < 80, long);
  assert.match(long, /\(70000 characters\)$/);
});

Deno.test("CursorTracker: the numeric maximum of the valid ids; the first bad id kept, all counted", () => {
  const t = new CursorTracker(NOW);
  for (const id of ["999", "18446744073709551615", "1000", "007", "10"]) t.offer(id);
  assert.equal(t.maxId, "1000");
  assert.deepEqual(
    { id: t.ignored?.id, count: t.ignored?.count },
    { id: "18446744073709551615", count: 2 },
  );
  const clean = new CursorTracker(NOW);
  clean.offer("5");
  assert.equal(clean.ignored, null);
});
