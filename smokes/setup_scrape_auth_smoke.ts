// setup-scrape-auth as the bash suite had it: scrape.env (mode 600) from DISCORD_TOKEN/DISCORD_TOKEN_FILE,
// an existing file left alone unless --force, the token never printed.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool, tempDir } from "./_harness.ts";

const TOKEN = "mfa.SetupAuthCanary-41d2";

Deno.test("setup-scrape-auth: needs a token, writes mode 600, keeps an existing file, --force", async () => {
  await using dir = await tempDir("dce-setup-auth-");
  const envFile = join(dir.path, "scrape.env");

  const none = await runTool("setup-scrape-auth", ["--env-file", envFile]);
  assert.equal(none.code, 1);
  assert.equal(
    none.stderr.trim(),
    "ERROR: Set DISCORD_TOKEN or DISCORD_TOKEN_FILE in the environment, then rerun this script.",
  );
  assert.equal(await Deno.lstat(envFile).catch(() => null), null, "nothing written");

  // A relative --env-file starts at the current folder; the default umask would give 644.
  const made = await runTool("setup-scrape-auth", ["--env-file", "scrape.env"], {
    cwd: dir.path,
    env: { DISCORD_TOKEN: TOKEN },
  });
  assert.equal(made.code, 0, made.stderr);
  assert.equal(
    made.stdout.trim(),
    `Created ${envFile} (mode 600) with DISCORD_TOKEN from the environment.`,
  );
  assert.ok(!`${made.stdout}${made.stderr}`.includes(TOKEN), "the token is never printed");
  assert.equal((await Deno.stat(envFile)).mode! & 0o777, 0o600);
  const text = await Deno.readTextFile(envFile);
  assert.match(text, new RegExp(`^DISCORD_TOKEN=${TOKEN}$`, "m"));
  assert.match(text, /^DISCORD_TOKEN_FILE=$/m, "the example's other lines are kept");

  const again = await runTool("setup-scrape-auth", ["--env-file", envFile], {
    env: { DISCORD_TOKEN: "other" },
  });
  assert.equal(again.code, 0);
  assert.equal(
    again.stdout.trim(),
    `scrape.env already exists at ${envFile} (use --force to overwrite).`,
  );
  assert.equal(await Deno.readTextFile(envFile), text, "left alone");

  const forced = await runTool("setup-scrape-auth", ["--env-file", envFile, "--force"], {
    cwd: dir.path,
    env: { DISCORD_TOKEN_FILE: "token.txt", DCE_ENV_FILE: join(dir.path, "ignored.env") },
  });
  assert.equal(forced.code, 0, forced.stderr);
  const replaced = await Deno.readTextFile(envFile);
  assert.match(replaced, new RegExp(`^DISCORD_TOKEN_FILE=${join(dir.path, "token.txt")}$`, "m"));
  assert.match(replaced, /^DISCORD_TOKEN=$/m);
  assert.equal((await Deno.stat(envFile)).mode! & 0o777, 0o600);
});

Deno.test("setup-scrape-auth: DCE_ENV_FILE names the file when --env-file is absent", async () => {
  await using dir = await tempDir("dce-setup-auth-");
  const envFile = join(dir.path, "via-env.env");
  const run = await runTool("setup-scrape-auth", [], {
    env: { DISCORD_TOKEN: TOKEN, DCE_ENV_FILE: envFile },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal((await Deno.stat(envFile)).mode! & 0o777, 0o600);
});
