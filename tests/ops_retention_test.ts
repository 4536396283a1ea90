// Retention of a log folder with files dated in the past (Deno.utime): which runs' logs and
// summaries go, and what never goes (an operator's file, a symlink's target, the ending run's file).
import assert from "node:assert/strict";
import { join } from "node:path";
import { pruneAfterRun, type RetentionRequest } from "../lib/ops/retention.ts";
import { runFileName } from "../lib/ops/run_file_names.ts";
import { uniqueLogPath } from "../lib/ops/unique_log_path.ts";
import { perTargetSummaryFile } from "../lib/scrape/run_summary.ts";
import { appendHistory, type HistoryRecord } from "../lib/ops/run_history.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const DAY = 86_400_000;

/** A file whose mtime is `days` before NOW. */
async function dated(path: string, days: number, text = "x\n"): Promise<string> {
  await Deno.writeTextFile(path, text);
  const when = new Date(NOW.getTime() - days * DAY);
  await Deno.utime(path, when, when);
  return path;
}

/** A documents run `days` old: its log, and its summary unless `outcome` is null. */
async function run(dir: string, n: number, days: number, outcome: string | null): Promise<string> {
  const base = join(dir, `documents-scrape-20260101T0000${String(n).padStart(2, "0")}Z`);
  await dated(`${base}.log`, days);
  if (outcome !== null) {
    await dated(`${base}.summary.json`, days, JSON.stringify({ outcome, exit_code: 9 }));
  }
  return base;
}

async function present(base: string): Promise<boolean> {
  return await Deno.lstat(`${base}.log`).then(() => true, () => false);
}

interface Sandbox {
  dir: string;
  lines: string[];
  prune(over?: Partial<RetentionRequest>): Promise<void>;
}

