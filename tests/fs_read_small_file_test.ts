// Files we read whole but do not own: a FIFO is refused at once (it used to hang the run, deaf to
// signals), a device or an oversized file is refused with one line (/dev/zero used to fill memory).
import assert from "node:assert/strict";
import { join } from "node:path";
import { UserError } from "../lib/cli/errors.ts";
import { readSmallFile, readSmallFileSync, SIZE_CAP } from "../lib/fs/read_small_file.ts";
import { loadConfig } from "../lib/config/load_config.ts";
import { readConfigJson } from "../lib/lock/resolve_lock_path.ts";
import { loadEnvFile } from "../lib/host/env_file.ts";
import { readTokenFile } from "../lib/host/token_file.ts";
import { readChannelMap } from "../lib/archive/channel_map.ts";
import { withTempDir as withDir } from "./fixtures/helpers.ts";

const SCALE = Number(Deno.env.get("DCE_SMOKE_SCALE") ?? "1") || 1;

/** Every whole-file read of a file we do not own, by the function that does it. */
const READERS: Record<string, (path: string) => Promise<unknown>> = {
  "loadConfig (--config)": (p) => loadConfig(p),
  "readConfigJson (lock path)": (p) => Promise.resolve().then(() => readConfigJson(p)),
  "loadEnvFile (--env-file)": (p) => loadEnvFile(p),
  "readTokenFile (DISCORD_TOKEN_FILE)": (p) => readTokenFile(p),
  "readChannelMap": (p) => readChannelMap(join(p, "..", "..")),
};

/**
 * Runs `op`; if it is still pending after a generous wait, a writer opens and closes the FIFO so a
 * blocked open returns, and the test fails instead of hanging.
 */
async function settlesWithoutWriter(op: Promise<unknown>, fifo: string): Promise<unknown> {
  const outcome = op.then(() => ({ ok: true, err: null }), (err) => ({ ok: false, err }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), 5000 * SCALE)));
  const first = await Promise.race([outcome, late]);
  clearTimeout(timer);
  if (first === "late") {
    (await Deno.open(fifo, { write: true })).close();
    await outcome;
    assert.fail("the read blocked on a FIFO with no writer");
  }
  assert.equal(first.ok, false, "a FIFO must be refused");
  return first.err;
}

/** The path the reader reads: the channel map lives at <out>/.dce-meta/channel-map.json. */
async function placeFor(name: string, dir: string): Promise<string> {
  const meta = join(dir, ".dce-meta");
  await Deno.mkdir(meta, { recursive: true });
  return name === "readChannelMap" ? join(meta, "channel-map.json") : join(dir, "file");
}

for (const [name, read] of Object.entries(READERS)) {
  Deno.test(`${name}: a FIFO is refused at once with one line`, async () => {
    await withDir(async (dir) => {
      const path = await placeFor(name, dir);
      assert.equal(new Deno.Command("mkfifo", { args: [path] }).outputSync().code, 0);
      const err = await settlesWithoutWriter(read(path), path);
      assert.ok(err instanceof UserError, String(err));
      assert.match(err.message, /FIFO \(named pipe\), not a regular file/);
      assert.ok(!err.message.includes("\n"));
    });
  });

  Deno.test(`${name}: a file over the cap is refused before it is read`, async () => {
    await withDir(async (dir) => {
      const path = await placeFor(name, dir);
      using file = await Deno.open(path, { write: true, create: true });
      await file.truncate(SIZE_CAP.data + 1); // sparse: costs no disk
      await assert.rejects(() => read(path), /larger than \d+ bytes, too large/);
    });
  });
}

Deno.test("readSmallFile: /dev/zero is a device, refused; /proc files (size 0) are read to EOF", () => {
  assert.throws(
    () => readSmallFileSync("/dev/zero", { what: "Token file", maxBytes: SIZE_CAP.token }),
    /Token file \/dev\/zero is a device, not a regular file/,
  );
  const stat = readSmallFileSync("/proc/self/stat", { what: "x", maxBytes: 1 << 20 });
  assert.ok(stat.length > 0);
  assert.throws(
    () => readSmallFileSync("/proc/self/stat", { what: "Stat", maxBytes: 4 }),
    /larger than 4 bytes/,
  );
});

Deno.test("readSmallFile: a missing file is Deno's NotFound (callers keep their wording)", () => {
  assert.throws(
    () => readSmallFileSync("/nonexistent/x", { what: "x", maxBytes: 10 }),
    Deno.errors.NotFound,
  );
});

Deno.test("readSmallFile (async): a /proc file is read to EOF; over the cap is refused", async () => {
  assert.ok((await readSmallFile("/proc/self/stat", { what: "x", maxBytes: 1 << 20 })).length > 0);
  await assert.rejects(
    () => readSmallFile("/proc/self/stat", { what: "Stat", maxBytes: 4 }),
    /larger than 4 bytes/,
  );
});
