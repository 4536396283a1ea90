// `deno task bench`: runs every bench/<area>/*_bench.ts in turn (or those whose path contains an argument).
// Benchmarks print their figures; nothing here asserts a timing.
import { join, relative } from "node:path";

const here = import.meta.dirname ?? ".";
const filters = Deno.args;
const benches: string[] = [];
for await (const area of Deno.readDir(here)) {
  if (!area.isDirectory) continue;
  for await (const file of Deno.readDir(join(here, area.name))) {
    const path = join(here, area.name, file.name);
    if (
      file.isFile && file.name.endsWith("_bench.ts") &&
      (filters.length === 0 || filters.some((f) => path.includes(f)))
    ) {
      benches.push(path);
    }
  }
}
let failed = 0;
for (const path of benches.sort()) {
  console.log(`==> ${relative(here, path)}`);
  const status = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", path],
  }).spawn().status;
  if (!status.success) failed++;
}
if (benches.length === 0) console.log("No benchmark matched.");
Deno.exitCode = failed === 0 ? 0 : 1;
