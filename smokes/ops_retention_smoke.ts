// Retention at the end of a real run-documents-scrape (as ./dce runs it, quiet): an old successful
// run's log and summary leave the log folder, an old failed run's and the operator's own file stay,
// the run's own log stays, and the history is cut back to keep_runs with this run's line last.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool } from "./_harness.ts";
import { sandbox } from "./ops/sandbox.ts";
import { historyPath } from "../lib/ops/run_history.ts";

const DAY = 86_400_000;

async function dated(path: string, days: number, text: string): Promise<string> {
  await Deno.writeTextFile(path, text);
  const when = new Date(Date.now() - days * DAY);
  await Deno.utime(path, when, when);
  return path;
}

const summary = (outcome: string) =>
  JSON.stringify({ version: 1, outcome, exit_code: outcome === "ok" ? 0 : 3 }, null, 2);

Deno.test("a run's end prunes old runs' files and bounds the history; nothing else goes", async () => {
  await using box = await sandbox();
  await Deno.mkdir(box.logs, { recursive: true });
  const oldOk = join(box.logs, "documents-scrape-20250101T040000Z");
  await dated(`${oldOk}.log`, 40, "old ok run\n");
  await dated(`${oldOk}.summary.json`, 40, summary("ok"));
  const oldPartial = join(box.logs, "documents-scrape-20250102T040000Z");
  await dated(`${oldPartial}.log`, 40, "old partial run\n");
  await dated(`${oldPartial}.summary.json`, 40, summary("partial"));
  const notes = await dated(join(box.logs, "notes.txt"), 400, "mine\n");
  const history = historyPath(box.archiveRoot);
  const old = Array.from({ length: 70 }, (_, n) => {
    const end = new Date(Date.now() - (70 - n) * 3600_000).toISOString();
    return JSON.stringify({ v: 1, n, start: end, end, result: "ok", targets: {}, problems: [] });
  });
  await Deno.writeTextFile(history, old.join("\n") + "\n");

  const run = await runTool("run-documents-scrape", ["--quiet", "--config", box.config], {
    env: { ...box.env, DCE_KEEP_RUNS: "50" },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout + run.stderr, "", "quiet: retention adds nothing to the screen");

  for (const gone of [`${oldOk}.log`, `${oldOk}.summary.json`]) {
    await assert.rejects(Deno.lstat(gone), Deno.errors.NotFound, gone);
  }
  for (const kept of [`${oldPartial}.log`, `${oldPartial}.summary.json`, notes]) {
    assert.ok((await Deno.lstat(kept)).isFile, kept);
  }
  const logs = [...Deno.readDirSync(box.logs)].map((e) => e.name)
    .filter((name) => name.endsWith(".log") && !name.startsWith("documents-scrape-2025"));
  assert.equal(logs.length, 1, `this run's own log: ${logs}`);
  const log = await Deno.readTextFile(join(box.logs, logs[0]!));
  assert.match(log, /Retention: removed 2 file\(s\) of old runs from /);

  const lines = (await Deno.readTextFile(history)).trimEnd().split("\n");
  assert.equal(lines.length, 50, "cut back to keep_runs");
  assert.equal(JSON.parse(lines[0]!).n, 21, "the oldest lines went");
  assert.equal(JSON.parse(lines[49]!).tool, "run-documents-scrape", "this run's line is last");
});
