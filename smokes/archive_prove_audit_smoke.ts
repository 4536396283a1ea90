// prove-incremental-append and audit-archive-json through real processes. The host runner is replaced by
// a fake (smokes/archive/fake_scrape_host.ts) in a fake repo root (DCE_REPO_ROOT, as the bash suite's
// sibling-tool convention), so the proof's own logic is what is tested: exact path matching (docs/bash-suite.md#h37-substring-path-matching),
// grow-only rules, the runner's argv, and the config mapping.
import assert from "node:assert/strict";
import { join } from "node:path";
import { childEnv, ROOT, runTool, tempDir, toolArgs } from "./_harness.ts";
import { dceExportText, simpleMessage as msg } from "../tests/fixtures/archive_fixture.ts";

const CHANNEL = "712345678901234567";
const OTHER = "712345678901234999";

async function sandbox(root: string) {
  const out = join(root, "archive", "out");
  const repo = join(root, "repo");
  await Deno.mkdir(join(repo, "scripts"), { recursive: true });
  await Deno.mkdir(join(repo, "config"), { recursive: true });
  await Deno.mkdir(join(out, "sub", out.slice(1)), { recursive: true });
  await Deno.copyFile(
    join(ROOT, "smokes", "archive", "fake_scrape_host.ts"),
    join(repo, "scripts", "run-scrape-host.ts"),
  );
  const config = join(repo, "config", "custom.json");
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      archive_root: join(root, "archive"),
      targets: [{ name: "demo", output_dir: out, channel_ids: [CHANNEL, OTHER] }],
    }),
  );
  const doc = (n: number, channel = CHANNEL) =>
    dceExportText({
      channel: { id: channel, name: "c", category: "k" },
      messages: Array.from({ length: n }, (_, i) => msg(String(i + 1))),
    });
  // P and Q where Q's path ends with P's whole path: grep -F "<P>\t" would also match Q's line.
  const p = join(out, `a [${CHANNEL}].json`);
  const q = join(out, "sub", out.slice(1), `a [${CHANNEL}].json`);
  const tabbed = join(out, `tab\there [${OTHER}].json`);
  await Deno.writeTextFile(p, doc(5));
  await Deno.writeTextFile(q, doc(3));
  await Deno.writeTextFile(tabbed, doc(2, OTHER));
  return { out, repo, config, p, q, tabbed, doc };
}

Deno.test("prove-incremental-append: append passes; the runner gets scrape --config --target --channel", async () => {
  await using dir = await tempDir("dce-archive-prove-");
  const box = await sandbox(dir.path);
  const argvFile = join(dir.path, "runner-argv.json");
  const run = await runTool(
    "prove-incremental-append",
    ["--target", "demo", "--config", box.config, "--channel", CHANNEL, "--channel", OTHER],
    {
      env: {
        DCE_REPO_ROOT: box.repo,
        FAKE_SCRAPE_MODE: "append",
        FAKE_SCRAPE_FILE: box.tabbed,
        FAKE_SCRAPE_ARGV: argvFile,
      },
    },
  );
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /Channel-scoped proof for 2 channel\(s\)\./);
  assert.match(run.stdout, /Running incremental scrape for target demo\.\.\./);
  assert.ok(run.stdout.includes(`OK: appended 1 messages in ${box.tabbed}`), run.stdout);
  assert.ok(run.stdout.includes(`OK: unchanged ${box.p} (5 messages)`), run.stdout);
  assert.match(run.stdout, /Append-safe proof passed for target demo\./);
  assert.deepEqual(JSON.parse(await Deno.readTextFile(argvFile)), [
    "scrape",
    "--config",
    box.config,
    "--target",
    "demo",
    "--channel",
    CHANNEL,
    "--channel",
    OTHER,
  ]);
});

