import assert from "node:assert/strict";
import { freeSpace, humanSize, mountPointOf, toMiB } from "../lib/fs/free_space.ts";

async function df(path: string): Promise<{ availableKiB: number; mount: string }> {
  const out = await new Deno.Command("df", { args: ["-Pk", path], stdout: "piped" }).output();
  const fields = new TextDecoder().decode(out.stdout).trim().split("\n")[1]!.split(/\s+/);
  return { availableKiB: Number(fields[3]), mount: fields.slice(5).join(" ") };
}

Deno.test("freeSpace() reads the same filesystem and figure as df's Available column", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const [ours, theirs] = await Promise.all([freeSpace(dir), df(dir)]);
    assert.equal(ours.mountPoint, theirs.mount);
    assert.equal(await mountPointOf(dir), theirs.mount);
    // Other processes write meanwhile: allow 1% (and at least 64 MiB) of drift, never a different disk.
    const diff = Math.abs(toMiB(ours.availableBytes) - theirs.availableKiB / 1024);
    assert.ok(diff <= Math.max(64, theirs.availableKiB / 1024 / 100), `drift ${diff} MiB`);
    assert.ok(ours.usedBytes <= ours.totalBytes);
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("freeSpace() of a missing folder throws (the disk gate turns it into one ERROR line)", async () => {
  await assert.rejects(() => freeSpace("/nonexistent/dce-ops"));
});

Deno.test("humanSize() prints df -h style sizes", () => {
  assert.equal(humanSize(0n), "0B");
  assert.equal(humanSize(1023n), "1023B");
  assert.equal(humanSize(1536n), "1.5K");
  assert.equal(humanSize(10n * 1024n * 1024n), "10M");
  assert.equal(humanSize(3n * 1024n ** 4n), "3.0T");
});
