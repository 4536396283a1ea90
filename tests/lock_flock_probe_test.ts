// Unit tests for reading /proc/locks: device number split, matching, and a real flock seen from outside.
import assert from "node:assert/strict";
import { join } from "node:path";
import { flockHoldersIn, observeFlock, splitDev } from "../lib/lock/flock_probe.ts";

Deno.test("splitDev() decodes st_dev like glibc major()/minor()", () => {
  assert.deepEqual(splitDev(0xfe00), { major: 0xfe, minor: 0 });
  assert.deepEqual(splitDev(0x801), { major: 8, minor: 1 });
  assert.deepEqual(splitDev(0x100021), { major: 0, minor: 0x121 }); // minor bits 8+ live at 20+
});

Deno.test("flockHoldersIn() matches FLOCK lines by major:minor:inode and skips waiters and POSIX locks", () => {
  const text = [
    "1: FLOCK  ADVISORY  WRITE 5418 fe:00:2146332 0 EOF",
    "1: -> FLOCK  ADVISORY  WRITE 6000 fe:00:2146332 0 EOF",
    "2: POSIX  ADVISORY  WRITE 777 fe:00:2146332 0 EOF",
    "3: FLOCK  ADVISORY  WRITE 9 fe:00:99 0 EOF",
  ].join("\n");
  assert.deepEqual(flockHoldersIn(text, 0xfe00, 2146332), [5418]);
  assert.deepEqual(flockHoldersIn(text, 0x801, 2146332), []);
});

Deno.test("observeFlock() sees a real flock(1) holder without taking the lock", async () => {
  const dir = Deno.makeTempDirSync();
  const path = join(dir, "L");
  Deno.writeTextFileSync(path, "");
  Deno.writeTextFileSync(`${path}.reclaim`, "");
  // detached: flock(1) forks `sleep`, which inherits the lock; the group kill takes both.
  const holder = new Deno.Command("flock", { args: ["-n", path, "sleep", "30"], detached: true })
    .spawn();
  try {
    let seen = false;
    for (let i = 0; i < 100 && !seen; i++) {
      seen = observeFlock(path, Deno.lstatSync(path)).held === true;
      if (!seen) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(seen, "flock held by flock(1) is observed");
    assert.equal(observeFlock(path, Deno.lstatSync(path)).method, "proc-locks");
  } finally {
    Deno.kill(-holder.pid, "SIGKILL");
    await holder.status;
  }
  let after = observeFlock(path, Deno.lstatSync(path));
  for (let i = 0; i < 100 && after.held !== false; i++) {
    await new Promise((r) => setTimeout(r, 50)); // the group's sleep may take a moment to go
    after = observeFlock(path, Deno.lstatSync(path));
  }
  assert.equal(after.held, false);
  assert.equal(after.method, "proc-locks", "calibrated through the guard file");
  Deno.removeSync(dir, { recursive: true });
});
