// Unit tests for lib/process/child_process.ts: /proc parsing, process groups, boot id.
import assert from "node:assert/strict";
import {
  commandExists,
  isNoSuchProcess,
  parseProcStat,
  readBootId,
  readProcessStartTime,
  readProcessStat,
  signalGroup,
  spawnGuarded,
  whichOnPath,
} from "../lib/process/child_process.ts";

Deno.test("parseProcStat() splits after the LAST ')' (comm may hold spaces and parentheses)", () => {
  const rest = ["S", ...Array.from({ length: 18 }, (_, i) => String(i + 4)), "123456", "0"].join(
    " ",
  );
  assert.deepEqual(parseProcStat(`42 (evil) (name) x) ${rest}`), {
    state: "S",
    pgrp: 5,
    startTime: "123456",
  });
  assert.equal(parseProcStat("garbage"), null);
  assert.equal(parseProcStat("1 (x) S 1 2"), null);
});

Deno.test("readProcessStartTime() / readProcessStat() read our own /proc entry; a missing pid is null", () => {
  const mine = readProcessStartTime(Deno.pid);
  assert.match(mine ?? "", /^\d+$/);
  assert.equal(readProcessStat(Deno.pid)?.startTime, mine);
  assert.equal(readProcessStartTime(4194304 + 1), null);
});

Deno.test("readBootId() is this boot's UUID", () => {
  assert.match(readBootId() ?? "", /^[0-9a-f-]{36}$/);
});

Deno.test("spawnGuarded() starts the child as leader of its own process group; signalGroup() reaches it", async () => {
  const { child, pid } = spawnGuarded("sleep", ["30"], {
    stdin: "null",
    stdout: "null",
    stderr: "null",
  });
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const pgrp = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2];
    assert.equal(Number(pgrp), pid);
    assert.equal(signalGroup(pid, "SIGTERM"), true);
    const status = await child.status;
    assert.equal(status.signal, "SIGTERM");
    assert.equal(signalGroup(pid, "SIGTERM"), false, "an empty group is ESRCH, not an error");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }
  assert.throws(() => signalGroup(1, "SIGTERM"), RangeError);
});

Deno.test("isNoSuchProcess(): reading /proc of a process reaped after the open is 'no such process'", async () => {
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  const stat = Deno.openSync(`/proc/${child.pid}/stat`);
  try {
    child.kill("SIGKILL");
    await child.status; // reaped
    const err = (() => {
      try {
        stat.readSync(new Uint8Array(1024));
      } catch (e) {
        return e;
      }
    })();
    assert.ok(isNoSuchProcess(err), String(err));
  } finally {
    stat.close();
  }
  // readTextFileSync appends the path to the same error.
  assert.ok(isNoSuchProcess(new Error("No such process (os error 3): readfile '/proc/9/stat'")));
  assert.ok(!isNoSuchProcess(new Error("Permission denied (os error 13)")));
  assert.ok(!isNoSuchProcess(new Error("(os error 30)")));
});

Deno.test("whichOnPath wants an executable file; commandExists accepts anything exec would try", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/plain`, "");
    await Deno.writeTextFile(`${dir}/tool`, "#!/bin/sh\n");
    await Deno.chmod(`${dir}/tool`, 0o755);
    await Deno.mkdir(`${dir}/folder`);
    const path = `/nonexistent:${dir}`;
    assert.equal(await whichOnPath("tool", path), `${dir}/tool`);
    assert.equal(await whichOnPath(`${dir}/tool`, undefined), `${dir}/tool`);
    assert.equal(await whichOnPath("plain", path), null);
    assert.equal(await whichOnPath("folder", path), null);
    assert.equal(await whichOnPath("tool", undefined), null);
    assert.equal(await whichOnPath("", path), null);
    assert.ok(commandExists("plain", path));
    assert.ok(commandExists("tool", path));
    assert.ok(!commandExists("absent", path));
    assert.ok(!commandExists("", path));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