/** The runner's pid once it waits for a signal; fails if prove exits first. */
async function waitForRunner(pidFile: string, prove: Deno.ChildProcess): Promise<number> {
  let exited = false;
  prove.status.then(() => exited = true);
  for (;;) {
    try {
      const text = await Deno.readTextFile(pidFile);
      if (text !== "") return Number(text);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    if (exited) {
      const err = await new Response(prove.stderr).text();
      throw new Error(`prove exited before the runner started: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function alive(pid: number): boolean {
  try {
    const state = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]?.[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

Deno.test("prove-incremental-append: SIGINT/SIGTERM/SIGHUP reach the runner; prove waits and exits 128+n", async (t) => {
  for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130], ["SIGHUP", 129]] as const) {
    await t.step(signal, async () => {
      await using dir = await tempDir("dce-archive-prove-signal-");
      const box = await sandbox(dir.path);
      const pidFile = join(dir.path, "runner.pid");
      const signalFile = join(dir.path, "runner.signal");
      const prove = new Deno.Command(Deno.execPath(), {
        args: toolArgs("prove-incremental-append", ["--target", "demo", "--config", box.config]),
        cwd: ROOT,
        env: childEnv({
          DCE_REPO_ROOT: box.repo,
          FAKE_SCRAPE_MODE: "hang",
          FAKE_SCRAPE_PID_FILE: pidFile,
          FAKE_SCRAPE_SIGNAL_FILE: signalFile,
        }),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const runner = await waitForRunner(pidFile, prove);
      try {
        Deno.kill(prove.pid, signal);
        // Not output(): a runner left behind would hold the pipes open.
        const status = await prove.status;
        assert.ok(!alive(runner), "the runner is gone when prove exits");
        const stderr = await new Response(prove.stderr).text();
        assert.equal(status.code, code, stderr);
        assert.equal(status.signal, null, "prove handled the signal instead of dying of it");
        assert.match(
          stderr,
          new RegExp(`ERROR: Interrupted by ${signal} while run-scrape-host ran`),
        );
        assert.equal(await Deno.readTextFile(signalFile), signal);
      } finally {
        await prove.stdout.cancel().catch(() => {});
        await prove.stderr.cancel().catch(() => {});
        if (alive(runner)) Deno.kill(runner, "SIGKILL");
      }
    });
  }
});

Deno.test("prove-incremental-append: a shrunk archive fails even when a longer path ends with it (docs/bash-suite.md#h37-substring-path-matching)", async () => {
  await using dir = await tempDir("dce-archive-prove-");
  const box = await sandbox(dir.path);
  const run = await runTool("prove-incremental-append", [
    "--target",
    "demo",
    "--config",
    box.config,
  ], {
    env: { DCE_REPO_ROOT: box.repo, FAKE_SCRAPE_MODE: "shrink", FAKE_SCRAPE_FILE: box.p },
  });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.ok(run.stderr.includes(`FAIL: message count shrank for ${box.p} (5 -> 2)`), run.stderr);
  assert.ok(run.stdout.includes(`OK: unchanged ${box.q} (3 messages)`), run.stdout);
  assert.match(run.stderr, /^ERROR: 1 archive integrity check\(s\) failed\.$/m);
});

Deno.test("prove-incremental-append: vanished and unannounced archives fail; runner failure stops", async () => {
  await using dir = await tempDir("dce-archive-prove-");
  const box = await sandbox(dir.path);
  const gone = await runTool("prove-incremental-append", [
    "--target",
    "demo",
    "--config",
    box.config,
  ], {
    env: { DCE_REPO_ROOT: box.repo, FAKE_SCRAPE_MODE: "remove", FAKE_SCRAPE_FILE: box.q },
  });
  assert.equal(gone.code, 1);
  assert.ok(gone.stderr.includes(`FAIL: archive disappeared: ${box.q}`), gone.stderr);

  const fresh = join(box.out, `new [${CHANNEL}0].json`);
  const created = await runTool(
    "prove-incremental-append",
    ["--target", "demo", "--config", box.config],
    { env: { DCE_REPO_ROOT: box.repo, FAKE_SCRAPE_MODE: "create", FAKE_SCRAPE_FILE: fresh } },
  );
  assert.equal(created.code, 1);
  assert.ok(
    created.stderr.includes(`FAIL: unexpected new archive path (not pre-existing): ${fresh}`),
    created.stderr,
  );

  const failed = await runTool("prove-incremental-append", [
    "--target",
    "demo",
    "--config",
    box.config,
  ], {
    env: { DCE_REPO_ROOT: box.repo, FAKE_SCRAPE_MODE: "fail" },
  });
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /^ERROR: Incremental scrape failed for target demo \(exit 5\)/m);

  // A partial scrape (exit 3) is still compared; the proof passes and says the scrape was partial.
  const partial = await runTool("prove-incremental-append", [
    "--target",
    "demo",
    "--config",
    box.config,
    "--quiet",
  ], {
    env: { DCE_REPO_ROOT: box.repo, FAKE_SCRAPE_MODE: "partial" },
  });
  assert.equal(partial.code, 3, partial.stdout + partial.stderr);
  assert.equal(partial.stdout, "");
  assert.match(partial.stderr, /^prove-incremental-append: partial \(exit 3\)$/m);
  assert.match(partial.stderr, /FAILED: channel 712345678901234999 of target 'demo'/);
});

Deno.test("prove-incremental-append: snapshot-only + compare-snapshots and the usage errors", async () => {
  await using dir = await tempDir("dce-archive-prove-");
  const box = await sandbox(dir.path);
  const before = join(dir.path, "before.tsv");
  const after = join(dir.path, "after.tsv");
  const env = { DCE_REPO_ROOT: box.repo };
  const args = ["--target", "demo", "--config", box.config, "--snapshot-only", "--snapshot-file"];
  const s1 = await runTool("prove-incremental-append", [...args, before], { env });
  assert.equal(s1.code, 0, s1.stderr);
  assert.match(s1.stdout, /^Snapshot written: /);
  await Deno.writeTextFile(box.p, box.doc(7));
  await Deno.writeTextFile(box.q, box.doc(1));
  await runTool("prove-incremental-append", [...args, after], { env });
  const cmp = await runTool("prove-incremental-append", ["--compare-snapshots", before, after]);
  assert.equal(cmp.code, 1);
  assert.ok(cmp.stdout.includes(`OK: appended 2 messages in ${box.p}`), cmp.stdout);
  assert.ok(cmp.stderr.includes(`FAIL: message count shrank for ${box.q} (3 -> 1)`), cmp.stderr);

  const usage: [string[], number, RegExp][] = [
    [["--summary-file", "x"], 2, /^ERROR: Unknown option '--summary-file'\.$/],
    [
      ["--compare-snapshots", before],
      2,
      /^ERROR: --compare-snapshots needs two paths: BEFORE\.tsv AFTER\.tsv\.$/,
    ],
    [["--config", box.config], 2, /^ERROR: --target is required\.$/],
    [["--target", "nope", "--config", box.config], 1, /^ERROR: Unknown target 'nope' in /],
    [
      ["--target", "demo", "--config", box.config, "--snapshot-only"],
      2,
      /^ERROR: --snapshot-file is required with --snapshot-only\.$/,
    ],
    [["--compare-snapshots", join(dir.path, "no.tsv"), after], 1, /^ERROR: Missing snapshot: /],
  ];
  for (const [argv, code, pattern] of usage) {
    const r = await runTool("prove-incremental-append", argv, { env });
    assert.equal(r.code, code, argv.join(" "));
    assert.match(r.stderr.trim(), pattern);
  }
});

Deno.test("audit-archive-json: valid, invalid, unordered, duplicates, foreign JSON; --target", async () => {
  await using dir = await tempDir("dce-archive-audit-");
  const box = await sandbox(dir.path);
  const ok = await runTool("audit-archive-json", ["--config", box.config]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^All checked archive JSON files are valid\.$/m);

  const cut = join(box.out, `cut [${CHANNEL}1].json`);
  await Deno.writeTextFile(cut, box.doc(3).slice(0, -30));
  const unordered = join(box.out, `u [${CHANNEL}2].json`);
  await Deno.writeTextFile(
    unordered,
    dceExportText({ messages: [msg("1"), msg("999"), msg("2"), msg("2")] }),
  );
  await Deno.writeTextFile(join(box.out, "notes.json"), '{"not": "dce"}');
  await Deno.mkdir(join(box.out, ".dce-temp", "export.1.abcdef"), { recursive: true });
  await Deno.writeTextFile(join(box.out, ".dce-temp", "export.1.abcdef", "export.json"), "{");
  const bad = await runTool("audit-archive-json", ["--config", box.config, "--target", "demo"]);
  assert.equal(bad.code, 1);
  assert.ok(bad.stdout.includes(`INVALID\t${cut}`), bad.stdout);
  assert.ok(bad.stdout.includes(`UNORDERED\t${unordered}\t1`), bad.stdout);
  assert.ok(bad.stdout.includes(`DUPLICATES\t${unordered}\t1`), bad.stdout);
  assert.ok(bad.stdout.includes(`NOT_DCE\t${join(box.out, "notes.json")}`), bad.stdout);
  assert.ok(!bad.stdout.includes(".dce-temp"), "temps are not audited");
  assert.match(bad.stderr, /^1 invalid JSON archive file\(s\)\. Run salvage-truncated-export/m);

  // Strict JSON: a raw control character in a string is INVALID, with the file and the byte.
  const raw = join(box.out, `raw [${CHANNEL}3].json`);
  const rawText = box.doc(2).replace('"message ', '"mess\u0001age ');
  await Deno.writeTextFile(raw, rawText);
  // A name with line breaks must not forge the all-valid line (or any other line).
  const forged = join(
    box.out,
    `x\nAll checked archive JSON files are valid.\nINVALID\tz [${CHANNEL}4].json`,
  );
  await Deno.writeTextFile(forged, box.doc(3).slice(0, -30));
  const strict = await runTool("audit-archive-json", ["--config", box.config, "--target", "demo"]);
  assert.equal(strict.code, 1);
  assert.ok(strict.stdout.includes(`INVALID\t${raw}\n`), strict.stdout);
  const offset = new TextEncoder().encode(rawText.slice(0, rawText.indexOf("\u0001"))).length;
  assert.ok(
    strict.stderr.includes(
      `raw control character (byte 0x01); JSON needs it escaped at byte ${offset}.`,
    ),
    strict.stderr,
  );
  const lines = strict.stdout.split("\n");
  assert.ok(!lines.includes("All checked archive JSON files are valid."), strict.stdout);
  assert.equal(lines.filter((l) => l.startsWith("INVALID\t")).length, 3, strict.stdout);
  assert.ok(
    lines.includes(
      `INVALID\t${box.out}/x\\nAll checked archive JSON files are valid.\\nINVALID\\tz [${CHANNEL}4].json`,
    ),
    strict.stdout,
  );
  await Deno.remove(raw);
  await Deno.remove(forged);

  const unknown = await runTool("audit-archive-json", ["--config", box.config, "--target", "x"]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr.trim(), /^ERROR: Unknown target 'x' in .* Known: /);
  const missing = await runTool("audit-archive-json", ["--config", join(dir.path, "none.json")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr.trim(), /^ERROR: Missing config: /);
});
