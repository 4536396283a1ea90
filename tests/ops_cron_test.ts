import assert from "node:assert/strict";
import { UsageError, UserError } from "../lib/cli/errors.ts";
import { scheduleFor, validateCronExpression } from "../lib/ops/cron_expression.ts";
import { installBlock, readBlock, removeBlock } from "../lib/ops/crontab_block.ts";
import { cronCommand, escapeCronPercent, shellQuote } from "../lib/ops/cron_line.ts";
import { scheduledRunArgv } from "../lib/ops/scheduled_run.ts";

Deno.test("validateCronExpression() accepts fields, names, ranges, lists, steps and macros", () => {
  for (
    const [expr, normal] of [
      ["0 4 1 * *", "0 4 1 * *"],
      ["  */15   0-23/2 1,15 jan-mar,DEC mon-fri ", "*/15 0-23/2 1,15 jan-mar,DEC mon-fri"],
      ["59 23 31 12 7", "59 23 31 12 7"],
      ["0 0 * * sun", "0 0 * * sun"],
      ["5-10,20 * * * 0", "5-10,20 * * * 0"],
      ["@monthly", "@monthly"],
      ["@DAILY", "@daily"],
    ]
  ) assert.equal(validateCronExpression(expr!), normal);
});

Deno.test("validateCronExpression() rejects bad expressions with a UsageError naming the problem", () => {
  const cases: [string, RegExp][] = [
    ["", /expected 5 fields.*got 0/],
    ["* * * *", /expected 5 fields.*got 4/],
    ["* * * * * *", /got 6/],
    ["60 * * * *", /minute 60 is outside 0-59/],
    ["* 24 * * *", /hour 24 is outside 0-23/],
    ["* * 0 * *", /day of month 0 is outside 1-31/],
    ["* * * 13 *", /month 13 is outside 1-12/],
    ["* * * * 8", /day of week 8 is outside 0-7/],
    ["* * * foo *", /'foo' is not a valid month value/],
    ["* * * * mon-sun-tue", /not a valid day of week range/],
    ["10-5 * * * *", /runs backwards/],
    ["*/0 * * * *", /step '0' in minute must be 1-60/],
    ["*/x * * * *", /step 'x'/],
    ["5/10 * * * *", /write '5-59\/10'/],
    ["1,,2 * * * *", /not a valid minute item/],
    ["* * * * 1/2/3", /not a valid day of week item/],
    ["@reboot", /unknown macro/],
    ["0 4 1 * * %", /'%' are not allowed|got 6/],
    ["0 4 1 * *\nrm -rf /", /newlines/],
  ];
  for (const [expr, pattern] of cases) {
    assert.throws(
      () => validateCronExpression(expr),
      (err: unknown) =>
        err instanceof UsageError && err.exitCode === 2 && pattern.test(err.message),
      `expected ${pattern} for ${JSON.stringify(expr)}`,
    );
  }
});

Deno.test("scheduleFor() maps --interval/--at and rejects bad values", () => {
  assert.equal(scheduleFor("monthly", "04:00"), "0 04 1 * *");
  assert.equal(scheduleFor("weekly", "23:59"), "59 23 * * 0");
  assert.equal(scheduleFor("daily", "7:05"), "5 7 * * *");
  assert.equal(scheduleFor("weekly", "03:15"), "15 03 * * 0", "the hour as typed");
  assert.equal(scheduleFor("monthly", undefined), "0 4 1 * *");
  assert.throws(() => scheduleFor("hourly", "04:00"), /Invalid --interval 'hourly'/);
  for (const at of ["24:00", "12:60", "noon", "4", "04:00:00"]) {
    assert.throws(() => scheduleFor("daily", at), /Invalid --at/);
  }
});

const FIXTURE = [
  "MAILTO=ops@example.org",
  "# m h dom mon dow command",
  "*/5 * * * * /usr/local/bin/backup --quiet",
  "",
  "# BEGIN other-job",
  "0 1 * * * /bin/other",
  "# END other-job",
  "30 2 * * 1 echo 'unrelated % line'",
].join("\n") + "\n";

