// setup-systemd against a fake systemctl (DCE_SYSTEMCTL_BIN) and a unit folder in a sandbox
// (DCE_SYSTEMD_UNIT_DIR): the units as systemd would read them, the systemctl calls, idempotence,
// dry run, show, remove, foreign files refused, and the service's command run as systemd would.
import assert from "node:assert/strict";
import { join } from "node:path";
import { FAKES, ROOT, runTool } from "./_harness.ts";
import { environment, execArgv, parseUnit, setting } from "./fakes/systemd_unit_parse.ts";
import { DEMO, sandbox } from "./ops/sandbox.ts";

async function systemdBox() {
  const box = await sandbox();
  const units = join(box.dir, "units");
  const calls = join(box.dir, "systemctl.log");
  const crontab = join(box.dir, "crontab");
  // No crontab unless a case writes one: the operator's real crontab is never read.
  await Deno.writeTextFile(
    crontab,
    `#!/bin/sh\n[ -f "$FAKE_CRONTAB_FILE" ] && exec cat "$FAKE_CRONTAB_FILE"\necho "no crontab for tester" >&2; exit 1\n`,
    { mode: 0o755 },
  );
  const env = {
    ...box.env,
    DCE_SYSTEMCTL_BIN: join(FAKES, "systemctl"),
    DCE_SYSTEMD_UNIT_DIR: units,
    DCE_CRONTAB_BIN: crontab,
    FAKE_CRONTAB_FILE: join(box.dir, "crontab.txt"),
    FAKE_SYSTEMCTL_LOG: calls,
    FAKE_SYSTEMCTL_STATE: join(box.dir, "systemctl-state"),
  };
  const callLog = async () => {
    try {
      return (await Deno.readTextFile(calls)).split("\n").filter((l) => l !== "");
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return [];
      throw err;
    }
  };
  const clearCalls = () => Deno.remove(calls).catch(() => {});
  const read = (file: string) => Deno.readTextFile(join(units, file));
  return { box, units, env, callLog, clearCalls, read };
}

async function listing(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
}

