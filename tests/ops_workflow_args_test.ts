import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError, UserError } from "../lib/cli/errors.ts";
import { parseMinFreeMb } from "../lib/host/disk_check.ts";
import {
  documentsMode,
  type DocumentsOptions,
  documentsPaths,
  summaryFileFor,
} from "../lib/ops/documents_scrape.ts";
import { LockHeldError, takeWorkflowLock } from "../lib/ops/workflow_lock.ts";
import { OpsLog } from "../lib/ops/ops_log.ts";
import { checkValidationFlags } from "../lib/ops/operator_validation.ts";
import { SummaryCapture } from "../lib/ops/summary_capture.ts";
import { uniqueLogPath } from "../lib/ops/unique_log_path.ts";

const quiet = { stdout: () => {}, stderr: () => {} };

Deno.test("documentsMode() maps the three exclusive flags and rejects combinations with exit 2", () => {
  assert.equal(documentsMode({}), "live");
  assert.equal(documentsMode({ dryRun: true }), "dry-run");
  assert.equal(documentsMode({ salvageOnly: true }), "salvage-only");
  assert.equal(documentsMode({ salvageBefore: true }), "salvage-before");
  for (
    const flags of [{ dryRun: true, salvageOnly: true }, { salvageOnly: true, salvageBefore: true }]
  ) {
    assert.throws(
      () => documentsMode(flags),
      (e: unknown) => e instanceof UsageError && e.exitCode === 2,
    );
  }
});

Deno.test("documentsPaths(): live runs always log and summarise; --summary-file beats the environment", async () => {
  const base: DocumentsOptions = {
    mode: "live",
    targets: [],
    channels: [],
    guilds: [],
    configPath: "/c.json",
    env: {},
    repoRoot: "/repo",
  };
  const now = new Date("2026-03-04T05:06:07Z");
  assert.deepEqual(await documentsPaths(base, now), {
    logFile: "/repo/logs/documents-scrape-20260304T050607Z.log",
    summaryFile: "/repo/logs/documents-scrape-20260304T050607Z.summary.json",
  });
  assert.deepEqual(
    await documentsPaths(
      { ...base, env: { DCE_LOG_DIR: "/l", DCE_RUN_SUMMARY_FILE: "/e.json" } },
      now,
    ),
    {
      logFile: "/l/documents-scrape-20260304T050607Z.log",
      summaryFile: "/e.json",
    },
  );
  assert.equal(
    (await documentsPaths(
      { ...base, summaryFile: "/s.json", env: { DCE_RUN_SUMMARY_FILE: "/e.json" } },
      now,
    )).summaryFile,
    "/s.json",
  );
  assert.deepEqual(await documentsPaths({ ...base, mode: "dry-run" }, now), {
    logFile: undefined,
    summaryFile: undefined,
  });
  assert.deepEqual(
    await documentsPaths({ ...base, mode: "salvage-only", logFile: "/x.log" }, now),
    {
      logFile: "/x.log",
      summaryFile: undefined,
    },
  );
  // DCE_RUN_SUMMARY_FILE as the host runner reads it: the container view and relative paths.
  for (
    const [value, file] of [["/logs/r/s.json", "/repo/logs/r/s.json"], ["s.json", "/repo/s.json"]]
  ) {
    const paths = await documentsPaths({ ...base, env: { DCE_RUN_SUMMARY_FILE: value! } }, now);
    assert.equal(paths.summaryFile, file);
  }
  assert.equal(summaryFileFor("/a/b.log"), "/a/b.summary.json");
  assert.equal(summaryFileFor("/a/b.txt"), "/a/b.txt.summary.json");
});

Deno.test("checkValidationFlags() keeps the bash tool's two exclusions (dry-run + salvage-before is fine)", () => {
  assert.throws(
    () => checkValidationFlags({ dryRun: false, salvageOnly: true, salvageBefore: true }),
    /mutually exclusive/,
  );
  assert.throws(
    () => checkValidationFlags({ dryRun: true, salvageOnly: true, salvageBefore: false }),
    /--dry-run/,
  );
  checkValidationFlags({ dryRun: true, salvageOnly: false, salvageBefore: true });
});

Deno.test("parseMinFreeMb(): whole MiB numbers only; unset or empty means 1024 (docs/bash-suite.md#h35-disk-check)", () => {
  assert.equal(parseMinFreeMb(undefined), 1024);
  assert.equal(parseMinFreeMb(""), 1024);
  assert.equal(parseMinFreeMb("0"), 0);
  assert.equal(parseMinFreeMb(" 2048 "), 2048);
  assert.equal(parseMinFreeMb("-1"), -1);
  for (const bad of ["lots", "1g", "1.5", "1e3", "0x10"]) {
    assert.throws(
      () => parseMinFreeMb(bad),
      (e: unknown) => e instanceof UserError && e.message.includes(`'${bad}'`),
    );
  }
});

