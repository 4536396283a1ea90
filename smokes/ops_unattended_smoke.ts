// Running unattended (issue 9): the exact line setup-cron installs, run the way cron runs it (`env -i`,
// no terminal, `/bin/sh -c`): silent success, a short digest and exit 3 for a partial run, silence and
// exit 75 when another scrape holds the lock, a transient failure retried. And two documents runs
// started 50 ms apart: the second never runs the DCE CLI.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool, spawnTool } from "./_harness.ts";
import { cronCommand, fakeCrontab, runAsCron } from "./ops/fake_cron.ts";
import { channel, guildBox } from "./ops/guild_box.ts";
import { GUILD, ourHolder, type Sandbox } from "./ops/sandbox.ts";

/**
 * Installs the block through the fake crontab (default logging: each run its own log in the box's
 * DCE_LOG_DIR) and returns the command cron would hand to sh.
 */
async function installedCommand(box: Sandbox): Promise<string> {
  const { file: crontab, env } = await fakeCrontab(box);
  const install = await runTool("setup-cron", [
    "--config",
    box.config,
    "--skip-preflight",
  ], { env });
  assert.equal(install.code, 0, install.stderr);
  const line = (await Deno.readTextFile(crontab)).split("\n")[1]!;
  assert.ok(line.includes(` DCE_LOG_DIR=${box.logs} `), line);
  assert.ok(!line.includes("--log-file"), line);
  return cronCommand(line);
}

/** The runs' own logs (`documents-scrape-<stamp>.log`). */
async function runLogs(box: Sandbox): Promise<string[]> {
  const names = (await Array.fromAsync(Deno.readDir(box.logs))).map((e) => e.name)
    .filter((name) => /^documents-scrape-.*\.log$/.test(name)).sort();
  return names.map((name) => join(box.logs, name));
}

async function allLogs(box: Sandbox): Promise<string> {
  const texts = await Promise.all((await runLogs(box)).map((log) => Deno.readTextFile(log)));
  return texts.join("");
}

Deno.test("cron line: silent when all is well (also with nothing new), a transient failure is retried", async () => {
  await using box = await guildBox([
    // First in line: fails its preflight probe and its first export, then answers.
    channel("444444444444444440", "blip", { flaky: { times: 2, mode: "network" } }),
    channel("444444444444444441", "alpha"),
    channel("444444444444444443", "gamma"),
  ]);
  const command = await installedCommand(box);
  for (const round of ["first", "nothing new"]) {
    const run = await runAsCron(box, command);
    assert.equal(run.code, 0, `${round}: ${run.stderr}`);
    assert.equal(run.stdout + run.stderr, "", `${round}: 0 bytes for cron to mail`);
  }
  assert.equal((await runLogs(box)).length, 2, "one log per run");
  const log = await allLogs(box);
  assert.match(log, /Preflight probe of channel 444444444444444440 failed .*the scrape will retry/);
  assert.match(log, /Transient failure of channel 444444444444444440 .*retrying in 0\.05 s/);
  assert.match(log, /Exporting channel 444444444444444440 .*\(attempt 2 of 3\)/);
  assert.match(log, /CREATED .*gamma \[444444444444444443\]\.json/, "the run went on after it");
  assert.match(log, /UNCHANGED .*alpha \[444444444444444441\]\.json/, "second round: nothing new");
  assert.equal(log.match(/Documents scrape finished successfully/g)?.length, 2);
});

