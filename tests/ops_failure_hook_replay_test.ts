// run-failure-hook: the hook for the newest history line (its digest on stdin, its variables), a
// failing hook is exit 1, no hook is nothing to do, and a broken config still reaches an env hook.
import assert from "node:assert/strict";
import { join } from "node:path";
import { replayFailureHook } from "../lib/ops/failure_hook_replay.ts";
import { historyRecord } from "../lib/ops/history_record.ts";
import { appendHistory, historyPath } from "../lib/ops/run_history.ts";

async function box() {
  const dir = await Deno.makeTempDir({ prefix: "dce-replay-" });
  const root = join(dir, "archive");
  await Deno.mkdir(root);
  const config = join(dir, "targets.json");
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      archive_root: root,
      targets: [{ name: "guild", output_dir: join(root, "guild"), channel_ids: ["123"] }],
    }),
  );
  const lines: string[] = [];
  const replay = (env: Record<string, string>, configPath = config) =>
    replayFailureHook({
      configPath,
      env: {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        DCE_ENV_FILE: join(dir, "none.env"),
        ...env,
      },
      repoRoot: dir,
      out: { out: (l) => lines.push(l), err: (l) => lines.push(l) },
    });
  return {
    dir,
    root,
    config,
    lines,
    replay,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

const at = (s: string) => new Date(s);

Deno.test("run-failure-hook: the newest line's digest on stdin and its variables", async () => {
  await using b = await box();
  const older = {
    tool: "run-documents-scrape",
    start: at("2026-01-01T00:00:00Z"),
    end: at("2026-01-01T00:01:00Z"),
    busy: false,
    targets: ["guild"],
  };
  await appendHistory(historyPath(b.root), historyRecord({ ...older, exitCode: 0 }));
  await appendHistory(
    historyPath(b.root),
    historyRecord({
      ...older,
      start: at("2026-01-02T00:00:00Z"),
      end: at("2026-01-02T00:01:00Z"),
      exitCode: 3,
      logFile: "/logs/x.log",
      summary: {
        channels: [{ target: "guild", channel_id: "123", action: "FAILED", reason: "network" }],
      },
    }),
  );
  const hook =
    `cat > "${b.dir}/stdin.txt"; echo "$DCE_RUN_RESULT $DCE_RUN_EXIT_CODE $DCE_RUN_FAILED $DCE_RUN_LOG" > "${b.dir}/env.txt"`;
  assert.equal(await b.replay({ DCE_FAILURE_HOOK: hook }), 0, b.lines.join("\n"));
  assert.equal(await Deno.readTextFile(join(b.dir, "env.txt")), "partial 3 1 /logs/x.log\n");
  const stdin = await Deno.readTextFile(join(b.dir, "stdin.txt"));
  assert.match(
    stdin,
    /^run-documents-scrape: partial \(exit 3\), 2026-01-02T00:00:00Z to 2026-01-02T00:01:00Z/,
  );
  assert.ok(stdin.includes("\n  FAILED: channel 123 of target 'guild': network\n"), stdin);
  assert.match(stdin, /^Log: \/logs\/x\.log$/m);
});

Deno.test("run-failure-hook: a failing hook is exit 1 with a WARN; no hook is nothing to do", async () => {
  await using b = await box();
  assert.equal(await b.replay({ DCE_FAILURE_HOOK: "exit 7" }), 1);
  assert.ok(b.lines.some((l) => /^WARN: the failure hook exited 7/.test(l)), b.lines.join("\n"));
  b.lines.length = 0;
  assert.equal(await b.replay({}), 0);
  assert.match(b.lines.join("\n"), /No failure hook is configured/);
});

Deno.test("run-failure-hook: a missing config is exit 2, and the environment's hook still runs", async () => {
  await using b = await box();
  const hook = `cat > "${b.dir}/stdin.txt"; echo "$DCE_RUN_RESULT" > "${b.dir}/env.txt"`;
  assert.equal(await b.replay({ DCE_FAILURE_HOOK: hook }, join(b.dir, "missing.json")), 2);
  assert.match(b.lines.join("\n"), /^ERROR: Missing config: /m);
  assert.equal(await Deno.readTextFile(join(b.dir, "env.txt")), "failed\n");
  assert.match(await Deno.readTextFile(join(b.dir, "stdin.txt")), /config could not be loaded/);
});
