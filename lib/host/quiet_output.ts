// run-scrape-host's digest: the runner's lines and the exporter's live output go to it (with --quiet
// instead of the screen, else as well); the script prints it only when a quiet run fails or is
// partial, and hands it to the failure hook.
import type { RunDigest } from "../cli/run_digest.ts";
import type { ChunkSink } from "./host_output_tail.ts";
import type { HostOutput } from "./host_run_options.ts";

/** A sink that cuts raw chunks into lines for the digest (a line split across chunks is joined). */
function lineSink(digest: RunDigest): ChunkSink {
  const decoder = new TextDecoder();
  let pending = "";
  return (chunk) => {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) digest.note(line);
    // A runaway line without a newline is not worth holding: digest lines are short.
    if (pending.length > 64 * 1024) pending = "";
    return Promise.resolve();
  };
}

export function quietOutput(digest: RunDigest): HostSinks {
  return {
    output: { out: (line) => digest.note(line), err: (line) => digest.note(line) },
    stdout: lineSink(digest),
    stderr: lineSink(digest),
  };
}

type HostSinks = { output: HostOutput; stdout: ChunkSink; stderr: ChunkSink };

/** Everything goes to both `a` and `b` (the screen and the digest). */
export function teeOutput(a: HostSinks, b: HostSinks): HostSinks {
  // A screen that went away (BrokenPipe) gets nothing more; the digest still gets everything.
  const both = (x: ChunkSink, y: ChunkSink): ChunkSink => {
    let xGone = false;
    return async (chunk) => {
      if (!xGone) await x(chunk).catch(() => (xGone = true));
      await y(chunk);
    };
  };
  return {
    output: {
      out: (line) => (a.output.out(line), b.output.out(line)),
      err: (line) => (a.output.err(line), b.output.err(line)),
    },
    stdout: both(a.stdout, b.stdout),
    stderr: both(a.stderr, b.stderr),
  };
}
