// setup-cron against a fixture crontab through a fake crontab binary (DCE_CRONTAB_BIN): install, idempotence,
// replace, remove, dry run, bad schedules; other crontab lines are never touched; the line runs under sh.
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, runTool } from "./_harness.ts";
import { cronCommand, fakeCrontab, runAsCron } from "./ops/fake_cron.ts";
import { DEMO, sandbox } from "./ops/sandbox.ts";

const FIXTURE = [
  "MAILTO=ops@example.org",
  "# m h dom mon dow command",
  "*/5 * * * * /usr/local/bin/backup --quiet",
  "# BEGIN other-job",
  "0 1 * * * /bin/other",
  "# END other-job",
  "30 2 * * 1 echo 'unrelated \\% line'",
  "",
].join("\n");

async function cronBox() {
  const box = await sandbox();
  return { box, ...(await fakeCrontab(box)) };
}

Deno.test("setup-cron installs one marked block, is idempotent, replaces in place and removes cleanly", async () => {
  const { box, file, env } = await cronBox();
  await using _ = box;
  await Deno.writeTextFile(file, FIXTURE);
  const base = ["--config", box.config, "--skip-preflight"];

  const first = await runTool("setup-cron", [...base, "--target", "demo"], { env });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /Installed crontab block 'discord-scrape'/);
  const installed = await Deno.readTextFile(file);
  assert.ok(installed.startsWith(FIXTURE), "fixture lines kept byte for byte");
  const block = installed.slice(FIXTURE.length).split("\n");
  assert.equal(block[0], "# BEGIN discord-scrape");
  assert.equal(block[2], "# END discord-scrape");
  const line = block[1]!;
  assert.ok(line.startsWith("0 4 1 * * cd "), line);
  assert.ok(
    line.includes(
      `${
        join(ROOT, "dce")
      } run-documents-scrape --quiet --conflict-exit-code 75 --config ${box.config}`,
    ),
    line,
  );
  assert.ok(line.includes("--target demo"), line);
  assert.ok(
    !line.includes("flock"),
    "no /tmp/<job>.lock flock (docs/bash-suite.md#h9-crons-extra-flock)",
  );

  const again = await runTool("setup-cron", [...base, "--target", "demo"], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /already installed and up to date/);
  assert.equal(await Deno.readTextFile(file), installed);

  const weekly = await runTool("setup-cron", [...base, "--interval", "weekly", "--at", "03:15"], {
    env,
  });
  assert.equal(weekly.code, 0, weekly.stderr);
  const replaced = await Deno.readTextFile(file);
  assert.equal(replaced.match(/# BEGIN discord-scrape/g)?.length, 1);
  assert.match(replaced, /^15 03 \* \* 0 cd /m, "--at 03:15 keeps the two-digit hour");
  assert.ok(replaced.startsWith(FIXTURE));

  const dryRemove = await runTool("setup-cron", ["--remove", "--dry-run"], { env });
  assert.equal(dryRemove.code, 0, dryRemove.stderr);
  assert.match(dryRemove.stdout, /would remove crontab block 'discord-scrape'/);
  assert.equal(await Deno.readTextFile(file), replaced);

  // As the bash installer: selection options next to --remove are accepted and ignored.
  const removed = await runTool("setup-cron", ["--remove", "--target", "x", "--at", "01:00"], {
    env,
  });
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /^Removed crontab block 'discord-scrape'\.$/m);
  assert.equal(await Deno.readTextFile(file), FIXTURE, "exactly the fixture is left");
  const none = await runTool("setup-cron", ["--remove"], { env });
  assert.equal(none.code, 0);
  assert.match(none.stdout, /No crontab block 'discord-scrape' to remove/);
});

