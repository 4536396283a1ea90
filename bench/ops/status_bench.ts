// `./dce status` on 1,000 channels (archives with records) and 10,000 history records: the median
// wall time of the whole command (Deno start-up included), --json and text. Asserts nothing.
//   ./dce deno run -A bench/ops/status_bench.ts [--runs 9] [--channels 1000] [--records 10000]
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeRecord } from "../../lib/archive/archive_record.ts";
import { DISCORD_EPOCH_MS } from "../../lib/archive/snowflake.ts";
import { historyRecord } from "../../lib/ops/history_record.ts";
import { historyPath } from "../../lib/ops/run_history.ts";

const ROOT = resolve(import.meta.dirname ?? ".", "../..");
const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "9" },
    channels: { type: "string", default: "1000" },
    records: { type: "string", default: "10000" },
  },
});
const [RUNS, CHANNELS, RECORDS] = [values.runs, values.channels, values.records].map(Number) as [
  number,
  number,
  number,
];

const dir = await Deno.makeTempDir({ prefix: "status-bench-" });
try {
  const targets = ["alpha", "beta"];
  for (const t of targets) await Deno.mkdir(join(dir, t));
  const config = join(dir, "config.json");
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      archive_root: dir,
      targets: targets.map((t) => ({
        name: t,
        kind: "guild",
        output_dir: join(dir, t),
        guild_ids: ["1"],
      })),
    }),
  );
  const now = Date.now();
  const ids: Array<[string, string]> = [];
  for (let i = 0; i < CHANNELS; i++) {
    const target = targets[i % 2]!;
    const channelId = String(900000000000000000n + BigInt(i));
    ids.push([target, channelId]);
    const msg = String(BigInt(now - i * 60_000 - DISCORD_EPOCH_MS) << 22n);
    const path = join(dir, target, `Guild - channel ${i} [${channelId}].json`);
    await Deno.writeTextFile(
      path,
      `{\n  "guild": {},\n  "messages": [\n    {\n      "id": "${msg}"\n    }\n  ],\n  "messageCount": 1\n}`,
    );
    await writeRecord(path, { count: 1, channelId, guildLabel: "Guild", ours: false });
  }
  const lines: string[] = [];
  for (let r = 0; r < RECORDS; r++) {
    const end = new Date(now - (RECORDS - r) * 3600_000);
    const failing = ids.slice(r % 50, (r % 50) + 5); // a few channels fail in every run
    lines.push(JSON.stringify(historyRecord({
      tool: "run-documents-scrape",
      start: new Date(end.getTime() - 600_000),
      end,
      exitCode: 3,
      busy: false,
      targets,
      summary: {
        totals: { messages_appended: 10 },
        channels: ids.map(([target, channel_id]) => ({
          target,
          channel_id,
          action: failing.some(([, f]) => f === channel_id) ? "FAILED" : "UNCHANGED",
        })),
      },
    })));
  }
  await Deno.writeTextFile(historyPath(dir), lines.join("\n") + "\n");
  const size = (await Deno.stat(historyPath(dir))).size;

  const timeMs = async (args: string[]) => {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const out = await new Deno.Command(join(ROOT, "dce"), {
        args: ["status", "--config", config, ...args],
        stdout: "null",
        stderr: "piped",
      }).output();
      times.push(performance.now() - t0);
      if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr));
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  };
  console.log(
    `status bench: ${CHANNELS} channels, ${RECORDS} history records (${
      (size / 1048576).toFixed(1)
    } MiB), median of ${RUNS}`,
  );
  console.log(`  ./dce status --json   ${(await timeMs(["--json"])).toFixed(0)} ms`);
  console.log(`  ./dce status          ${(await timeMs([])).toFixed(0)} ms`);
} finally {
  await Deno.remove(dir, { recursive: true });
}
