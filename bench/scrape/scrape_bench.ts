// Scrape throughput and memory: N channels × M messages through the fake DCE CLI, first and incremental runs.
// Prints wall time, the fake's own export time (from its invocation log), our side (wall − fake) and the
// core's peak RSS (/usr/bin/time -v and the core's own VmHWM). Nothing is asserted.
//
//   ./dce deno run -A bench/scrape/scrape_bench.ts [--channels 50] [--messages 20000] [--new 100] [--keep]
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { type FakeChannel, writeWorld } from "../../smokes/fakes/fake_dce_world.ts";

const ROOT = resolve(import.meta.dirname ?? ".", "../..");
const FAKE = join(ROOT, "smokes", "fakes", "dce-cli");

const { values } = parseArgs({
  args: Deno.args,
  options: {
    channels: { type: "string", default: "50" },
    messages: { type: "string", default: "20000" },
    new: { type: "string", default: "100" },
    keep: { type: "boolean", default: false },
  },
});
const channels = Number(values.channels);
const messages = Number(values.messages);
const added = Number(values.new);

interface Figures {
  wallS: number;
  fakeS: number;
  oursS: number;
  timeMaxRssMb: number | null;
  coreHwmMb: number | null;
  code: number;
}

async function readHwmKb(pid: number): Promise<number | null> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

async function childPid(pid: number): Promise<number | null> {
  try {
    const text = (await Deno.readTextFile(`/proc/${pid}/task/${pid}/children`)).trim();
    return text ? Number(text.split(/\s+/)[0]) : null;
  } catch {
    return null;
  }
}

async function fakeSeconds(log: string): Promise<number> {
  const text = await Deno.readTextFile(log).catch(() => "");
  return text.trim().split("\n").filter((l) => l).reduce((s, l) => s + JSON.parse(l).elapsedMs, 0) /
    1000;
}

async function scrape(dir: string, label: string): Promise<Figures> {
  const log = join(dir, `fake-${label}.log`);
  const timeOut = join(dir, `time-${label}.txt`);
  const started = performance.now();
  const child = new Deno.Command("/usr/bin/time", {
    args: [
      "-v",
      "-o",
      timeOut,
      Deno.execPath(),
      "run",
      "--no-prompt",
      "-A",
      join(ROOT, "scripts", "run-scrape.ts"),
      "scrape",
      "--config",
      join(dir, "config.json"),
    ],
    env: {
      DCE_CLI_BIN: FAKE,
      FAKE_DCE_WORLD: join(dir, "world.json"),
      FAKE_DCE_LOG: log,
      DISCORD_TOKEN: "bench-token",
      NO_COLOR: "1",
      TMPDIR: dir,
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // The core is /usr/bin/time's child; its VmHWM (high-water mark) only grows, so the last reading is its peak.
  let corePid: number | null = null;
  let hwm: number | null = null;
  const poll = setInterval(async () => {
    corePid ??= await childPid(child.pid);
    if (corePid !== null) hwm = (await readHwmKb(corePid)) ?? hwm;
  }, 100);
  const stderr = await new Response(child.stderr).text();
  const status = await child.status;
  clearInterval(poll);
  const wallS = (performance.now() - started) / 1000;
  const fakeS = await fakeSeconds(log);
  const timeText = await Deno.readTextFile(timeOut).catch(() => "");
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(timeText);
  if (!status.success) console.log(stderr.split("\n").slice(-15).join("\n"));
  return {
    wallS,
    fakeS,
    oursS: wallS - fakeS,
    timeMaxRssMb: rss ? Number(rss[1]) / 1024 : null,
    coreHwmMb: hwm === null ? null : hwm / 1024,
    code: status.code,
  };
}

function show(label: string, f: Figures, msgs: number): void {
  const fmt = (n: number | null, d = 1) => (n === null ? "n/a" : n.toFixed(d));
  console.log(
    `${label.padEnd(12)} exit ${f.code}  wall ${fmt(f.wallS)} s  fake export ${
      fmt(f.fakeS)
    } s  ours ${fmt(f.oursS)} s` +
      `  (${fmt(msgs / Math.max(f.oursS, 0.001), 0)} msg/s ours)  peak RSS: core VmHWM ${
        fmt(f.coreHwmMb)
      } MB,` +
      ` /usr/bin/time -v ${fmt(f.timeMaxRssMb)} MB (max over core and its children)`,
  );
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isFile) total += (await Deno.stat(p)).size;
    else if (e.isDirectory) total += await dirBytes(p);
  }
  return total;
}

await Deno.mkdir(join(ROOT, "bench", "out"), { recursive: true });
const dir = await Deno.makeTempDir({ dir: join(ROOT, "bench", "out"), prefix: "scrape-" });
try {
  const ids = Array.from({ length: channels }, (_, i) => String(1100000000000000000n + BigInt(i)));
  const world = {
    guilds: [{ id: "222", name: "Bench Guild" }],
    channels: ids.map((id, i): FakeChannel => ({
      id,
      guildId: "222",
      name: `ch-${i}`,
      category: "Bench",
      count: messages,
    })),
  };
  await writeWorld(join(dir, "world.json"), world);
  await Deno.writeTextFile(
    join(dir, "config.json"),
    JSON.stringify({
      archive_root: join(dir, "archive"),
      targets: [{ name: "bench", output_dir: join(dir, "archive", "bench"), channel_ids: ids }],
    }),
  );
  console.log(
    `scrape bench: ${channels} channels × ${messages} messages, then +${added} per channel (Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs)`,
  );
  const first = await scrape(dir, "first");
  show("first run", first, channels * messages);
  console.log(`  archive size ${(await dirBytes(join(dir, "archive"))) / 1e6} MB`);
  for (const c of world.channels) c.count = messages + added;
  await writeWorld(join(dir, "world.json"), world);
  const second = await scrape(dir, "incremental");
  show("incremental", second, channels * added);
  const third = await scrape(dir, "no-change");
  show("no change", third, channels);
} finally {
  if (!values.keep) await Deno.remove(dir, { recursive: true });
  else console.log(`kept ${dir}`);
}