Deno.test("installBlock() appends once, replaces in place, and never touches other lines", () => {
  const first = installBlock(FIXTURE, "discord-scrape", ["0 4 1 * * run v1"]);
  assert.ok(first.startsWith(FIXTURE), "existing lines kept byte for byte, in order");
  assert.equal(
    first.slice(FIXTURE.length),
    "# BEGIN discord-scrape\n0 4 1 * * run v1\n# END discord-scrape\n",
  );
  // Idempotent: the same body gives the same text.
  assert.equal(installBlock(first, "discord-scrape", ["0 4 1 * * run v1"]), first);
  // A changed body replaces the block where it stands.
  const withTrailer = first + "15 3 * * * /bin/after\n";
  const second = installBlock(withTrailer, "discord-scrape", ["0 5 * * 0 run v2"]);
  assert.equal(second, withTrailer.replace("0 4 1 * * run v1", "0 5 * * 0 run v2"));
  assert.deepEqual(readBlock(second, "discord-scrape"), ["0 5 * * 0 run v2"]);
  // The other job's block is a different job.
  assert.deepEqual(readBlock(second, "other-job"), ["0 1 * * * /bin/other"]);
});

Deno.test("installBlock() on an empty crontab and on text without a final newline", () => {
  assert.equal(installBlock("", "j", ["x"]), "# BEGIN j\nx\n# END j\n");
  assert.equal(installBlock("a", "j", ["x"]), "a\n# BEGIN j\nx\n# END j\n");
});

Deno.test("removeBlock() removes only the job's block(s) and reports how many", () => {
  const installed = installBlock(FIXTURE, "discord-scrape", ["0 4 1 * * run"]);
  const removed = removeBlock(installed, "discord-scrape");
  assert.equal(removed.removed, 1);
  assert.equal(removed.text, FIXTURE);
  assert.deepEqual(removeBlock(FIXTURE, "discord-scrape"), { text: FIXTURE, removed: 0 });
  // Duplicate blocks (hand edits) are all removed; install keeps only the first position.
  const twice = `${installed}# BEGIN discord-scrape\nold\n# END discord-scrape\n`;
  assert.equal(removeBlock(twice, "discord-scrape").removed, 2);
  assert.equal(installBlock(twice, "discord-scrape", ["0 4 1 * * run"]), installed);
});

Deno.test("crontab block editing refuses broken markers and bad job names instead of guessing", () => {
  assert.throws(
    () => removeBlock("# BEGIN j\nx\n", "j"),
    (e: unknown) => e instanceof UserError && /no '# END j'/.test(e.message),
  );
  assert.throws(() => installBlock("x\n# END j\n", "j", ["y"]), /without a '# BEGIN j' before it/);
  assert.throws(() => removeBlock("# BEGIN j\n# BEGIN j\n# END j\n", "j"), /twice/);
  assert.throws(() => installBlock("", "bad name", ["y"]), /Invalid job name/);
  assert.throws(() => installBlock("", "j", ["# END j"]), /would break the block/);
  // A prefix of another job's name is not that job.
  assert.equal(removeBlock("# BEGIN jj\nx\n# END jj\n", "j").removed, 0);
});

Deno.test("cronCommand() uses the absolute ./dce, quotes for sh, escapes % and adds no flock", () => {
  const request = {
    repoRoot: "/opt/dce ops",
    configPath: "/srv/cfg's.json",
    targets: ["demo"],
    guilds: [],
    channels: ["111"],
    salvageBeforeScrape: true,
    env: {},
  };
  const env = { DCE_COMPOSE_TTY: "0", DCE_LOG_DIR: "/var/log/dce-%Y" };
  const line = cronCommand({ root: "/opt/dce ops", env, argv: scheduledRunArgv(request) });
  assert.equal(
    line,
    "cd '/opt/dce ops' && DCE_COMPOSE_TTY=0 DCE_LOG_DIR='/var/log/dce-\\%Y' " +
      "'/opt/dce ops/dce' run-documents-scrape --quiet --conflict-exit-code 75 " +
      "--config '/srv/cfg'\\''s.json' --target demo --channel 111 --salvage-before-scrape",
  );
  assert.ok(!line.includes("--log-file"), "each run makes its own log in DCE_LOG_DIR");
  assert.match(
    cronCommand({
      root: "/opt/dce ops",
      env,
      argv: scheduledRunArgv({ ...request, logFile: "/var/log/dce.log" }),
    }),
    / --config '\/srv\/cfg'\\''s\.json' --log-file \/var\/log\/dce\.log --target demo /,
  );
  assert.ok(!line.includes("flock"));
  assert.equal(shellQuote("plain/path-1.json"), "plain/path-1.json");
  assert.equal(shellQuote("$(touch x)"), "'$(touch x)'");
  assert.equal(escapeCronPercent("a%b%"), "a\\%b\\%");
});