Deno.test("setup-cron --dry-run shows the block and changes nothing; no crontab yet is fine", async () => {
  const { box, file, env } = await cronBox();
  await using _ = box;
  const dry = await runTool("setup-cron", [
    "--config",
    box.config,
    "--dry-run",
    "--cron",
    "*/30 2-4 * jan-jun mon-fri",
  ], { env });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(
    dry.stdout,
    /^# BEGIN discord-scrape\n\*\/30 2-4 \* jan-jun mon-fri cd .*\n# END discord-scrape$/m,
  );
  await assert.rejects(() => Deno.stat(file), Deno.errors.NotFound);
  const install = await runTool("setup-cron", [
    "--config",
    box.config,
    "--skip-preflight",
    "--interval",
    "daily",
  ], { env });
  assert.equal(install.code, 0, install.stderr);
  assert.match(await Deno.readTextFile(file), /^# BEGIN discord-scrape\n0 4 \* \* \* cd /);
});

Deno.test("setup-cron rejects bad schedules and options with exit 2 and leaves the crontab alone", async () => {
  const { box, file, env } = await cronBox();
  await using _ = box;
  await Deno.writeTextFile(file, FIXTURE);
  const cases: [string[], RegExp][] = [
    [["--cron", "61 * * * *"], /minute 61 is outside 0-59/],
    [["--cron", "* * * *"], /expected 5 fields/],
    [["--cron", "0 4 * * *", "--interval", "daily"], /either --cron EXPR or --interval/],
    [["--interval", "hourly"], /Invalid --interval 'hourly'/],
    [["--at", "25:00"], /Invalid --at '25:00'/],
    [["--job", "bad name"], /Invalid job name/],
    [["--bogus"], /Unknown option '--bogus'/],
  ];
  for (const [args, pattern] of cases) {
    const run = await runTool("setup-cron", ["--config", box.config, "--skip-preflight", ...args], {
      env,
    });
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
    assert.equal(run.stderr.trim().split("\n").length, 1, "one line");
  }
  const unknown = await runTool("setup-cron", [
    "--config",
    box.config,
    "--skip-preflight",
    "--target",
    "nope",
  ], { env });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^ERROR: Unknown target 'nope' in /);
  const missing = await runTool("setup-cron", [
    "--config",
    join(box.dir, "missing.json"),
    "--skip-preflight",
  ], { env });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /Missing config: .* Copy config\/scrape-targets\.example\.json/);
  assert.equal(await Deno.readTextFile(file), FIXTURE);
});

/** The older suite's block, as its setup-cron installed it with --interval weekly --at 03:30. */
const OLD_SUITE_BLOCK = [
  "# BEGIN discord-scrape",
  "30 3 * * 0 cd /home/op/dce && DCE_COMPOSE_TTY=0 DCE_ENV_FILE=/home/op/dce/scrape.env " +
  "DCE_COMPOSE_FILE=/home/op/dce/docker-compose.yml flock -n /tmp/discord-scrape.lock " +
  "/home/op/dce/scripts/run-documents-scrape.sh --config /home/op/dce/config/scrape-targets.json " +
  "--log-file /home/op/dce/logs/discord-scrape.log",
  "# END discord-scrape",
  "",
].join("\n");

