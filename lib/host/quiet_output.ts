// run-scrape-host --quiet: the runner's lines and the exporter's live output go to a digest, not
// the screen; the script prints the digest only when the run fails or is partial.
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

export function quietOutput(
  digest: RunDigest,
): { output: HostOutput; stdout: ChunkSink; stderr: ChunkSink } {
  return {
    output: { out: (line) => digest.note(line), err: (line) => digest.note(line) },
    stdout: lineSink(digest),
    stderr: lineSink(digest),
  };
}
