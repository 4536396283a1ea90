// Compose program choice (docs/host-runner.md#settings order), run argv, and the 0600 token env file with its stale sweep.
import assert from "node:assert/strict";
import { join } from "node:path";
import { chooseCompose, type ComposeProbes, composeRunArgv } from "../lib/host/compose_command.ts";
import {
  composeEnvText,
  removeComposeEnvFile,
  sweepStaleEnvFiles,
  writeComposeEnvFile,
} from "../lib/host/compose_env_file.ts";
import { underFileSizeLimit } from "./fixtures/helpers.ts";

function probes(present: string[], podmanWorks = false): ComposeProbes {
  return {
    which: (name) => Promise.resolve(present.includes(name) ? `/bin/${name}` : null),
    podmanWorks: () => Promise.resolve(podmanWorks),
  };
}

Deno.test("chooseCompose() order: DCE_COMPOSE_BIN, podman-compose, docker-compose, docker compose", async () => {
  const all = ["podman-compose", "docker-compose", "docker", "mydocker", "podman"];
  assert.deepEqual(
    await chooseCompose({ DCE_COMPOSE_BIN: "podman compose" }, probes(all)),
    { argv: ["/bin/podman", "compose"], podman: true },
  );
  assert.deepEqual(await chooseCompose({}, probes(all, true)), {
    argv: ["/bin/podman-compose"],
    podman: true,
  });
  assert.deepEqual(await chooseCompose({}, probes(all, false)), {
    argv: ["/bin/docker-compose"],
    podman: false,
  });
  // An explicit DCE_DOCKER_BIN disables the auto-detection.
  assert.deepEqual(await chooseCompose({ DCE_DOCKER_BIN: "mydocker" }, probes(all, true)), {
    argv: ["/bin/mydocker", "compose"],
    podman: false,
  });
  assert.deepEqual(await chooseCompose({}, probes(["docker"])), {
    argv: ["/bin/docker", "compose"],
    podman: false,
  });
  await assert.rejects(chooseCompose({}, probes([])), /Required command 'docker' is missing/);
  await assert.rejects(
    chooseCompose({ DCE_COMPOSE_BIN: "nope-compose" }, probes(all)),
    /Required command 'nope-compose' is missing/,
  );
});

Deno.test("composeRunArgv() adds -T only without a TTY", () => {
  const base = {
    envFile: "/t/e",
    composeFile: "/r/dc.yml",
    subcommand: "scrape",
    args: ["--target", "a"],
  };
  const program = { argv: ["docker", "compose"], podman: false };
  assert.deepEqual(composeRunArgv(program, { ...base, tty: true }), [
    "docker",
    "compose",
    "--env-file",
    "/t/e",
    "-f",
    "/r/dc.yml",
    "run",
    "--rm",
    "discord-scraper",
    "scrape",
    "--target",
    "a",
  ]);
  assert.ok(composeRunArgv(program, { ...base, tty: false }).includes("-T"));
  // The lock the core works under reaches the container through -e, before the service.
  const withLock = composeRunArgv(program, {
    ...base,
    tty: true,
    containerEnv: { DCE_SCRAPE_LOCK_HELD: "/a/.dce-scrape.lock", DCE_SCRAPE_LOCK_TOKEN: "t" },
  });
  assert.deepEqual(withLock.slice(7, 13), [
    "--rm",
    "-e",
    "DCE_SCRAPE_LOCK_HELD=/a/.dce-scrape.lock",
    "-e",
    "DCE_SCRAPE_LOCK_TOKEN=t",
    "discord-scraper",
  ]);
});

Deno.test("writeComposeEnvFile() creates a 0600 file named with our pid; sweep removes dead runners' files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = await writeComposeEnvFile(
      dir,
      composeEnvText([["DISCORD_TOKEN", "t"], ["A", "1"]]),
    );
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.equal(await Deno.readTextFile(path), "DISCORD_TOKEN=t\nA=1\n");
    assert.match(path, new RegExp(`dce-compose-env\\.${Deno.pid}\\.[0-9a-f]{8}$`));
    const dead = join(dir, "dce-compose-env.999999.abcdef12");
    const alive = join(dir, "dce-compose-env.1.abcdef12");
    const other = join(dir, "dce-compose-env.notes");
    for (const f of [dead, alive, other]) await Deno.writeTextFile(f, "x");
    const removed = await sweepStaleEnvFiles(dir, (pid) => pid === 1);
    assert.deepEqual(removed, [dead]);
    await Deno.stat(alive);
    await Deno.stat(other);
    await Deno.stat(path); // our own file is never swept
    removeComposeEnvFile(path);
    removeComposeEnvFile(path); // idempotent
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
    assert.throws(() => composeEnvText([["DISCORD_TOKEN", "a\nB=2"]]), /line break/); // a UserError: one line
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeComposeEnvFile() writes all of the text or fails and leaves no file behind", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const module = new URL("../lib/host/compose_env_file.ts", import.meta.url).href;
    const said = await underFileSizeLimit(
      `await (await import(${JSON.stringify(module)})).writeComposeEnvFile(${
        JSON.stringify(dir)
      }, "DISCORD_TOKEN=" + "x".repeat(1 << 20) + "\\n")`,
    );
    assert.notEqual(said, "written", "a cut-off write must not pass as written");
    assert.deepEqual(
      await Array.fromAsync(Deno.readDir(dir)),
      [],
      "the partial token file was left",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
