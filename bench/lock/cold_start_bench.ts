// Cold start: `./dce scrape-lock-status` against a minimal bash status script side by side, and every
// tool's `./dce <tool> --help` with the number and size of the modules it loads (why a tool is slow).
// Prints medians; asserts nothing.   ./dce deno run -A bench/lock/cold_start_bench.ts [--runs 15]
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const ROOT = resolve(import.meta.dirname ?? ".", "../..");
const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "15" } },
});
const RUNS = Number(values.runs);

async function onceMs(cmd: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  await new Deno.Command(cmd, { args, stdout: "null", stderr: "null", cwd: ROOT }).output();
  return performance.now() - t0;
}

/** Medians of several commands run in turns (A B C A B C …), so a load spike hits them alike. */
async function mediansMs(cmds: [string, string[]][]): Promise<number[]> {
  const times: number[][] = cmds.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [k, [cmd, args]] of cmds.entries()) times[k]!.push(await onceMs(cmd, args));
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!);
}

const medianMs = async (cmd: string, args: string[]) => (await mediansMs([[cmd, args]]))[0]!;

/** Local modules the tool's graph holds, and their total size (from `deno info --json`). */
async function graph(script: string): Promise<{ modules: number; kb: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", script],
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { size?: number }[];
  };
  return {
    modules: info.modules.length,
    kb: info.modules.reduce((n, m) => n + (m.size ?? 0), 0) / 1024,
  };
}

const dir = await Deno.makeTempDir({ prefix: "dce-startup-bench-" });
try {
  const config = join(dir, "config.json");
  await Deno.writeTextFile(config, JSON.stringify({ archive_root: dir, targets: [] }));
  const dce = join(ROOT, "dce");
  const bash = join(ROOT, "bench", "lock", "scrape-lock-status.sh");
  const [ours = NaN, theirs = NaN, bare = NaN] = await mediansMs([
    [dce, ["scrape-lock-status", "--config", config]],
    ["bash", [bash, "--config", config]],
    [Deno.execPath(), ["eval", "0"]],
  ]);
  console.log(`status cold start, median of ${RUNS} (no lock file):`);
  console.log(`  ./dce scrape-lock-status        ${ours.toFixed(1)} ms`);
  console.log(`  bash scrape-lock-status.sh      ${theirs.toFixed(1)} ms`);
  console.log(`  deno eval 0 (runtime floor)     ${bare.toFixed(1)} ms`);
  console.log("");
  console.log(`every tool: ./dce <tool> --help, median of ${RUNS}`);
  console.log("tool                               ms   modules   KB loaded");
  const tools = [...Deno.readDirSync(join(ROOT, "scripts"))]
    .filter((e) => e.name.endsWith(".ts"))
    .map((e) => e.name.slice(0, -3))
    .sort();
  for (const tool of tools) {
    const ms = await medianMs(dce, [tool, "--help"]);
    const g = await graph(join(ROOT, "scripts", `${tool}.ts`));
    console.log(
      `${tool.padEnd(32)} ${ms.toFixed(1).padStart(6)} ${String(g.modules).padStart(8)} ${
        g.kb.toFixed(0).padStart(10)
      }`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