Deno.test("migrating the older suite's weekly block: the schedule is kept, the replaced line shown; --dry-run diffs", async () => {
  const { box, file, env } = await cronBox();
  await using _ = box;
  const old = `${FIXTURE}${OLD_SUITE_BLOCK}`;
  await Deno.writeTextFile(file, old);
  const base = ["--config", box.config, "--skip-preflight"];

  const dry = await runTool("setup-cron", [...base, "--dry-run"], { env });
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(await Deno.readTextFile(file), old, "a dry run changes nothing");
  assert.match(dry.stdout, /^--- crontab now\n\+\+\+ crontab after\n # BEGIN discord-scrape$/m);
  assert.match(dry.stdout, /^-30 3 \* \* 0 cd \/home\/op\/dce .*flock -n/m);
  assert.match(dry.stdout, /^\+30 3 \* \* 0 cd .* run-documents-scrape --quiet /m);
  assert.match(dry.stdout, /^ # END discord-scrape$/m);

  const run = await runTool("setup-cron", base, { env });
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /^Replaced crontab block 'discord-scrape' \(its schedule '30 3 \* \* 0' is kept; .*\)\. It was:\n {2}30 3 \* \* 0 cd \/home\/op\/dce .*scripts\/run-documents-scrape\.sh/m,
  );
  const installed = await Deno.readTextFile(file);
  assert.ok(installed.startsWith(FIXTURE), "other lines kept");
  assert.match(
    installed,
    /^30 3 \* \* 0 cd .*run-documents-scrape --quiet --conflict-exit-code 75 /m,
  );
  assert.doesNotMatch(installed, /flock|run-documents-scrape\.sh/);

  // An explicit schedule still wins; our own block's schedule is kept the same way.
  const daily = await runTool("setup-cron", [...base, "--interval", "daily"], { env });
  assert.equal(daily.code, 0, daily.stderr);
  assert.match(await Deno.readTextFile(file), /^0 4 \* \* \* cd /m);
  assert.match(
    daily.stdout,
    /^Replaced crontab block 'discord-scrape'\. It was:\n {2}30 3 \* \* 0 /m,
  );
  const again = await runTool("setup-cron", [...base, "--target", "demo"], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(await Deno.readTextFile(file), /^0 4 \* \* \* cd .*--target demo$/m);
});

Deno.test("setup-cron refuses a crontab whose block markers are broken", async () => {
  const { box, file, env } = await cronBox();
  await using _ = box;
  const broken = `${FIXTURE}# BEGIN discord-scrape\n0 4 1 * * old line\n`;
  await Deno.writeTextFile(file, broken);
  const run = await runTool("setup-cron", ["--config", box.config, "--skip-preflight"], { env });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /no '# END discord-scrape'; fix it with 'crontab -e' first/);
  assert.equal(await Deno.readTextFile(file), broken);
});

Deno.test("setup-cron runs the host preflight first and installs nothing when it fails", async () => {
  const { box, file, env } = await cronBox();
  await using _ = box;
  await Deno.writeTextFile(file, FIXTURE);
  const run = await runTool("setup-cron", ["--config", box.config], {
    env: { ...env, FAKE_DCE_REJECT_TOKEN: "1" },
  });
  assert.notEqual(run.code, 0);
  assert.match(run.stdout, /Running host preflight/);
  assert.match(run.stderr, /Preflight failed .*the crontab was not changed/);
  assert.equal(await Deno.readTextFile(file), FIXTURE);
});

Deno.test("the installed line runs under sh from a cron-like empty environment and scrapes, one log per run, metrics written", async () => {
  const { box, file, env } = await cronBox();
  await using _ = box;
  const logDir = join(box.dir, "cron logs");
  const metrics = join(box.dir, "dce.prom");
  const install = await runTool(
    "setup-cron",
    [
      "--config",
      box.config,
      "--skip-preflight",
      "--env-file",
      box.env.DCE_ENV_FILE!,
      "--log-dir",
      logDir,
      "--metrics-file",
      metrics,
    ],
    { env },
  );
  assert.equal(install.code, 0, install.stderr);
  const line = (await Deno.readTextFile(file)).split("\n")[1]!;
  assert.ok(line.includes(` DCE_LOG_DIR='${logDir}' `), line);
  assert.ok(line.includes(` --metrics-file ${metrics}`), line);
  const command = cronCommand(line);
  for (const round of [1, 2]) {
    const out = await runAsCron(box, command, { DISCORD_TOKEN: "simulated-token" });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, "", "quiet: the log has it all");
    assert.equal(out.stderr, "", "quiet: a successful run mails nothing");
    const logs = [...Deno.readDirSync(logDir)].map((e) => e.name).filter((n) => n.endsWith(".log"));
    assert.equal(logs.length, round, `one log per run: ${logs}`);
  }
  const [log] = [...Deno.readDirSync(logDir)].map((e) => e.name).filter((n) => n.endsWith(".log"));
  assert.match(log!, /^documents-scrape-\d{8}T\d{6}Z(-2)?\.log$/);
  const logged = await Deno.readTextFile(join(logDir, log!));
  assert.match(logged, /Documents scrape finished successfully/);
  assert.match(logged, /Log: /);
  const archive = JSON.parse(await Deno.readTextFile(box.archivePath(DEMO)));
  assert.equal(archive.messages.length, DEMO.count);
  assert.match(
    await Deno.readTextFile(metrics),
    /^dce_last_exit_code\{tool="run-documents-scrape"\} 0$/m,
  );
});

