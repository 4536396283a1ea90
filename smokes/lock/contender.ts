// Smoke fixture: a lock contender process with several modes, coordinated through files in a work dir.
import { join } from "node:path";
import {
  acquireLock,
  FlockUnsupportedError,
  LockBusyError,
  type LockHandle,
} from "../../lib/lock/mod.ts";
import { formatMeta, type LockMeta, parseMeta, writeMetaAtomic } from "../../lib/lock/lock_meta.ts";
import { readProcessStat } from "../../lib/process/child_process.ts";
import { roundResultNames } from "./fixtures.ts";

const [mode = "", ...rest] = Deno.args;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exists = (p: string) => {
  try {
    Deno.lstatSync(p);
    return true;
  } catch {
    return false;
  }
};
/** The parent's go-ahead: a file it creates (no timeout here; the parent kills stragglers). */
async function waitForFile(p: string, pollMs = 3) {
  while (!exists(p)) await sleep(pollMs);
}
const quiet = () => {};

function acquireOpts(path: string, extra: Record<string, unknown> = {}) {
  return {
    path,
    cmd: ["contender", mode],
    tool: "contender",
    checkout: "/smoke",
    warn: quiet,
    ...extra,
  };
}

/**
 * Proof of exclusion, way 1: an exclusive-create marker a second holder would trip on. A marker
 * left by a SIGKILLed holder names a dead pid and is cleared; one naming a live pid is an overlap.
 */
function enterCritical(dir: string): string | null {
  const marker = join(dir, "occupied");
  for (;;) {
    try {
      const me = readProcessStat(Deno.pid)?.startTime ?? "";
      Deno.writeTextFileSync(marker, `${Deno.pid} ${me}`, { createNew: true });
      return null;
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
      const [ownerText = "0", ownerStart = ""] = Deno.readTextFileSync(marker).split(" ");
      const owner = Number(ownerText);
      // A SIGKILLed holder is a zombie until its parent reaps it, and its pid may be reused
      // afterwards: only the same pid with the same start time, not a zombie, is alive.
      const stat = owner > 0 ? readProcessStat(owner) : null;
      const alive = stat !== null && stat.state !== "Z" && stat.state !== "X" &&
        stat.startTime === ownerStart;
      if (alive) return `overlap: pid ${Deno.pid} entered while pid ${owner} was inside`;
      Deno.removeSync(marker);
    }
  }
}

/** Proof of exclusion, way 2: a read-modify-write counter that loses increments on overlap. */
function bumpCounter(dir: string) {
  const path = join(dir, "counter");
  let n = 0;
  try {
    n = Number(Deno.readTextFileSync(path) || "0");
  } catch { /* first */ }
  Deno.writeTextFileSync(path, String(n + 1));
}

function leaveCritical(dir: string) {
  Deno.removeSync(join(dir, "occupied"));
}

/** Writes a result file whole (temp + rename): the driver may read it the moment it appears. */
function publish(path: string, text: string) {
  Deno.writeTextFileSync(`${path}.tmp`, text);
  Deno.renameSync(`${path}.tmp`, path);
}

function note(dir: string, text: string) {
  Deno.writeTextFileSync(join(dir, "violations"), text + "\n", { append: true });
}

async function rounds() {
  // rounds <dir> <id> <contenders> <reps>
  const [dir = "", id = "", nText = "", repsText = ""] = rest;
  const n = Number(nText);
  const path = join(dir, "L");
  for (let r = 0; r < Number(repsText); r++) {
    await waitForFile(join(dir, `go.${r}`));
    let result: string;
    let handle: LockHandle | null = null;
    try {
      handle = await acquireLock(acquireOpts(path));
      result = "win";
    } catch (err) {
      result = err instanceof LockBusyError
        ? "busy"
        : err instanceof FlockUnsupportedError
        ? "unsupported"
        : `error ${err instanceof Error ? err.message : err}`;
    }
    if (handle !== null) {
      const overlap = enterCritical(dir);
      if (overlap) note(dir, overlap);
      bumpCounter(dir);
      publish(join(dir, `res.${r}.${id}`), result);
      // Hold until every contender of this round has reported, so late ones meet a live holder.
      while (roundResultNames(dir, r).length < n) await sleep(3);
      if (!overlap) leaveCritical(dir);
      const released = await handle.release();
      Deno.writeTextFileSync(join(dir, `done.${r}.tmp`), released);
      Deno.renameSync(join(dir, `done.${r}.tmp`), join(dir, `done.${r}`)); // whole, for the driver
    } else {
      publish(join(dir, `res.${r}.${id}`), result);
    }
  }
}

