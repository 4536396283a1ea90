// The run history stays bounded: rewritten only once it outgrows keepRuns or keepFailedDays by a
// slack, keeping the newest lines; and a rewrite racing real appending processes loses, duplicates
// and tears no line.
import assert from "node:assert/strict";
import { join } from "node:path";
import { boundHistory } from "../lib/ops/history_retention.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const DAY = 86_400_000;

function line(n: number, daysAgo: number): string {
  const end = new Date(NOW.getTime() - daysAgo * DAY).toISOString();
  return JSON.stringify({ v: 1, n, start: end, end, result: "ok", targets: {} });
}

async function withFile(body: (file: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await body(join(dir, ".dce-history.jsonl"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const numbers = async (file: string) =>
  (await Deno.readTextFile(file)).split("\n").filter(Boolean).map((l) => JSON.parse(l).n);

Deno.test("boundHistory: untouched within the slack; past it the newest keepRuns lines stay", async () => {
  await withFile(async (file) => {
    const bound = { keepRuns: 100, keepFailedDays: 90, now: NOW };
    const lines = Array.from({ length: 110 }, (_, i) => line(i, 1));
    await Deno.writeTextFile(file, lines.join("\n") + "\n");
    const before = await Deno.stat(file);
    assert.equal(await boundHistory(file, bound), 0);
    assert.equal((await Deno.stat(file)).ino, before.ino, "within the slack: not rewritten");

    await Deno.chmod(file, 0o640);
    await Deno.writeTextFile(file, line(110, 1) + "\n", { append: true });
    assert.equal(await boundHistory(file, bound), 11);
    assert.deepEqual(await numbers(file), Array.from({ length: 100 }, (_, i) => i + 11));
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o640);
    assert.deepEqual(
      [...Deno.readDirSync(join(file, ".."))].map((e) => e.name),
      [".dce-history.jsonl"],
      "no temp left",
    );
    assert.equal(await boundHistory(join(file, "..", "missing.jsonl"), bound), 0);
  });
});

Deno.test("boundHistory: lines older than keepFailedDays go once the oldest is past the slack; torn lines go", async () => {
  await withFile(async (file) => {
    const bound = { keepRuns: 1000, keepFailedDays: 90, now: NOW };
    await Deno.writeTextFile(file, [line(1, 95), line(2, 91), line(3, 10)].join("\n") + "\n");
    assert.equal(await boundHistory(file, bound), 0, "95 days is within 90 + 9 days of slack");
    await Deno.writeTextFile(
      file,
      ['{"v":1,"start":"torn', line(0, 100), line(1, 95), line(2, 89), "", line(3, 10)].join("\n") +
        "\n",
    );
    assert.equal(await boundHistory(file, bound), 3);
    assert.deepEqual(await numbers(file), [2, 3]);
  });
});

const historyModule = new URL("../lib/ops/run_history.ts", import.meta.url).href;
const retentionModule = new URL("../lib/ops/history_retention.ts", import.meta.url).href;

Deno.test("boundHistory racing appending processes: no appended line lost, duplicated or torn", async () => {
  await withFile(async (file) => {
    const writers = ["a", "b", "c"];
    // Each appender appends numbered lines until the pruner says stop (or it has appended 3,000),
    // and prints how many.
    const appender = `import { appendHistory } from "${historyModule}";
      const [file, who] = Deno.args;
      const seen = (path) => Deno.lstat(path).then(() => true, () => false);
      let i = 0;
      for (; i < 3000 && !(await seen(file + ".stop")); i++) {
        await appendHistory(file, { v: 1, who, i, result: "ok", targets: {}, problems: [], pad: "p".repeat(500) });
        if (i === 0) await Deno.writeTextFile(file + ".started-" + who, "");
        await new Promise((r) => setTimeout(r, 1)); // leave the pruner room to take the flock
      }
      await Deno.writeTextFile(file + ".done-" + who, "");
      console.log(i);`;
    // The pruner makes every pass a rewrite: it adds a line far in the past, which it then drops
    // (the appenders' lines carry no time, so they are kept whatever their place),
    // and, once every appender is appending, says stop after 50 rewrites (or when they are done).
    const pruner = `import { appendHistory } from "${historyModule}";
      import { boundHistory } from "${retentionModule}";
      const [file, ...writers] = Deno.args;
      const seen = (path) => Deno.lstat(path).then(() => true, () => false);
      let rewrites = 0;
      const done = async () => (await Promise.all(writers.map((w) => seen(file + ".done-" + w)))).every(Boolean);
      while (rewrites < 50 && !(await done())) {
        await appendHistory(file, { v: 1, who: "old", start: "2000-01-01T00:00:00Z", end: "2000-01-01T00:00:00Z", result: "ok", targets: {}, problems: [] });
        const all = (await Promise.all(writers.map((w) => seen(file + ".started-" + w)))).every(Boolean);
        if ((await boundHistory(file, { keepRuns: 100000, keepFailedDays: 1, now: new Date() })) > 0 && all) rewrites++;
      }
      await Deno.writeTextFile(file + ".stop", "");`;
    const spawn = (code: string, ...args: string[]) =>
      new Deno.Command(Deno.execPath(), { args: ["eval", code, ...args], stdout: "piped" }).spawn();
    const children = [
      spawn(pruner, file, ...writers),
      ...writers.map((w) => spawn(appender, file, w)),
    ];
    const outputs = await Promise.all(children.map((child) => child.output()));
    for (const output of outputs) assert.equal(output.code, 0);
    const appended = outputs.slice(1).map((o) => Number(new TextDecoder().decode(o.stdout)));

    const seen = new Map<string, number>();
    for (const text of (await Deno.readTextFile(file)).split("\n").filter(Boolean)) {
      const record = JSON.parse(text); // a torn line would throw
      if (record.who === "old") continue;
      assert.equal(record.pad.length, 500);
      const key = `${record.who}:${record.i}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    for (const [n, who] of writers.entries()) {
      assert.ok(appended[n]! > 0);
      for (let i = 0; i < appended[n]!; i++) {
        assert.equal(seen.get(`${who}:${i}`), 1, `line ${who}:${i} of ${appended[n]}`);
      }
    }
    assert.equal(seen.size, appended.reduce((a, b) => a + b));
  });
});
