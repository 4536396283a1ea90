// The unit text builder: quoting read back by a model of systemd's rules, specifiers, the schedule
// mapping, and the header that tells our files from others.
import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError, UserError } from "../lib/cli/errors.ts";
import { environmentAssignment, execLine, execWord, unitValue } from "../lib/ops/systemd_quote.ts";
import {
  checkRandomizedDelay,
  chooseOnCalendar,
  onCalendarFor,
  onCalendarOf,
} from "../lib/ops/systemd_schedule.ts";
import { buildUnits, checkoutOf, UNIT_HEADER } from "../lib/ops/systemd_units.ts";
import { environment, execArgv, parseUnit, setting } from "../smokes/fakes/systemd_unit_parse.ts";

const NASTY = [
  "/opt/dce ops/dce",
  "50%",
  "%h",
  "$HOME",
  "${HOME}",
  "a$$b",
  'say "hi"',
  "back\\slash",
  ";",
  "it's",
  "tab\there",
  "",
];

Deno.test("execWord: every word reads back unchanged under systemd's rules", () => {
  for (const word of NASTY) {
    assert.deepEqual(execArgv(`/bin/x ${execWord(word)}`), ["/bin/x", word], word);
    // In the program path `$` is literal (no substitution there); systemd-analyze below agrees.
    assert.deepEqual(execArgv(execLine([`/opt/${word}`, word])), [`/opt/${word}`, word], word);
  }
  assert.equal(execWord("/plain/path-1.json"), "/plain/path-1.json", "plain words stay bare");
  assert.equal(execWord("50%"), '"50%%"');
  assert.equal(execWord("$HOME"), '"$$HOME"');
  assert.equal(execWord(";"), '";"', "a lone ; would split the command");
  assert.equal(execWord('a"b\\c'), '"a\\"b\\\\c"');
});

Deno.test("execLine: an absolute program; line breaks and a trailing backslash are refused", () => {
  assert.equal(
    execLine(["/opt/dce ops/dce", "run", "--config", "/c 100%.json"]),
    '"/opt/dce ops/dce" run --config "/c 100%%.json"',
  );
  assert.throws(() => execLine(["dce", "run"]), /absolute program path/);
  assert.throws(
    () => execWord("two\nlines"),
    (e: unknown) => e instanceof UserError && /line break/.test(e.message),
  );
  assert.throws(() => execWord("ends\\"), /ends in a backslash/);
});

Deno.test("environmentAssignment and unitValue: quotes where needed, %% always", () => {
  for (const value of NASTY) {
    assert.deepEqual(environment([environmentAssignment("V", value)]), { V: value }, value);
  }
  assert.equal(environmentAssignment("NO_COLOR", "1"), "NO_COLOR=1");
  assert.equal(environmentAssignment("DCE_ENV_FILE", "/a b/%.env"), '"DCE_ENV_FILE=/a b/%%.env"');
  assert.equal(unitValue("/srv/100% dce", "x"), "/srv/100%% dce");
  assert.throws(() => unitValue(" /lead", "the checkout path"), /strips its leading and trailing/);
  assert.throws(() => unitValue("a\rb", "x"), /line break/);
});

Deno.test("schedules: setup-cron's --interval/--at as OnCalendar=, --on-calendar as given, a kept one", () => {
  assert.equal(onCalendarFor("monthly", undefined), "*-*-01 04:00:00");
  assert.equal(onCalendarFor("weekly", "3:15"), "Sun *-*-* 03:15:00");
  assert.equal(onCalendarFor("daily", "23:05"), "*-*-* 23:05:00");
  assert.throws(() => onCalendarFor("hourly", undefined), UsageError);
  assert.throws(() => onCalendarFor("daily", "24:00"), /Invalid --at/);
  assert.equal(chooseOnCalendar({ onCalendar: " Mon..Fri 02:30 " }, "kept"), "Mon..Fri 02:30");
  assert.equal(chooseOnCalendar({}, "Sat 01:00"), "Sat 01:00");
  assert.equal(chooseOnCalendar({ at: "05:00" }, "Sat 01:00"), "*-*-01 05:00:00");
  assert.equal(chooseOnCalendar({}, undefined), "*-*-01 04:00:00");
  assert.throws(() => chooseOnCalendar({ cron: "0 4 * * *" }, undefined), /not --cron/);
  assert.throws(() => chooseOnCalendar({ onCalendar: "x", at: "01:00" }, undefined), /not both/);
  assert.throws(() => chooseOnCalendar({ onCalendar: "a%b" }, undefined), /Invalid --on-calendar/);
  assert.equal(onCalendarOf("[Timer]\nOnCalendar = Sun 03:00\nOnCalendar=later\n"), "Sun 03:00");
  assert.equal(onCalendarOf("[Timer]\n"), undefined);
  assert.equal(checkRandomizedDelay("30min"), "30min");
  assert.throws(() => checkRandomizedDelay("1 h"), /Invalid --randomized-delay/);
});

