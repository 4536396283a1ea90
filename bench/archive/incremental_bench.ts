// Bench: what an incremental run costs against the archive's size. For archives of 20k, 200k and 2M
// messages: the same +100 new messages (cursor read + merge, one process each, as a scrape does per
// channel) and a run with nothing new, as wall times, ratios to the smallest size, and bytes read and
// written (/proc/<pid>/io). Then the full rewrite (no record: today's path for overlapping or
// out-of-order exports) of 10k overlapping messages into the 200k archive, split into scan, write
// and fsync. Prints tables; asserts nothing.
//   ./dce deno run -A bench/archive/incremental_bench.ts [--sizes 20000,200000,2000000] [--reps 5]
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { generateArchive } from "./generate_archive.ts";
import { recordPath } from "../../lib/archive/archive_record.ts";
import { mergeExportIntoArchive } from "../../lib/archive/merge_export.ts";
import { ExportReader } from "../../lib/archive/export_reader.ts";

const HERE = resolve(import.meta.dirname ?? ".");
const { values } = parseArgs({
  args: Deno.args,
  options: {
    sizes: { type: "string", default: "20000,200000,2000000" },
    reps: { type: "string", default: "5" },
    "rewrite-size": { type: "string", default: "200000" },
  },
});
const sizes = values.sizes!.split(",").map(Number);
const REPS = Number(values.reps);
const CHANNEL = "712345678901234567";

interface Run {
  wallMs: number;
  cursorMs: number;
  mergeMs: number;
  read: number;
  written: number;
  inPlace: boolean;
}

async function oneRun(archive: string, exp: string): Promise<Run> {
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(HERE, "incremental_run.ts"), archive, exp, CHANNEL],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const wallMs = performance.now() - t0;
  if (!out.success) throw new Error(`incremental_run failed on ${archive}`);
  return { wallMs, ...JSON.parse(new TextDecoder().decode(out.stdout)) };
}

function median(runs: Run[], key: keyof Run): number {
  const v = runs.map((r) => Number(r[key])).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)]!;
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const dir = await Deno.makeTempDir({ prefix: "dce-incremental-bench-" });
try {
  const rows: { size: number; mb: number; add: Run[]; none: Run[] }[] = [];
  for (const size of sizes) {
    const archive = join(dir, `a${size}.json`);
    const exp = join(dir, "e.json");
    await generateArchive(archive, size, 0);
    // The first merge into a generated (DCE-written) archive is the full rewrite that gives it our
    // layout and its record; it is set-up, not measured.
    let next = size;
    await generateArchive(exp, 1, next++);
    await mergeExportIntoArchive({ archivePath: archive, exportPath: exp });
    const mb = (await Deno.stat(archive)).size / 1e6;
    const add: Run[] = [];
    const none: Run[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      await generateArchive(exp, 100, next);
      next += 100;
      add.push(await oneRun(archive, exp));
      await generateArchive(exp, 0, next);
      none.push(await oneRun(archive, exp));
    }
    rows.push({ size, mb, add, none });
    if (size !== Number(values["rewrite-size"])) await Deno.remove(archive);
  }

  const base = rows[0]!;
  console.log(`incremental runs, median of ${REPS} (one process each: cursor read + merge)`);
  console.log(
    "archive            | +100: wall   ratio  in-proc  read      written   | nothing new: wall  ratio  read",
  );
  for (const r of rows) {
    const addWall = median(r.add, "wallMs");
    const noneWall = median(r.none, "wallMs");
    const inProc = median(r.add, "cursorMs") + median(r.add, "mergeMs");
    console.log(
      `${String(r.size).padStart(8)} (${r.mb.toFixed(0).padStart(5)} MB) | ${
        addWall.toFixed(0).padStart(6)
      } ms ${(addWall / median(base.add, "wallMs")).toFixed(2).padStart(5)}  ${
        inProc.toFixed(0).padStart(4)
      } ms  ${kb(median(r.add, "read")).padStart(9)} ${
        kb(median(r.add, "written")).padStart(9)
      } | ${noneWall.toFixed(0).padStart(9)} ms ${
        (noneWall / median(base.none, "wallMs")).toFixed(2).padStart(5)
      }  ${kb(median(r.none, "read")).padStart(8)}${
        r.add.every((x) => x.inPlace) ? "" : "  (not every +100 ran in place!)"
      }`,
    );
  }

  // The full rewrite: 10k messages, the first 100 overlapping the archive's last ones, record removed.
  const size = Number(values["rewrite-size"]);
  const archive = join(dir, `a${size}.json`);
  if (!(await Deno.stat(archive).catch(() => null))) {
    await generateArchive(archive, size, 0);
  }
  await Deno.remove(recordPath(archive)).catch(() => {});
  const exp = join(dir, "overlap.json");
  const total = (await Deno.stat(archive)).size;
  const { messageCount } = await lastCount(archive);
  await generateArchive(exp, 10_000, messageCount - 100);
  // Scan alone: both files through the streaming reader, nothing written.
  let t0 = performance.now();
  for (const path of [archive, exp]) {
    using r = await ExportReader.open(path);
    await r.readToEnd();
  }
  const scanMs = performance.now() - t0;
  // The merge, with the time spent in write and fsync calls counted.
  const timing = { write: 0, sync: 0 };
  const proto = Deno.FsFile.prototype;
  const write = proto.write;
  const sync = proto.sync;
  proto.write = async function (this: Deno.FsFile, p: Uint8Array) {
    const s = performance.now();
    try {
      return await write.call(this, p);
    } finally {
      timing.write += performance.now() - s;
    }
  };
  proto.sync = async function (this: Deno.FsFile) {
    const s = performance.now();
    try {
      return await sync.call(this);
    } finally {
      timing.sync += performance.now() - s;
    }
  };
  t0 = performance.now();
  const r = await mergeExportIntoArchive({ archivePath: archive, exportPath: exp });
  const mergeMs = performance.now() - t0;
  proto.write = write;
  proto.sync = sync;
  console.log("");
  console.log(
    `full rewrite: 10,000 messages (100 overlapping) into ${size} (${
      (total / 1e6).toFixed(0)
    } MB), in place: ${r.inPlace ?? false}`,
  );
  console.log(
    `  total ${mergeMs.toFixed(0)} ms = write calls ${timing.write.toFixed(0)} ms + fsync ${
      timing.sync.toFixed(0)
    } ms + scan/merge ${(mergeMs - timing.write - timing.sync).toFixed(0)} ms`,
  );
  console.log(`  (the streaming scan of both files alone: ${scanMs.toFixed(0)} ms)`);
} finally {
  await Deno.remove(dir, { recursive: true });
}

async function lastCount(path: string): Promise<{ messageCount: number }> {
  using f = await Deno.open(path);
  const size = (await f.stat()).size;
  await f.seek(size - 64, Deno.SeekMode.Start);
  const buf = new Uint8Array(64);
  const n = (await f.read(buf)) ?? 0;
  const m = /"messageCount": (\d+)/.exec(new TextDecoder().decode(buf.subarray(0, n)));
  return { messageCount: Number(m?.[1] ?? 0) };
}
