// ./dce checks its install from the stamp setup wrote, without starting Deno; a changed binary (or a
// broken stamp) is verified again with `deno --version`. A fake binary logs how it was called.
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, tempDir } from "./_harness.ts";

const ARCH = Deno.build.arch === "aarch64" ? "arm64" : "x64";

Deno.test("./dce starts Deno once per call once setup stamped it; a changed binary is verified again", async () => {
  await using dir = await tempDir("dce-launcher-");
  const repo = dir.path;
  const bin = join(repo, ".tools", "deno", "node_modules", "@deno", `linux-${ARCH}-glibc`, "deno");
  const calls = join(repo, "calls.log");
  await Deno.mkdir(join(bin, ".."), { recursive: true });
  await Deno.mkdir(join(repo, "scripts"));
  await Deno.writeTextFile(join(repo, "scripts", "hello.ts"), "");
  await Deno.copyFile(join(ROOT, "dce"), join(repo, "dce"));
  await Deno.chmod(join(repo, "dce"), 0o755);
  const version = /^DENO_VERSION=(.*)$/m.exec(await Deno.readTextFile(join(ROOT, "dce")))![1];
  await Deno.writeTextFile(
    bin,
    `#!/bin/sh\necho "$1" >> '${calls}'\n[ "$1" = --version ] && echo "deno ${version} (fake)"\nexit 0\n`,
  );
  await Deno.chmod(bin, 0o755);
  const dce = async () => {
    const out = await new Deno.Command(join(repo, "dce"), { args: ["hello"] }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const log = (await Deno.readTextFile(calls)).trim().split("\n");
    await Deno.remove(calls);
    return log;
  };
  assert.deepEqual(await dce(), ["--version", "run"], "first call verifies and stamps");
  assert.deepEqual(await dce(), ["run"], "then the stamp is enough");
  assert.deepEqual(await dce(), ["run"]);
  await Deno.utime(bin, 1, 1); // the binary changed (reinstalled, replaced)
  assert.deepEqual(await dce(), ["--version", "run"]);
  assert.deepEqual(await dce(), ["run"]);
  await Deno.writeTextFile(join(repo, ".tools", "deno", ".dce-install-stamp"), "garbage\n");
  assert.deepEqual(await dce(), ["--version", "run"]);
});