Deno.test("buildUnits: a checkout and config with spaces and % read back exactly", () => {
  const root = "/srv/dce ops 100%";
  const config = "/srv/cfg/$weird 50%.json";
  const [service, failure, timer] = buildUnits({
    name: "dce-scrape",
    repoRoot: root,
    configPath: config,
    env: { NO_COLOR: "1", DCE_ENV_FILE: `${root}/scrape.env` },
    argv: [`${root}/dce`, "run-documents-scrape", "--config", config],
    onCalendar: "*-*-01 04:00:00",
    randomizedDelay: "10min",
    runAs: "scraper",
  });
  assert.deepEqual([service!.file, failure!.file, timer!.file], [
    "dce-scrape.service",
    "dce-scrape-failure.service",
    "dce-scrape.timer",
  ]);
  const s = parseUnit(service!.text);
  assert.deepEqual(execArgv(setting(s, "Service", "ExecStart")[0]!), [
    `${root}/dce`,
    "run-documents-scrape",
    "--config",
    config,
  ]);
  assert.deepEqual(setting(s, "Service", "WorkingDirectory"), ["/srv/dce ops 100%%"]);
  assert.deepEqual(setting(s, "Service", "User"), ["scraper"]);
  assert.deepEqual(environment(setting(s, "Service", "Environment")), {
    NO_COLOR: "1",
    DCE_ENV_FILE: `${root}/scrape.env`,
    DCE_FAILURE_HOOK: "none",
  });
  assert.deepEqual(setting(s, "Service", "SuccessExitStatus"), ["75"]);
  assert.deepEqual(setting(s, "Unit", "OnFailure"), ["dce-scrape-failure.service"]);
  assert.deepEqual(setting(s, "Unit", "Description"), [
    "dce-ops documents scrape (/srv/cfg/$weird 50%%.json)",
  ]);
  const f = parseUnit(failure!.text);
  assert.deepEqual(execArgv(setting(f, "Service", "ExecStart")[0]!), [
    `${root}/dce`,
    "run-failure-hook",
    "--config",
    config,
  ]);
  assert.equal(environment(setting(f, "Service", "Environment")).DCE_FAILURE_HOOK, undefined);
  const t = parseUnit(timer!.text);
  assert.deepEqual(setting(t, "Timer", "Persistent"), ["true"]);
  assert.deepEqual(setting(t, "Timer", "RandomizedDelaySec"), ["10min"]);
  assert.deepEqual(setting(t, "Install", "WantedBy"), ["timers.target"]);
  for (const unit of [service!, failure!, timer!]) {
    assert.ok(unit.text.startsWith(`${UNIT_HEADER}\n`));
    assert.equal(checkoutOf(unit.text), root);
  }
  assert.equal(checkoutOf("[Unit]\nDescription=mine\n"), undefined);
  assert.throws(
    () =>
      buildUnits({
        ...{
          name: "x",
          repoRoot: "/a\nb",
          configPath: "/c",
          env: {},
          argv: ["/a"],
          onCalendar: "daily",
        },
      }),
    /line break/,
  );
});

/** systemd's own reader, where this machine has it: `systemd-analyze verify` loads the units offline. */
function systemdAnalyze(): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      if (Deno.statSync(join(dir, "systemd-analyze")).isFile) return join(dir, "systemd-analyze");
    } catch { /* not here */ }
  }
  return undefined;
}

Deno.test("buildUnits: systemd-analyze verify accepts the units of a checkout named with spaces, % and $", async (t) => {
  const analyze = systemdAnalyze();
  if (analyze === undefined) {
    console.log("systemd-analyze is not installed here; only the model above checked the quoting");
    return;
  }
  const dir = await Deno.makeTempDir({ prefix: "dce-systemd-verify-" });
  try {
    const root = join(dir, "dce ops 100% $HOME");
    await Deno.mkdir(root);
    await Deno.writeTextFile(join(root, "dce"), "#!/bin/sh\n", { mode: 0o755 });
    const config = join(root, "cfg;50%.json");
    const units = buildUnits({
      name: "dce-scrape",
      repoRoot: root,
      configPath: config,
      env: { NO_COLOR: "1", DCE_ENV_FILE: join(root, "scrape.env") },
      argv: [join(root, "dce"), "run-documents-scrape", "--config", config, ";"],
      onCalendar: "Sun *-*-* 03:15:00",
      randomizedDelay: "30min",
    });
    for (const unit of units) await Deno.writeTextFile(join(dir, unit.file), unit.text);
    await t.step("verify", async () => {
      const out = await new Deno.Command(analyze, {
        args: ["verify", "--man=no", ...units.map((u) => join(dir, u.file))],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const said = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, said);
      assert.equal(said, "", "no warning about any setting");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
