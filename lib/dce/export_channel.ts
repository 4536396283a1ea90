// Exports one channel through the DCE CLI into a given file and classifies the outcome.
import { exportArgv } from "./dce_cli_argv.ts";
import { classifyExport, type ExportOutcome } from "./classify_export.ts";
import type { DceCli } from "./dce_listings.ts";
import { type ChildHook, runDce, type Stream, type TailLine } from "./run_dce.ts";

export interface ExportChannelOptions {
  channelId: string;
  /** The file the CLI writes (an explicit path: DCE's default name changes with --after). */
  outputPath: string;
  /** Exclusive lower bound: the highest message id already archived. */
  after?: string;
  /** Exclusive upper bound (preflight probes use the channel id + 1: nothing can be older). */
  before?: string;
  onLine?: (line: string, stream: Stream) => void;
  onChild?: ChildHook;
}

export interface ExportChannelResult {
  outcome: ExportOutcome;
  code: number;
  signal: Deno.Signal | null;
  tail: readonly TailLine[];
}

export async function exportChannel(
  cli: DceCli,
  opts: ExportChannelOptions,
): Promise<ExportChannelResult> {
  const run = await runDce({
    bin: cli.bin,
    argv: exportArgv(opts.channelId, opts.outputPath, opts.after, opts.before),
    env: cli.env,
    ...(cli.signal ? { signal: cli.signal } : {}),
    ...(opts.onLine ? { onLine: opts.onLine } : {}),
    ...(opts.onChild ? { onChild: opts.onChild } : {}),
  });
  let outcome = classifyExport(run);
  if (outcome.kind === "ok" && !(await isNonEmptyFile(opts.outputPath))) {
    // Exit 0 without the file would be a CLI we do not understand: never treat it as "no news".
    outcome = {
      kind: "failed",
      reason: `the CLI exited 0 but wrote no export file at ${opts.outputPath}`,
    };
  }
  return { outcome, code: run.code, signal: run.signal, tail: run.tail };
}

async function isNonEmptyFile(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    return info.isFile && info.size > 0;
  } catch {
    return false;
  }
}
