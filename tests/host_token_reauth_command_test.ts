// validateReauthCommand(): the path rules of docs/host-runner.md#auth-retry checked up front (docs/bash-suite.md#h22-reauth-only-with-a-tty); runReauthCommand() never throws.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runReauthCommand, validateReauthCommand } from "../lib/host/token_reauth_command.ts";

Deno.test("validateReauthCommand() enforces absolute, existing, executable, inside the repo", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const repo = join(dir, "repo");
    await Deno.mkdir(join(repo, "scripts"), { recursive: true });
    const good = join(repo, "scripts", "reauth.sh");
    await Deno.writeTextFile(good, "#!/bin/sh\necho refreshed\n");
    await Deno.chmod(good, 0o755);
    const plain = join(repo, "scripts", "plain.sh");
    await Deno.writeTextFile(plain, "echo x\n");
    const outside = join(dir, "outside.sh");
    await Deno.writeTextFile(outside, "#!/bin/sh\n");
    await Deno.chmod(outside, 0o755);
    const link = join(repo, "scripts", "link.sh");
    await Deno.symlink(outside, link);

    assert.equal(await validateReauthCommand(undefined, repo), null);
    assert.equal(await validateReauthCommand("", repo), null);
    assert.equal(await validateReauthCommand(good, repo), await Deno.realPath(good));
    await assert.rejects(
      validateReauthCommand("scripts/reauth.sh", repo),
      /must be an absolute path/,
    );
    await assert.rejects(validateReauthCommand(join(repo, "nope"), repo), /does not exist: /);
    await assert.rejects(validateReauthCommand(plain, repo), /is not executable: /);
    await assert.rejects(validateReauthCommand(join(repo, "scripts"), repo), /is not executable/);
    await assert.rejects(validateReauthCommand(outside, repo), /inside the repository root/);
    // Physically resolved: a symlink inside the repo pointing outside is rejected.
    await assert.rejects(validateReauthCommand(link, repo), /inside the repository root/);
    const ok: string[] = [];
    await runReauthCommand(good, {
      env: { PATH: "/usr/bin:/bin" },
      interactive: false,
      log: (l) => ok.push(l),
    });
    assert.deepEqual(ok, ["Auth failed; running DCE_REAUTH_COMMAND...", "refreshed"]);
    const failing = join(repo, "scripts", "fail.sh");
    await Deno.writeTextFile(failing, "#!/bin/sh\nexit 3\n");
    await Deno.chmod(failing, 0o755);
    const lines: string[] = [];
    await runReauthCommand(failing, { env: {}, interactive: false, log: (l) => lines.push(l) });
    assert.match(lines.at(-1) ?? "", /exited 3; retrying/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
