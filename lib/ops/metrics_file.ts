// --metrics-file: the run's outcome as a node_exporter textfile (gauges), replaced atomically so the
// collector never reads half a file.
import { basename, dirname, join } from "node:path";
import type { HistoryRecord } from "./run_history.ts";

interface Gauge {
  name: string;
  help: string;
  samples: { labels: Record<string, string>; value: number }[];
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function sample(name: string, labels: Record<string, string>, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
  return `${name}{${pairs}} ${value}`;
}

const seconds = (stamp: string) => Math.round(Date.parse(stamp) / 1000);

/**
 * The file's text for one run. `lastSuccess` (Unix seconds) is the newest ok run of this tool,
 * this one included; without one that series is left out (a gauge has no "never").
 */
export function metricsText(record: HistoryRecord, lastSuccess: number | null): string {
  const tool = { tool: record.tool };
  const perTarget = (field: "appended" | "failed" | "skipped") =>
    Object.entries(record.targets).map(([target, t]) => ({
      labels: { ...tool, target },
      value: t[field],
    }));
  const gauges: Gauge[] = [
    {
      name: "dce_last_run_timestamp_seconds",
      help: "When the last run ended (Unix time).",
      samples: [{ labels: tool, value: seconds(record.end) }],
    },
    {
      name: "dce_last_success_timestamp_seconds",
      help: "When the last successful (exit 0) run ended (Unix time).",
      samples: lastSuccess === null ? [] : [{ labels: tool, value: lastSuccess }],
    },
    {
      name: "dce_run_duration_seconds",
      help: "How long the last run took.",
      samples: [{ labels: tool, value: record.duration_s }],
    },
    {
      name: "dce_last_exit_code",
      help: "The last run's exit code (0 ok, 3 partial, 1 failed, 128+n interrupted).",
      samples: [{ labels: tool, value: record.exit_code }],
    },
    {
      name: "dce_messages_appended",
      help: "Messages the last run added to the archives, per target.",
      samples: perTarget("appended"),
    },
    {
      name: "dce_channels_failed",
      help: "Channels the last run failed to export (after retries), per target.",
      samples: perTarget("failed"),
    },
    {
      name: "dce_channels_skipped",
      help: "Channels the last run skipped (the token cannot read them), per target.",
      samples: perTarget("skipped"),
    },
  ];
  const lines: string[] = [];
  for (const g of gauges) {
    if (g.samples.length === 0) continue;
    lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`);
    for (const s of g.samples) lines.push(sample(g.name, s.labels, s.value));
  }
  return lines.join("\n") + "\n";
}

/** dce_last_success_timestamp_seconds of `tool` in a metrics file written earlier, or null. */
export async function previousLastSuccess(path: string, tool: string): Promise<number | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return null;
  }
  const wanted = sample("dce_last_success_timestamp_seconds", { tool }, 0).replace(/ 0$/, " ");
  const line = text.split("\n").find((l) => l.startsWith(wanted));
  const value = line === undefined ? NaN : Number(line.slice(wanted.length));
  return Number.isFinite(value) ? value : null;
}

/**
 * Writes `text` to `path` through a temporary file in the same folder and a rename. Something at
 * `path` that is not a regular file (a symlink, a folder) is refused, not replaced or followed.
 */
export async function writeMetricsFile(path: string, text: string): Promise<void> {
  try {
    const info = await Deno.lstat(path);
    if (!info.isFile) {
      throw new Error(
        `${path} exists and is not a regular file (${
          info.isSymlink ? "a symlink" : "a folder or device"
        }); refusing to replace it`,
      );
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  // No .prom ending: node_exporter's textfile collector reads *.prom only, never the temp file.
  const temp = join(dirname(path), `.${basename(path)}.${Deno.pid}.tmp`);
  try {
    await Deno.writeTextFile(temp, text, { mode: 0o644 });
    await Deno.rename(temp, path);
  } catch (err) {
    await Deno.remove(temp).catch(() => {});
    throw err;
  }
}