Deno.test("setup-systemd installs service, failure service and timer, then is idempotent, shows and removes", async () => {
  const { box, units, env, callLog, clearCalls, read } = await systemdBox();
  await using _ = box;
  const base = ["--config", box.config, "--skip-preflight", "--target", "demo"];

  const first = await runTool("setup-systemd", base, { env });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stderr, "");
  assert.match(first.stdout, /^Installed systemd units 'dce-scrape' in /m);
  assert.deepEqual(await listing(units), [
    "dce-scrape-failure.service",
    "dce-scrape.service",
    "dce-scrape.timer",
  ]);
  assert.deepEqual(await callLog(), [
    "--user daemon-reload",
    "--user enable --now dce-scrape.timer",
  ]);

  const service = parseUnit(await read("dce-scrape.service"));
  assert.deepEqual(setting(service, "Service", "Type"), ["oneshot"]);
  assert.deepEqual(setting(service, "Service", "WorkingDirectory"), [ROOT]);
  assert.deepEqual(setting(service, "Service", "SuccessExitStatus"), ["75"]);
  assert.deepEqual(setting(service, "Unit", "OnFailure"), ["dce-scrape-failure.service"]);
  assert.deepEqual(execArgv(setting(service, "Service", "ExecStart")[0]!), [
    join(ROOT, "dce"),
    "run-documents-scrape",
    "--quiet",
    "--conflict-exit-code",
    "75",
    "--config",
    box.config,
    "--target",
    "demo",
  ]);
  const serviceEnv = environment(setting(service, "Service", "Environment"));
  assert.equal(serviceEnv.NO_COLOR, "1");
  assert.equal(serviceEnv.DCE_COMPOSE_TTY, "0");
  assert.equal(serviceEnv.DCE_ENV_FILE, box.env.DCE_ENV_FILE);
  assert.equal(serviceEnv.DCE_FAILURE_HOOK, "none", "the failure service reports, not the run");
  assert.equal(serviceEnv.DCE_LOG_DIR, box.logs, "one log per run, in the folder retention prunes");
  assert.ok(!(await read("dce-scrape.service")).includes(">"), "no log redirection");

  const failure = parseUnit(await read("dce-scrape-failure.service"));
  assert.deepEqual(setting(failure, "Service", "Type"), ["oneshot"]);
  assert.deepEqual(execArgv(setting(failure, "Service", "ExecStart")[0]!), [
    join(ROOT, "dce"),
    "run-failure-hook",
    "--config",
    box.config,
  ]);
  const failureEnv = environment(setting(failure, "Service", "Environment"));
  assert.equal(failureEnv.DCE_FAILURE_HOOK, undefined, "the hook must run here");
  assert.equal(failureEnv.DCE_ENV_FILE, box.env.DCE_ENV_FILE);

  const timer = parseUnit(await read("dce-scrape.timer"));
  assert.deepEqual(setting(timer, "Timer", "OnCalendar"), ["*-*-01 04:00:00"]);
  assert.deepEqual(setting(timer, "Timer", "Persistent"), ["true"]);
  assert.deepEqual(setting(timer, "Timer", "Unit"), ["dce-scrape.service"]);
  assert.deepEqual(setting(timer, "Install", "WantedBy"), ["timers.target"]);

  const before = await Promise.all(["dce-scrape.service", "dce-scrape.timer"].map(read));
  const mtime = (await Deno.stat(join(units, "dce-scrape.service"))).mtime?.getTime();
  await clearCalls();
  const again = await runTool("setup-systemd", base, { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /already installed and up to date; nothing changed/);
  assert.deepEqual(await callLog(), ["--user is-enabled dce-scrape.timer"], "no daemon-reload");
  assert.deepEqual(await Promise.all(["dce-scrape.service", "dce-scrape.timer"].map(read)), before);
  assert.equal((await Deno.stat(join(units, "dce-scrape.service"))).mtime?.getTime(), mtime);

  const show = await runTool("setup-systemd", ["--show"], { env });
  assert.equal(show.code, 0, show.stderr);
  assert.ok(show.stdout.includes(`# ${join(units, "dce-scrape.timer")}\n`), show.stdout);
  assert.match(show.stdout, /^OnCalendar=\*-\*-01 04:00:00$/m);
  assert.match(
    show.stdout,
    /^\$ systemctl --user list-timers --all --no-pager dce-scrape\.timer$/m,
  );
  assert.match(show.stdout, /dce-scrape\.timer dce-scrape\.service\n\n1 timers listed\./);

  await clearCalls();
  // As setup-cron: selection options next to --remove are accepted and ignored.
  const removed = await runTool("setup-systemd", ["--remove", "--target", "x"], { env });
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /^Removed systemd units 'dce-scrape' from /m);
  assert.deepEqual(await listing(units), []);
  assert.deepEqual(await callLog(), [
    "--user disable --now dce-scrape.timer",
    "--user daemon-reload",
  ]);
  const none = await runTool("setup-systemd", ["--remove"], { env });
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout, /No systemd units 'dce-scrape' in .* to remove; nothing changed/);
});

Deno.test("setup-systemd --dry-run prints the units and the diff and touches nothing", async () => {
  const { box, units, env, callLog, clearCalls, read } = await systemdBox();
  await using _ = box;
  const base = ["--config", box.config, "--skip-preflight"];
  const fresh = await runTool("setup-systemd", [...base, "--dry-run", "--interval", "daily"], {
    env,
  });
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.match(fresh.stdout, /^OnCalendar=\*-\*-\* 04:00:00$/m);
  assert.match(fresh.stdout, /^\+\+\+ dce-scrape\.timer after$/m);
  assert.deepEqual(await listing(units), []);
  assert.deepEqual(await callLog(), [], "a dry run calls no systemctl");

  const install = await runTool(
    "setup-systemd",
    [...base, "--interval", "weekly", "--at", "3:15"],
    {
      env,
    },
  );
  assert.equal(install.code, 0, install.stderr);
  const timer = await read("dce-scrape.timer");
  assert.match(timer, /^OnCalendar=Sun \*-\*-\* 03:15:00$/m);
  await clearCalls();
  const dry = await runTool("setup-systemd", [
    ...base,
    "--dry-run",
    "--on-calendar",
    "Mon..Fri 02:30",
  ], {
    env,
  });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^-OnCalendar=Sun \*-\*-\* 03:15:00\n\+OnCalendar=Mon\.\.Fri 02:30$/m);
  assert.match(dry.stdout, /\(dce-scrape\.service is already installed exactly so\)/);
  assert.equal(await read("dce-scrape.timer"), timer);
  assert.deepEqual(await callLog(), []);
  const dryRemove = await runTool("setup-systemd", ["--remove", "--dry-run"], { env });
  assert.equal(dryRemove.code, 0, dryRemove.stderr);
  assert.match(dryRemove.stdout, /would run 'systemctl --user disable --now dce-scrape\.timer'/);
  assert.equal((await listing(units)).length, 3);
  assert.deepEqual(await callLog(), []);

  // Without a schedule option a reinstall keeps the timer's schedule (as setup-cron keeps a block's).
  const kept = await runTool("setup-systemd", [...base, "--target", "demo"], { env });
  assert.equal(kept.code, 0, kept.stderr);
  assert.match(kept.stdout, /^Updated systemd units 'dce-scrape'.*\n {2}dce-scrape\.service\n/m);
  assert.equal(await read("dce-scrape.timer"), timer);
});

