// Readiness names the exporter the host runner will really use (never one the runner would not pick).
import assert from "node:assert/strict";
import { join } from "node:path";
import { checkComposeExporter } from "../lib/ops/exporter_ready.ts";

async function binDir(dir: string, programs: Record<string, number>): Promise<string> {
  const bin = join(dir, "bin");
  await Deno.mkdir(bin, { recursive: true });
  for (const [name, code] of Object.entries(programs)) {
    await Deno.writeTextFile(join(bin, name), `#!/bin/sh\nexit ${code}\n`, { mode: 0o755 });
  }
  return bin;
}

Deno.test("checkComposeExporter() reports the runner's compose choice", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await t.step("docker-compose beats `docker compose`, as in the runner", async () => {
      const bin = await binDir(join(dir, "a"), { docker: 0, "docker-compose": 0 });
      assert.equal(await checkComposeExporter({ PATH: bin }), "compose: docker-compose");
    });
    await t.step("only podman: the runner needs docker, so this is not ready", async () => {
      const bin = await binDir(join(dir, "b"), { podman: 0 });
      await assert.rejects(
        checkComposeExporter({ PATH: bin }),
        /^UserError: Required command 'docker' is missing\. Install Docker or Podman with compose support/,
      );
    });
    await t.step("DCE_DOCKER_BIN turns auto-detection off; its compose must answer", async () => {
      const bin = await binDir(join(dir, "c"), { mydocker: 0, "docker-compose": 0 });
      const env = { PATH: bin, DCE_DOCKER_BIN: "mydocker" };
      assert.equal(await checkComposeExporter(env), "compose: mydocker compose");
      await binDir(join(dir, "c"), { mydocker: 1 });
      await assert.rejects(checkComposeExporter(env), /'mydocker compose version' failed\./);
    });
    await t.step("DCE_COMPOSE_BIN is shown as given", async () => {
      const bin = await binDir(join(dir, "d"), { podman: 0 });
      assert.equal(
        await checkComposeExporter({ PATH: bin, DCE_COMPOSE_BIN: "podman compose" }),
        "compose: podman compose",
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
