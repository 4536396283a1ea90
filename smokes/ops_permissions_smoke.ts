// Permissions up front, as a second unprivileged user (nobody): readiness and the start of a scrape
// report an unwritable archive root before any export; secret files readable by others get a warning.
import assert from "node:assert/strict";
import { join } from "node:path";
import { decodedRun, runTool, toolArgs } from "./_harness.ts";
import { sandbox } from "./ops/sandbox.ts";

async function asNobody(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command("setpriv", {
    args: ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", Deno.execPath(), ...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return decodedRun(out);
}

/** The sandbox as root made it (archive root 0755, root-owned), readable and traversable by nobody. */
async function sharedSandbox() {
  const box = await sandbox();
  await Deno.chmod(box.dir, 0o755);
  const home = join(box.dir, "nobody-home");
  await Deno.mkdir(home, { mode: 0o777 });
  await Deno.chmod(home, 0o777);
  // The fake CLI records each call here, so a run that reached the exporter would show.
  const calls = join(home, "calls.log");
  const env = {
    ...box.env,
    HOME: home,
    DENO_DIR: join(home, "deno"),
    DCE_LOG_DIR: join(home, "logs"),
    FAKE_DCE_LOG: calls,
  };
  return { box, env, calls };
}

Deno.test("readiness as nobody: an unwritable archive root is reported, with the user, before any export", async () => {
  const { box, env, calls } = await sharedSandbox();
  await using _ = box;
  const run = await asNobody(toolArgs("verify-operator-ready", ["--config", box.config]), env);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(
    run.stderr,
    new RegExp(
      `^ERROR: archive_root ${box.archiveRoot} is not writable by this user \\(uid \\d+\\) \\(permission denied\\)`,
      "m",
    ),
  );
  assert.doesNotMatch(run.stdout, /^Operator ready/m);

  const scrape = await asNobody(
    toolArgs("run-scrape-host", ["scrape", "--exporter", "cli", "--config", box.config]),
    env,
  );
  assert.equal(scrape.code, 1, scrape.stderr);
  assert.match(scrape.stderr, /^ERROR: archive_root .* is not writable by this user/m);
  assert.doesNotMatch(scrape.stderr, /Cannot open lock guard/);
  assert.equal(await Deno.readTextFile(calls).catch(() => ""), "", "the exporter never ran");

  // The same run as the owner passes the check.
  const owner = await runTool("verify-operator-ready", ["--config", box.config], { env: box.env });
  assert.equal(owner.code, 0, owner.stderr);
  assert.match(owner.stdout, /^write access: archive root, lock files and log folder/m);
});

Deno.test("a lock file left by another user is named before the scrape starts", async () => {
  const { box, env } = await sharedSandbox();
  await using _ = box;
  await Deno.chmod(box.archiveRoot, 0o777);
  await Deno.writeTextFile(box.lock, "");
  await Deno.chmod(box.lock, 0o644);
  const run = await asNobody(toolArgs("verify-operator-ready", ["--config", box.config]), env);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /^ERROR: Lock file .*\.dce-scrape\.lock is not writable by this user/m);
  assert.doesNotMatch(run.stderr, /archive_root .* is not writable/);
});

Deno.test("env and token files readable by others: a warning naming chmod 600", async () => {
  await using box = await sandbox();
  const envFile = box.env.DCE_ENV_FILE!;
  const tokenFile = join(box.dir, "token");
  await Deno.writeTextFile(envFile, `DISCORD_TOKEN_FILE=${tokenFile}\n`);
  await Deno.writeTextFile(tokenFile, "simulated-token\n");
  await Deno.chmod(envFile, 0o644);
  await Deno.chmod(tokenFile, 0o640);
  const env = { ...box.env, DISCORD_TOKEN: "" };
  const run = await runTool("verify-operator-ready", ["--config", box.config], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stderr,
    new RegExp(`^WARN: ${envFile} .*\\(mode 644\\); run: chmod 600 ${envFile}$`, "m"),
  );
  assert.match(
    run.stderr,
    new RegExp(`^WARN: ${tokenFile} .*\\(mode 640\\); run: chmod 600 ${tokenFile}$`, "m"),
  );

  await Deno.chmod(envFile, 0o600);
  await Deno.chmod(tokenFile, 0o600);
  const quiet = await runTool("verify-operator-ready", ["--config", box.config], { env });
  assert.doesNotMatch(quiet.stderr, /chmod 600/);
});