Deno.test("setup-systemd refuses unit files it did not write, and another checkout's, with one line", async () => {
  const { box, units, env, callLog, read } = await systemdBox();
  await using _ = box;
  await Deno.mkdir(units, { recursive: true });
  const foreign = "[Unit]\nDescription=the operator's own\n[Service]\nExecStart=/bin/true\n";
  await Deno.writeTextFile(join(units, "dce-scrape.timer"), foreign);
  const base = ["--config", box.config, "--skip-preflight"];
  for (const args of [base, ["--remove"]]) {
    const run = await runTool("setup-systemd", args, { env });
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /^ERROR: Refusing to overwrite '.*dce-scrape\.timer': setup-systemd did not write it .*--unit NAME/,
    );
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  }
  assert.deepEqual(await listing(units), ["dce-scrape.timer"], "nothing written next to it");
  assert.equal(await read("dce-scrape.timer"), foreign);
  assert.deepEqual(await callLog(), []);

  // Another name installs beside it; a second checkout may not take that one over.
  const other = await runTool("setup-systemd", [...base, "--unit", "dce-b"], { env });
  assert.equal(other.code, 0, other.stderr);
  const theirs = (await read("dce-b.service")).replace(
    `# checkout: ${ROOT}\n`,
    "# checkout: /elsewhere\n",
  );
  await Deno.writeTextFile(join(units, "dce-b.service"), theirs);
  const takeover = await runTool("setup-systemd", [...base, "--unit", "dce-b"], { env });
  assert.equal(takeover.code, 1);
  assert.match(takeover.stderr, /belongs to the checkout '\/elsewhere'; refusing to take it over/);
  assert.equal(await read("dce-b.service"), theirs);
});

Deno.test("setup-systemd: usage errors exit 2 with one line; a failing systemctl is one ERROR line", async () => {
  const { box, units, env, callLog, clearCalls } = await systemdBox();
  await using _ = box;
  const cases: [string[], RegExp][] = [
    [["--cron", "0 4 * * *"], /takes --on-calendar EXPR .* not --cron/],
    [["--on-calendar", "daily", "--interval", "daily"], /either --on-calendar EXPR or --interval/],
    [["--on-calendar", "50%"], /Invalid --on-calendar '50%'/],
    [["--interval", "hourly"], /Invalid --interval 'hourly'/],
    [["--at", "25:00"], /Invalid --at '25:00'/],
    [["--randomized-delay", "soon"], /Invalid --randomized-delay 'soon'/],
    [["--unit", "bad name"], /Invalid --unit 'bad name'/],
    [["--run-as", "scraper"], /--run-as sets User= in a system unit; add --system/],
    [["--show", "--remove"], /either --show or --remove/],
  ];
  for (const [args, pattern] of cases) {
    const run = await runTool("setup-systemd", [
      "--config",
      box.config,
      "--skip-preflight",
      ...args,
    ], {
      env,
    });
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  }
  assert.deepEqual(await listing(units), []);

  const refused = await runTool("setup-systemd", ["--config", box.config, "--skip-preflight"], {
    env: { ...env, FAKE_SYSTEMCTL_FAIL: "daemon-reload" },
  });
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /^ERROR: 'systemctl --user daemon-reload' failed \(exit 1\): Failed to daemon-reload: Access denied \(fake\)\. The unit files are written; fix that and run setup-systemd again/,
  );
  assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
  // Run again once systemd answers: the files are already right, yet they are loaded and enabled.
  await clearCalls();
  const retry = await runTool("setup-systemd", ["--config", box.config, "--skip-preflight"], {
    env,
  });
  assert.equal(retry.code, 0, retry.stderr);
  assert.match(retry.stdout, /the timer was not enabled and now is/);
  assert.deepEqual(await callLog(), [
    "--user is-enabled dce-scrape.timer",
    "--user daemon-reload",
    "--user enable --now dce-scrape.timer",
  ]);
  const preflight = await runTool("setup-systemd", ["--config", box.config, "--unit", "other"], {
    env: { ...env, FAKE_DCE_REJECT_TOKEN: "1" },
  });
  assert.notEqual(preflight.code, 0);
  assert.match(preflight.stdout, /Running host preflight/);
  assert.match(preflight.stderr, /Preflight failed .*; no unit file was written\. Fix it/);
  assert.deepEqual((await listing(units)).filter((f) => f.startsWith("other")), []);
  const missing = await runTool("setup-systemd", ["--show"], {
    env: { ...env, DCE_SYSTEMCTL_BIN: join(box.dir, "no-systemctl") },
  });
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /^ERROR: Cannot run systemctl '.*no-systemctl': not found\. .*setup-cron/,
  );
});