Deno.test("cron line: a forbidden channel and an export killed mid-file: the rest scraped, a digest, exit 3", async () => {
  await using box = await guildBox([
    channel("444444444444444441", "alpha"),
    channel("444444444444444442", "secret", { forbidden: true }),
    channel("444444444444444443", "cut", { count: 6, flaky: { times: 99, mode: "killed" } }),
    channel("444444444444444444", "delta"),
  ]);
  const command = await installedCommand(box);
  const run = await runAsCron(box, command);
  assert.equal(run.code, 3, run.stderr);
  assert.equal(run.stdout, "");
  const digest = run.stderr.trimEnd().split("\n");
  assert.ok(digest.length >= 3 && digest.length <= 10, `a few lines:\n${run.stderr}`);
  assert.equal(digest[0], "run-documents-scrape: partial (exit 3)");
  assert.match(run.stderr, /FAILED: channel 444444444444444443 of target 'guild': .*exit 137/);
  const [log] = await runLogs(box);
  assert.match(run.stderr, new RegExp(`^Log: ${log}$`, "m"));
  const summaryFile = log!.replace(/\.log$/, ".summary.json");
  assert.match(run.stderr, new RegExp(`^Summary: ${summaryFile}$`, "m"));
  // The guild lists the forbidden channel; the token cannot read it: an ordinary skip, not news.
  assert.doesNotMatch(run.stderr, /444444444444444442/);
  assert.doesNotMatch(run.stderr, /inaccessible/);
  for (const [id, name] of [["444444444444444441", "alpha"], ["444444444444444444", "delta"]]) {
    const archive = join(box.outputDir("guild"), `${GUILD.name} - Text - ${name} [${id}].json`);
    assert.equal(JSON.parse(await Deno.readTextFile(archive)).messages.length, 3, name);
  }
  const summary = JSON.parse(await Deno.readTextFile(summaryFile));
  assert.equal(summary.outcome, "partial");
  assert.equal(summary.totals.skipped_oom, 1);
});

Deno.test("cron line: a typo in the config: a digest naming it and the log, no summary to point to, exit 1", async () => {
  await using box = await guildBox([channel("444444444444444441", "alpha")]);
  const command = await installedCommand(box);
  const config = JSON.parse(await Deno.readTextFile(box.config));
  await Deno.writeTextFile(box.config, JSON.stringify({ ...config, unattended: { keep_day: 3 } }));
  const run = await runAsCron(box, command);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stdout, "");
  const digest = run.stderr.trimEnd().split("\n");
  assert.equal(digest[0], "run-documents-scrape: failed (exit 1)");
  assert.match(
    run.stderr,
    /ERROR: Unknown key 'keep_day' in unattended\. Did you mean 'keep_days'\?/,
  );
  const [log] = await runLogs(box);
  assert.match(run.stderr, new RegExp(`^Log: ${log}$`, "m"));
  assert.doesNotMatch(run.stderr, /^Summary:/m, "the run stopped before writing one");
});

Deno.test("cron line: another scrape holds the lock: nothing written, exit 75", async () => {
  await using box = await guildBox([channel("444444444444444441", "alpha")]);
  const command = await installedCommand(box);
  await using _holder = await ourHolder(box);
  const run = await runAsCron(box, command);
  assert.equal(run.code, 75, run.stderr);
  assert.equal(run.stdout + run.stderr, "");
  assert.match(
    await allLogs(box),
    /ERROR: Scrape lock is held; another scrape may be running/,
    "the log still says why",
  );
});

Deno.test("two documents runs started 50 ms apart: the second never runs the DCE CLI", async () => {
  // A slow export keeps the first run busy for seconds after it took the lock.
  await using box = await guildBox([channel("444444444444444441", "slow", { delayMs: 700 })]);
  const start = (name: string) =>
    spawnTool("run-documents-scrape", ["--config", box.config], {
      env: { ...box.env, FAKE_DCE_LOG: join(box.dir, `${name}.calls`) },
    }).output();
  const one = start("one");
  await new Promise((r) => setTimeout(r, 50));
  const two = start("two");
  const runs = await Promise.all([one, two]);
  const calls = async (name: string) => {
    try {
      return (await Deno.readTextFile(join(box.dir, `${name}.calls`))).trim().split("\n");
    } catch {
      return [];
    }
  };
  const called = [await calls("one"), await calls("two")];
  // Whichever took the lock first did the work; the other did nothing at all.
  const winner = runs[0]!.code === 0 ? 0 : 1;
  const loser = 1 - winner;
  const text = (i: number) => new TextDecoder().decode(runs[i]!.stderr);
  assert.equal(runs[winner]!.code, 0, text(winner));
  assert.equal(runs[loser]!.code, 1, text(loser));
  assert.match(text(loser), /ERROR: Scrape lock is held; another scrape may be running/);
  assert.ok(called[winner]!.length >= 2, "preflight and scrape calls from the winner");
  assert.deepEqual(called[loser], [], "no call at all from the other run");
});