Deno.test("SummaryCapture recovers THIS run's last marker, never overwrites, and says why when it cannot", async () => {
  const dir = await Deno.makeTempDir();
  try {
    using log = await OpsLog.open(join(dir, "shared.log"), quiet);
    const capture = new SummaryCapture(log);
    const dest = join(dir, "s.json");
    assert.match(
      (await capture.recoverInto(dest))!,
      /^WARN: no DCE_JSON_SUMMARY: line in this run's output/,
    );
    log.err('[2026-01-01T00:00:00Z] DCE_JSON_SUMMARY: {"version":1,"n":1}');
    log.err('[2026-01-01T00:00:01Z] DCE_JSON_SUMMARY: {"version":1,"n":2}');
    assert.equal(await capture.recoverInto(dest), `JSON summary recovered from log: ${dest}`);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(dest)), { version: 1, n: 2 });
    await Deno.writeTextFile(dest, '{"kept":true}');
    assert.equal(await capture.recoverInto(dest), undefined);
    assert.equal(await Deno.readTextFile(dest), '{"kept":true}');
    log.err("DCE_JSON_SUMMARY: {broken");
    assert.match(
      (await capture.recoverInto(join(dir, "t.json")))!,
      /^WARN: could not write the run summary .*not valid JSON/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("takeWorkflowLock(): taken and released, skipped by DCE_SKIP_SCRAPE_LOCK=1, inherited by token, 'not held' for a bad path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = join(dir, "c.json");
    await Deno.writeTextFile(config, JSON.stringify({ archive_root: dir, targets: [] }));
    const lines: string[] = [];
    const out = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const opts = {
      configPath: config,
      repoRoot: "/repo",
      env: {},
      waitSeconds: 0,
      tool: "t",
      argv: [],
    };
    const lock = await takeWorkflowLock(out, opts);
    assert.ok(lock.handle !== null);
    const token = lock.childEnv["DCE_SCRAPE_LOCK_TOKEN"]!;
    assert.match(token, /^[0-9a-f]{32}$/);
    // A child handed the token works under the lock: nothing taken, nothing released, token passed on.
    const child = await takeWorkflowLock(out, { ...opts, env: { DCE_SCRAPE_LOCK_TOKEN: token } });
    assert.equal(child.handle, null);
    assert.deepEqual(child.childEnv, { DCE_SCRAPE_LOCK_TOKEN: token });
    await child.release(out);
    await assert.rejects(() => takeWorkflowLock(out, opts), LockHeldError, "still held");
    await assert.rejects(
      () => takeWorkflowLock(out, { ...opts, env: { DCE_SCRAPE_LOCK_TOKEN: "0".repeat(32) } }),
      /DCE_SCRAPE_LOCK_TOKEN is set, but the scrape lock .* is not held with that token/,
    );
    await lock.release(out);
    await (await takeWorkflowLock(out, opts)).release(out);

    const skipped = await takeWorkflowLock(out, { ...opts, env: { DCE_SKIP_SCRAPE_LOCK: "1" } });
    assert.equal(skipped.handle, null);
    assert.match(lines.join("\n"), /DCE_SKIP_SCRAPE_LOCK=1/);
    await assert.rejects(
      () => takeWorkflowLock(out, { ...opts, env: { DCE_SCRAPE_LOCK_FILE: dir } }),
      (e: unknown) =>
        e instanceof UserError && !(e instanceof LockHeldError) &&
        /not "lock held"/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("uniqueLogPath(): a second run in the same second gets its own log and summary names", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await uniqueLogPath(dir, "documents-scrape", "20260101T000000Z");
    assert.equal(first, join(dir, "documents-scrape-20260101T000000Z.log"));
    await Deno.writeTextFile(first, "");
    const second = await uniqueLogPath(dir, "documents-scrape", "20260101T000000Z");
    assert.equal(second, join(dir, "documents-scrape-20260101T000000Z-2.log"));
    await Deno.writeTextFile(join(dir, "documents-scrape-20260101T000000Z-2.summary.json"), "");
    assert.equal(
      await uniqueLogPath(dir, "documents-scrape", "20260101T000000Z"),
      join(dir, "documents-scrape-20260101T000000Z-3.log"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