async function withSandbox(body: (box: Sandbox) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir();
  const dir = join(root, "logs");
  await Deno.mkdir(dir);
  const lines: string[] = [];
  const prune = (over: Partial<RetentionRequest> = {}) =>
    pruneAfterRun({
      logDir: dir,
      currentFiles: [],
      historyFile: join(root, ".dce-history.jsonl"),
      settings: { keepDays: 30, keepFailedDays: 90, keepRuns: 1000 },
      now: NOW,
      out: (line) => lines.push(line),
      warn: (line) => lines.push(line),
      ...over,
    });
  try {
    await body({ dir, lines, prune });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("retention: an ok run of 31 days goes, a failed one stays until past 90 days", async () => {
  await withSandbox(async ({ dir, lines, prune }) => {
    const ok31 = await run(dir, 1, 31, "ok");
    const ok29 = await run(dir, 2, 29, "ok");
    const partial31 = await run(dir, 3, 31, "partial");
    const failed89 = await run(dir, 4, 89, "failed");
    const failed91 = await run(dir, 5, 91, "failed");
    const unknown31 = await run(dir, 6, 31, null); // no summary, no history: treated as failed
    await prune();
    assert.deepEqual(
      await Promise.all([ok31, ok29, partial31, failed89, failed91, unknown31].map(present)),
      [false, true, true, true, false, true],
    );
    for (const base of [ok31, failed91]) {
      await assert.rejects(Deno.lstat(`${base}.summary.json`), Deno.errors.NotFound);
    }
    assert.deepEqual(lines, [`Retention: removed 4 file(s) of old runs from ${dir}.`]);
  });
});

Deno.test("retention: a summary's head decides (as written: pretty-printed, outcome at the top)", async () => {
  await withSandbox(async ({ dir, prune }) => {
    const summary = (outcome: string) =>
      JSON.stringify(
        {
          version: 1,
          finished_at: "2026-04-01T00:00:00Z",
          outcome,
          exit_code: outcome === "ok" ? 0 : 3,
          channels: Array.from(
            { length: 200 },
            (_, i) => ({ channel_id: String(i), outcome: "ok" }),
          ),
        },
        null,
        2,
      ).slice(0, 6000); // cut off: only the head can be read as JSON
    const ok = await run(dir, 1, 40, null);
    await dated(`${ok}.summary.json`, 40, summary("ok"));
    const partial = await run(dir, 2, 40, null);
    await dated(`${partial}.summary.json`, 40, summary("partial"));
    await prune();
    assert.deepEqual(await Promise.all([ok, partial].map(present)), [false, true]);
  });
});

Deno.test("retention: without a summary the history record naming the log decides", async () => {
  await withSandbox(async ({ dir, prune }) => {
    const ok = await run(dir, 1, 40, null);
    const busy = await run(dir, 2, 40, null);
    const failed = await run(dir, 3, 40, null);
    const history = join(dir, "..", ".dce-history.jsonl");
    for (const [base, result] of [[ok, "ok"], [busy, "busy"], [failed, "failed"]]) {
      await appendHistory(history, {
        v: 1,
        start: "2026-04-20T00:00:00Z",
        end: "2026-04-20T00:00:00Z",
        result,
        targets: {},
        problems: [],
        log: `/elsewhere/${base!.split("/").pop()}.log`, // another checkout's path: the name counts
      } as unknown as HistoryRecord);
    }
    await prune();
    assert.deepEqual(await Promise.all([ok, busy, failed].map(present)), [false, false, true]);
  });
});

Deno.test("retention: keepRuns keeps the newest runs whatever their result, never one from the last day", async () => {
  await withSandbox(async ({ dir, prune }) => {
    const bases = [];
    for (let n = 1; n <= 6; n++) bases.push(await run(dir, n, n * 2, n % 2 ? "ok" : "failed"));
    await prune({ settings: { keepDays: 30, keepFailedDays: 90, keepRuns: 3 } });
    const kept = await Promise.all(bases.map(present));
    assert.deepEqual(kept, [true, true, true, false, false, false]);

    const today = await run(dir, 7, 0.5, "ok");
    const earlierToday = await run(dir, 8, 0.9, "ok");
    await prune({ settings: { keepDays: 30, keepFailedDays: 90, keepRuns: 1 } });
    const all = await Promise.all([...bases, today, earlierToday].map(present));
    // earlierToday is past keepRuns too, but nothing from the last day goes.
    assert.deepEqual(all, [false, false, false, false, false, false, true, true]);
  });
});

Deno.test("retention: an operator's own files, a symlink and its target, and the ending run's files stay", async () => {
  await withSandbox(async ({ dir, prune }) => {
    const own = [
      await dated(join(dir, "discord-scrape.log"), 400), // the cron log of older installs
      await dated(join(dir, "documents-scrape-latest.log"), 400),
      await dated(join(dir, "notes.txt"), 400),
      await dated(join(dir, "documents-scrape-20250101T000000Z.log.bak"), 400),
      await dated(join(dir, "run-scrape-20250101T000000Z.log"), 400),
    ];
    const outside = await dated(join(dir, "..", "precious.log"), 400);
    const link = join(dir, "documents-scrape-20250101T000001Z.log");
    await Deno.symlink(outside, link);
    await Deno.symlink(outside, join(dir, "documents-scrape-20250101T000002Z.summary.json"));
    // The links themselves are old too (Deno.utime would date the target).
    const old = String(Math.floor((NOW.getTime() - 400 * DAY) / 1000));
    const touch = new Deno.Command("touch", { args: ["-h", "-d", `@${old}`, link] });
    assert.equal((await touch.output()).code, 0);
    const current = await run(dir, 9, 400, "ok");
    await prune({
      currentFiles: [`${current}.log`, `${current}.summary.json`],
      settings: { keepDays: 30, keepFailedDays: 90, keepRuns: 1 },
    });
    for (const path of [...own, outside, `${current}.log`, `${current}.summary.json`]) {
      assert.ok((await Deno.lstat(path)).isFile, path);
    }
    assert.ok((await Deno.lstat(link)).isSymlink);
    assert.equal(await Deno.readTextFile(outside), "x\n");
  });
});

Deno.test("retention: a problem is a WARN line, never an exception; no log folder is nothing to do", async () => {
  await withSandbox(async ({ dir, lines, prune }) => {
    await prune({ logDir: join(dir, "missing") });
    assert.deepEqual(lines, []);
    const notAFolder = await dated(join(dir, "file"), 1);
    const historyIsAFolder = join(dir, "history");
    await Deno.mkdir(historyIsAFolder);
    await prune({ logDir: notAFolder, historyFile: historyIsAFolder });
    assert.equal(lines.length, 2, lines.join("\n"));
    assert.match(lines[0]!, /^WARN: retention could not prune .*\/file: /);
    assert.match(lines[1]!, /^WARN: retention could not trim .*\/history: /);
  });
});

Deno.test("runFileName: every default per-run name our tools make, and nothing else", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const now = new Date("2026-01-02T03:04:05Z");
    const names = [];
    for (const prefix of ["documents-scrape", "operator-proof", "operator-validation"]) {
      const log = await uniqueLogPath(dir, prefix, "20260102T030405Z");
      await Deno.writeTextFile(log, "");
      names.push(log, await uniqueLogPath(dir, prefix, "20260102T030405Z"));
    }
    names.push(perTargetSummaryFile(dir, "operator-validation", "my guild/1", now));
    names.push(perTargetSummaryFile(dir, "operator-proof", "t", now));
    for (const path of names) {
      const name = path.slice(dir.length + 1);
      assert.ok(runFileName(name), name);
      assert.ok(runFileName(name.replace(/\.log$/, ".summary.json")), name);
    }
    assert.deepEqual(runFileName("documents-scrape-20260102T030405Z-2.summary.json"), {
      run: "documents-scrape-20260102T030405Z-2",
      kind: "summary",
    });
    for (
      const other of [
        "discord-scrape.log",
        "documents-scrape-x-20260102T030405Z.log",
        "documents-scrape-20260102T030405Z.log.1",
        ".documents-scrape-20260102T030405Z.log",
        "operator-validation-20260102T030405Z.json",
      ]
    ) assert.equal(runFileName(other), null, other);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