Deno.test("setup-systemd warns when the crontab still runs the same config's scrape", async () => {
  const { box, env } = await systemdBox();
  await using _ = box;
  const line = `0 4 1 * * cd ${ROOT} && ${
    join(ROOT, "dce")
  } run-documents-scrape --quiet --conflict-exit-code 75 --config ${box.config} --log-file /x.log`;
  await Deno.writeTextFile(
    env.FAKE_CRONTAB_FILE,
    `# BEGIN discord-scrape\n${line}\n# END discord-scrape\n`,
  );
  const run = await runTool("setup-systemd", [
    "--config",
    box.config,
    "--skip-preflight",
    "--dry-run",
  ], {
    env,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(
    run.stderr,
    `WARNING: your crontab also runs this config's scrape; remove it with './dce setup-cron --remove' (and --job NAME if it is not the default) so only one scheduler runs it: ${line}\n`,
  );
  // A line for another config whose name starts like this one's is another scrape: no warning.
  await Deno.writeTextFile(
    env.FAKE_CRONTAB_FILE,
    `${line.replace(box.config, `${box.config}.old`)}\n`,
  );
  const otherConfig = await runTool("setup-systemd", [
    "--config",
    box.config,
    "--skip-preflight",
    "--dry-run",
  ], { env });
  assert.equal(otherConfig.code, 0, otherConfig.stderr);
  assert.doesNotMatch(otherConfig.stderr, /WARNING/);
});

Deno.test("the service's ExecStart, run as systemd would (its Environment only, in WorkingDirectory), scrapes quietly", async () => {
  const { box, env, read } = await systemdBox();
  await using _ = box;
  const log = join(box.dir, "systemd", "scrape.log");
  const install = await runTool("setup-systemd", [
    "--config",
    box.config,
    "--skip-preflight",
    "--log-file",
    log,
  ], { env });
  assert.equal(install.code, 0, install.stderr);
  const service = parseUnit(await read("dce-scrape.service"));
  const argv = execArgv(setting(service, "Service", "ExecStart")[0]!);
  const out = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    cwd: setting(service, "Service", "WorkingDirectory")[0]!,
    clearEnv: true,
    env: {
      PATH: "/usr/bin:/bin",
      HOME: join(box.dir, "home"),
      FAKE_DCE_WORLD: box.world,
      DISCORD_TOKEN: "simulated-token",
      ...environment(setting(service, "Service", "Environment")),
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.equal(new TextDecoder().decode(out.stdout), "");
  assert.equal(stderr, "", "quiet: a good run leaves the journal empty");
  assert.match(await Deno.readTextFile(log), /Documents scrape finished successfully/);
  const archive = JSON.parse(await Deno.readTextFile(box.archivePath(DEMO)));
  assert.equal(archive.messages.length, DEMO.count);
});