Deno.test("setup-cron keeps the host's exporter: DCE_COMPOSE_FILE only when set or present; empty settings count as unset", async () => {
  const { box, env } = await cronBox();
  await using _ = box;
  // A checkout without docker-compose.yml and no DCE_EXPORTER: the host runner uses the DCE CLI.
  const auto: Record<string, string> = { ...env };
  delete auto.DCE_EXPORTER;
  const dry = async (extra: Record<string, string>) => {
    const run = await runTool("setup-cron", ["--config", box.config, "--dry-run"], {
      env: { ...auto, DCE_REPO_ROOT: box.dir, ...extra },
    });
    assert.equal(run.code, 0, run.stderr);
    return run.stdout.split("\n").find((l) => l.includes(" cd ")) ?? "";
  };
  const cli = await dry({ DCE_ENV_FILE: "", DCE_LOG_FILE: "" });
  assert.ok(!cli.includes("DCE_COMPOSE_FILE"), cli);
  assert.ok(cli.includes(` DCE_ENV_FILE=${join(box.dir, "scrape.env")} `), cli);
  assert.ok(cli.includes(` DCE_LOG_DIR=${join(box.dir, "logs")} `), cli);
  assert.ok(!cli.includes("--log-file"), "each run its own log, pruned by retention");
  const ownLog = await dry({ DCE_LOG_FILE: join(box.dir, "ops.log") });
  assert.ok(ownLog.includes(` --log-file ${join(box.dir, "ops.log")}`), ownLog);
  const both = await runTool(
    "setup-cron",
    ["--config", box.config, "--dry-run", "--log-dir", box.dir, "--log-file", "x.log"],
    { env: auto },
  );
  assert.equal(both.code, 2);
  assert.match(both.stderr, /^ERROR: Use either --log-dir DIR or --log-file PATH, not both\.$/m);
  const named = await dry({ DCE_COMPOSE_FILE: join(box.dir, "elsewhere.yml") });
  assert.ok(named.includes(` DCE_COMPOSE_FILE=${join(box.dir, "elsewhere.yml")} `), named);
  await Deno.writeTextFile(join(box.dir, "docker-compose.yml"), "services: {}\n");
  const present = await dry({});
  assert.ok(present.includes(` DCE_COMPOSE_FILE=${join(box.dir, "docker-compose.yml")} `), present);
});

Deno.test("a crontab that refuses before reading the new table is one ERROR line, not a crash", async () => {
  const { box, file, env } = await cronBox();
  await using _ = box;
  // Larger than a pipe buffer, so the write is still going when crontab closes its input.
  const big = `${FIXTURE}${"# padding line for a large crontab\n".repeat(4000)}`;
  await Deno.writeTextFile(file, big);
  const bin = join(box.dir, "refusing-crontab");
  await Deno.writeTextFile(
    bin,
    `#!/bin/sh\ncase "$1" in\n  -l) cat "$FAKE_CRONTAB_FILE" ;;\n  -) exec 0<&-; echo "crontab: refused" >&2; exit 1 ;;\nesac\n`,
    { mode: 0o755 },
  );
  const run = await runTool("setup-cron", ["--config", box.config, "--skip-preflight"], {
    env: { ...env, DCE_CRONTAB_BIN: bin },
  });
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stderr,
    /^ERROR: '.*refusing-crontab -' refused the new crontab \(exit 1\): crontab: refused\. The old crontab is still in place\.$/m,
  );
  assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  assert.equal(await Deno.readTextFile(file), big);
});
