// Unit tests for the proof-of-death rule, every branch, with probes supplied by the test.
import assert from "node:assert/strict";
import { decideLiveness, judgeProcess, type ProcessProbe } from "../lib/lock/liveness.ts";
import { judgeHolder } from "../lib/lock/holder.ts";
import { readProcessStartTime } from "../lib/process/child_process.ts";

const local = { host: "here", bootId: "boot-1" };
const present = (
  startTime: string,
  state = "S",
  startEpochSeconds: number | null = 1_700_000_000,
): ProcessProbe => ({
  kind: "present",
  state,
  startTime,
  startEpochSeconds,
});

Deno.test("decideLiveness(): docs/lock.md#who-holds-the-lock", () => {
  const cases: [string, Parameters<typeof decideLiveness>[0], ProcessProbe, "alive" | "dead"][] = [
    ["no such pid", { pid: 5, host: "here" }, { kind: "missing" }, "dead"],
    ["EPERM means alive", { pid: 5, host: "here" }, { kind: "eperm" }, "alive"],
    ["probe error fails closed", { pid: 5 }, { kind: "error", reason: "NotCapable" }, "alive"],
    ["same start time", { pid: 5, starttime: "100" }, present("100"), "alive"],
    ["reused pid", { pid: 5, starttime: "100" }, present("200"), "dead"],
    ["zombie", { pid: 5, starttime: "100" }, present("100", "Z"), "dead"],
    ["other boot", { pid: 5, host: "here", bootId: "boot-0" }, present("100"), "dead"],
    [
      "other host, even if the pid is free here",
      { pid: 5, host: "there" },
      { kind: "missing" },
      "alive",
    ],
    [
      "legacy: started after the record → reused",
      { pid: 5, started: "2023-11-14T22:00:00Z" },
      present("1", "S", 1_700_000_000),
      "dead",
    ],
    [
      "legacy: started before the record → alive",
      { pid: 5, started: "2023-11-14T22:20:00Z" },
      present("1", "S", 1_700_000_000),
      "alive",
    ],
    [
      "legacy: unparseable started → alive",
      { pid: 5, started: "yesterday-ish" },
      present("1"),
      "alive",
    ],
    ["nothing to compare → alive", { pid: 5 }, present("1"), "alive"],
  ];
  for (const [name, holder, probe, want] of cases) {
    assert.equal(decideLiveness(holder, local, probe).verdict, want, name);
  }
});

Deno.test("judgeProcess() on real processes: ourselves alive, our start time must match", () => {
  const me = readProcessStartTime(Deno.pid);
  assert.ok(me !== null);
  assert.equal(judgeProcess({ pid: Deno.pid, starttime: me }).verdict, "alive");
  assert.equal(judgeProcess({ pid: Deno.pid, starttime: String(Number(me) + 1) }).verdict, "dead");
});

Deno.test("judgeHolder() is alive while a recorded child lives, even if the holder is dead", async () => {
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    const holder = {
      pid: 4194304, // never a live pid here
      children: [{ pid: child.pid, starttime: readProcessStartTime(child.pid) }],
      source: "lock-file" as const,
    };
    assert.equal(judgeHolder(holder).verdict, "alive");
    child.kill("SIGKILL");
    await child.status;
    assert.equal(judgeHolder(holder).verdict, "dead");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }
});

Deno.test("judgeHolder(): a dead child's PID reused by another group leader does not hold the lock", async () => {
  // A process group id is never handed out as a new PID while the group has members, so a PID
  // that now names another process proves the recorded child's group emptied first.
  const reuser = new Deno.Command("sleep", { args: ["30"], detached: true }).spawn();
  try {
    const real = readProcessStartTime(reuser.pid);
    assert.ok(real !== null);
    const holder = (starttime: string) => ({
      pid: 4194304, // never a live pid here
      children: [{ pid: reuser.pid, starttime }],
      source: "lock-file" as const,
    });
    assert.equal(judgeHolder(holder(real)).verdict, "alive", "the recorded child itself");
    const reused = judgeHolder(holder(String(Number(real) - 1)));
    assert.equal(reused.verdict, "dead", reused.reason);
  } finally {
    reuser.kill("SIGKILL");
    await reuser.status;
  }
});
