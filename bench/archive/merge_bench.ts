// Bench: merge a 10,000-message export into archives of 100k / 1M / 3M messages with merge-export and with
// the bash suite's engine (jq -s, with the rules of docs/archive.md#merge), wall time and peak RSS from /usr/bin/time -v; then the
// repair of a ~1 GB cut-off export. Prints a table; asserts nothing.
//   deno run -A bench/archive/merge_bench.ts [--sizes 100000,1000000,3000000] [--jq-max 1000000]
//                                            [--repair-messages 800000] [--keep]
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateArchive } from "./generate_archive.ts";

const ROOT = join(import.meta.dirname ?? ".", "..", "..");
const { values } = parseArgs({
  args: Deno.args,
  options: {
    sizes: { type: "string", default: "100000,1000000,3000000" },
    "jq-max": { type: "string", default: "1000000" },
    "jq-mem-gb": { type: "string", default: "16" },
    "repair-messages": { type: "string", default: "800000" },
    keep: { type: "boolean", default: false },
  },
});
const sizes = values.sizes!.split(",").map(Number);
const jqMax = Number(values["jq-max"]);
const EXPORT_MESSAGES = 10_000;
const OVERLAP = 100; // the export re-fetches the archive's last 100 messages

interface Measure {
  wallSeconds: number;
  maxRssMb: number;
  ok: boolean;
  note?: string;
}

async function timed(cmd: string[], opts: { ulimitKb?: number; stdoutTo?: string } = {}): Promise<
  Measure
> {
  const quoted = cmd.map((c) => `'${c.replaceAll("'", "'\\''")}'`).join(" ");
  const redirect = opts.stdoutTo ? ` > '${opts.stdoutTo}'` : " > /dev/null";
  const limit = opts.ulimitKb ? `ulimit -v ${opts.ulimitKb}; ` : "";
  const script = `${limit}/usr/bin/time -v ${quoted}${redirect}`;
  const out = await new Deno.Command("sh", { args: ["-c", script], stderr: "piped" }).output();
  const err = new TextDecoder().decode(out.stderr);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(
    err,
  );
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  const exit = /Exit status: (\d+)/.exec(err);
  const wallSeconds = wall
    ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3])
    : NaN;
  const ok = out.success && (exit ? exit[1] === "0" : true);
  const m: Measure = { wallSeconds, maxRssMb: rss ? Number(rss[1]) / 1024 : NaN, ok };
  if (!ok) {
    m.note = err.split("\n").filter((l) => /error|ERROR|memory/i.test(l)).slice(0, 2).join(" ");
  }
  return m;
}

const JQ_MERGE = `.[0] as $e | .[1] as $i
  | ($e + $i)
  | .messages = ([$i.messages[], $e.messages[]] | unique_by(.id) | sort_by(.timestamp, .id))
  | .dateRange.after = ($e.dateRange.after // $i.dateRange.after)
  | .dateRange.before = ($i.dateRange.before // $e.dateRange.before)
  | .exportedAt = ($i.exportedAt // $e.exportedAt)
  | .messageCount = (.messages | length)`;

const df = new TextDecoder().decode(
  (await new Deno.Command("df", { args: ["-BG", "--output=avail", "/tmp"] }).output()).stdout,
);
const freeGb = Number(/(\d+)G/.exec(df)?.[1] ?? 0);
const largest = Math.max(...sizes);
const needGb = Math.ceil((largest * 1.35 * 2.2) / 1e6) + 3;
console.log(`free in /tmp: ${freeGb} GB; this run needs about ${needGb} GB`);
if (freeGb < needGb) {
  console.log("Not enough space in /tmp for the largest size; pass smaller --sizes.");
  Deno.exit(1);
}

const dir = await Deno.makeTempDir({ prefix: "dce-archive-bench-" });
const rows: string[][] = [];
try {
  for (const size of sizes) {
    const archive = join(dir, `archive-${size}.json`);
    const exp = join(dir, `export-${size}.json`);
    const archiveBytes = await generateArchive(archive, size, 0);
    await generateArchive(exp, EXPORT_MESSAGES, size - OVERLAP);
    const mb = (archiveBytes / 1e6).toFixed(0);

    let jq: Measure | null = null;
    if (size <= jqMax) {
      jq = await timed(["jq", "-s", JQ_MERGE, archive, exp], {
        ulimitKb: Number(values["jq-mem-gb"]) * 1024 * 1024,
        stdoutTo: join(dir, "jq-out.json"),
      });
      await Deno.remove(join(dir, "jq-out.json")).catch(() => {});
    }
    const ours = await timed([
      Deno.execPath(),
      "run",
      "--no-prompt",
      "-A",
      join(ROOT, "scripts", "merge-export.ts"),
      archive,
      exp,
    ]);
    const speedup = jq && jq.ok ? `${(jq.wallSeconds / ours.wallSeconds).toFixed(1)}x` : "-";
    rows.push([
      `merge 10k into ${size.toLocaleString("en-US")} (${mb} MB)`,
      `${ours.wallSeconds.toFixed(2)} s`,
      `${ours.maxRssMb.toFixed(0)} MB`,
      jq
        ? (jq.ok ? `${jq.wallSeconds.toFixed(2)} s` : `did not finish (${jq.note ?? "failed"})`)
        : "skipped",
      jq && jq.ok ? `${jq.maxRssMb.toFixed(0)} MB` : "-",
      speedup,
    ]);
    console.log(rows.at(-1)!.join(" | "));
    if (!ours.ok) console.log(`  merge-export failed: ${ours.note}`);
    await Deno.remove(archive);
    await Deno.remove(exp);
  }

  // Repair of a ~1 GB export cut inside a message.
  const n = Number(values["repair-messages"]);
  const big = join(dir, "big.json");
  const bytes = await generateArchive(big, n, 0);
  const cutAt = bytes - 100_000 - 437; // inside one of the last messages
  await Deno.truncate(big, cutAt);
  const runner = join(dir, "repair_once.ts");
  await Deno.writeTextFile(
    runner,
    `import { repairTruncatedExport } from ${
      JSON.stringify(join(ROOT, "lib/archive/repair_truncated_export.ts"))
    };
const t = performance.now();
const r = await repairTruncatedExport(Deno.args[0]!);
console.log(JSON.stringify({ ...r, ms: performance.now() - t }));`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", runner, big],
    stdout: "piped",
  }).output();
  const r = JSON.parse(new TextDecoder().decode(out.stdout));
  rows.push([
    `repair ${(cutAt / 1e9).toFixed(2)} GB cut-off export (${r.kept} kept)`,
    `${(r.ms / 1000).toFixed(3)} s (in-process)`,
    "-",
    "-",
    "-",
    r.status,
  ]);
  await Deno.truncate(big, cutAt);
  const script = await timed([
    Deno.execPath(),
    "run",
    "--no-prompt",
    "-A",
    join(ROOT, "scripts", "salvage-truncated-export.ts"),
    big,
  ]);
  rows.push([
    "salvage-truncated-export script (repair + full re-check)",
    `${script.wallSeconds.toFixed(2)} s`,
    `${script.maxRssMb.toFixed(0)} MB`,
    "-",
    "-",
    script.ok ? "ok" : "failed",
  ]);
} finally {
  if (!values.keep) await Deno.remove(dir, { recursive: true });
}

const header = [
  "case",
  "merge-export / ours",
  "peak RSS",
  "jq -s (bash engine)",
  "jq RSS",
  "speed-up",
];
console.log("\n| " + header.join(" | ") + " |");
console.log("|" + header.map(() => "---").join("|") + "|");
for (const row of rows) console.log("| " + row.join(" | ") + " |");
