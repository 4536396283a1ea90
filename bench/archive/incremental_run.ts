// One channel's archive work in a scrape, as its own process: the cursor read, then the merge of the
// export. Prints one JSON line: phase times, the action, and this process's read/write bytes from
// /proc/self/io (rchar/wchar: every read and write call, page cache or not). Used by incremental_bench.ts.
//   deno run -A bench/archive/incremental_run.ts ARCHIVE EXPORT CHANNEL_ID
import { archiveStats } from "../../lib/scrape/archive_stats.ts";
import { mergeExportIntoArchive } from "../../lib/archive/merge_export.ts";
import { countMessages } from "../../lib/archive/export_queries.ts";

async function io(): Promise<{ read: number; written: number }> {
  const text = await Deno.readTextFile("/proc/self/io");
  const field = (k: string) => Number(new RegExp(`^${k}: (\\d+)$`, "m").exec(text)?.[1] ?? NaN);
  return { read: field("rchar"), written: field("wchar") };
}

const [archive, exp, channel] = Deno.args;
const io0 = await io();
const t0 = performance.now();
const stats = await archiveStats(archive!, channel!, new Date());
const t1 = performance.now();
// As the scrape does: an export with no messages is "nothing new", without a merge.
const empty = (await countMessages(exp!)) === 0;
const result = empty
  ? null
  : await mergeExportIntoArchive({ archivePath: archive!, exportPath: exp! });
const t2 = performance.now();
const io1 = await io();
console.log(JSON.stringify({
  cursorMs: t1 - t0,
  mergeMs: t2 - t1,
  before: stats.count,
  action: result?.action ?? "UNCHANGED",
  inPlace: result?.inPlace ?? false,
  read: io1.read - io0.read,
  written: io1.written - io0.written,
}));
