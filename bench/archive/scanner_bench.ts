// Bench: our streaming scanner (ExportReader: validates, re-indents, yields each message's bytes + id)
// against the npm streaming parser @streamparser/json (yields each message as a parsed object) on the
// same realistic export. Prints MB/s; asserts nothing.
//   deno run -A bench/archive/scanner_bench.ts [MESSAGES=100000]
import { join } from "node:path";
import { generateArchive } from "./generate_archive.ts";
import { ExportReader } from "../../lib/archive/export_reader.ts";

const n = Number(Deno.args[0] ?? 100_000);
const dir = await Deno.makeTempDir({ prefix: "dce-scanner-bench-" });
try {
  const path = join(dir, "export.json");
  const bytes = await generateArchive(path, n, 0);
  const mb = bytes / 1e6;
  await Deno.readFile(path); // warm the page cache for both contenders

  const rows: [string, number, number][] = [];
  for (let round = 0; round < 2; round++) {
    const started = performance.now();
    using reader = await ExportReader.open(path);
    await reader.readToEnd();
    rows.push(["ours (ExportReader, canonical bytes)", reader.count, performance.now() - started]);
  }
  const child = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-lock",
      "-A",
      join(import.meta.dirname ?? ".", "streamparser_count.ts"),
      path,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (child.success) {
    const r = JSON.parse(new TextDecoder().decode(child.stdout));
    rows.push(["@streamparser/json 0.0.22 (paths $.messages.*)", r.count, r.ms]);
  } else {
    console.log("@streamparser/json could not run (npm registry unreachable?)");
  }
  {
    const started = performance.now();
    const doc = JSON.parse(await Deno.readTextFile(path));
    rows.push([
      "JSON.parse whole file (not streaming; reference)",
      doc.messages.length,
      performance.now() - started,
    ]);
  }
  console.log(`\nfile: ${n} messages, ${mb.toFixed(0)} MB`);
  console.log("| reader | messages | seconds | MB/s |\n|---|---|---|---|");
  for (const [name, count, ms] of rows) {
    console.log(
      `| ${name} | ${count} | ${(ms / 1000).toFixed(2)} | ${(mb / (ms / 1000)).toFixed(0)} |`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