async function loop() {
  // loop <dir> <count> <pollMs>: acquire with waiting, count times
  const [dir = "", countText = "", pollText = "20"] = rest;
  const path = join(dir, "L");
  await waitForFile(join(dir, "go"));
  for (let i = 0; i < Number(countText); i++) {
    const handle = await acquireLock(
      acquireOpts(path, { waitSeconds: 600, pollMs: Number(pollText) }),
    );
    const overlap = enterCritical(dir);
    if (overlap) note(dir, overlap);
    bumpCounter(dir);
    if (!overlap) leaveCritical(dir);
    const released = await handle.release();
    if (released !== "released") note(dir, `release ${released}`);
  }
}

async function chaos() {
  // chaos <dir> <pollMs>: acquire, announce, hold a random while, release; forever (until killed)
  const [dir = "", pollText = "20"] = rest;
  const path = join(dir, "L");
  for (;;) {
    const handle = await acquireLock(
      acquireOpts(path, { waitSeconds: 600, pollMs: Number(pollText) }),
    );
    const at = performance.timeOrigin + performance.now();
    const overlap = enterCritical(dir);
    if (overlap) note(dir, overlap);
    Deno.writeTextFileSync(join(dir, "acquired.log"), `${Deno.pid} ${at}\n`, { append: true });
    bumpCounter(dir);
    await sleep(5 + Math.random() * 60);
    if (!overlap) leaveCritical(dir);
    await handle.release();
    await sleep(Math.random() * 5);
  }
}

async function hold() {
  // hold <lockpath> <releaseFile>: acquire at once, say so, release when the file appears
  const [path = "", releaseFile = ""] = rest;
  let handle: LockHandle;
  try {
    handle = await acquireLock(acquireOpts(path));
  } catch (err) {
    console.log(`busy ${err instanceof Error ? err.message : err}`);
    Deno.exit(1);
  }
  console.log(`acquired ${handle.token}`);
  await waitForFile(releaseFile, 10);
  console.log(`release ${await handle.release()}`);
}

async function tryOnce() {
  // try <lockpath>: one attempt, release at once; exit 0 acquired, 1 busy
  const [path = ""] = rest;
  try {
    const handle = await acquireLock(acquireOpts(path, { warn: (l: string) => console.error(l) }));
    console.log("acquired");
    await handle.release();
  } catch (err) {
    if (!(err instanceof LockBusyError)) throw err;
    console.log(`busy ${err.message}`);
    Deno.exit(1);
  }
}

function metaWriter() {
  // meta-writer <lockpath> <count>: rewrite .meta whole, alternating two records
  const [path = "", countText = ""] = rest;
  const a: LockMeta = {
    pid: 111,
    started: "A",
    cmd: "a".repeat(400),
    token: "a".repeat(32),
    children: [],
  };
  const b: LockMeta = {
    pid: 222,
    started: "B",
    cmd: "b".repeat(10),
    token: "b".repeat(32),
    children: [{ pid: 3, starttime: "4" }],
  };
  for (let i = 0; i < Number(countText); i++) writeMetaAtomic(path, i % 2 ? b : a, "w");
  Deno.writeTextFileSync(`${path}.writer-done`, "");
}

function metaReader() {
  // meta-reader <lockpath>: read until the writer is done; every read must be one whole record
  const [path = ""] = rest;
  const good = new Set([
    formatMeta({
      pid: 111,
      started: "A",
      cmd: "a".repeat(400),
      token: "a".repeat(32),
      children: [],
    }),
    formatMeta({
      pid: 222,
      started: "B",
      cmd: "b".repeat(10),
      token: "b".repeat(32),
      children: [{ pid: 3, starttime: "4" }],
    }),
  ]);
  let reads = 0;
  let bad = 0;
  Deno.writeTextFileSync(`${path}.reader-ready.${Deno.pid}`, ""); // the driver starts the writer
  while (!exists(`${path}.writer-done`)) {
    let text: string;
    try {
      text = Deno.readTextFileSync(`${path}.meta`);
    } catch {
      bad++; // the path must never be missing once published
      continue;
    }
    reads++;
    if (!good.has(formatMeta(parseMeta(text))) || !good.has(text)) bad++;
  }
  console.log(JSON.stringify({ reads, bad }));
}

switch (mode) {
  case "rounds":
    await rounds();
    break;
  case "loop":
    await loop();
    break;
  case "chaos":
    await chaos();
    break;
  case "hold":
    await hold();
    break;
  case "try":
    await tryOnce();
    break;
  case "meta-writer":
    metaWriter();
    break;
  case "meta-reader":
    metaReader();
    break;
  default:
    console.error(`contender: unknown mode ${mode}`);
    Deno.exit(2);
}
