// Line output for tools: the OpsOutput interface and screen writers that survive a closed terminal.

export interface OpsOutput {
  /** A line for stdout (and the log). */
  out(line: string): void;
  /** A diagnostic line for stderr (and the log). */
  err(line: string): void;
}

export type Write = (text: string) => void;

const encoder = new TextEncoder();

/**
 * Writes all of `data` synchronously (writeSync may write only part of it): the one sync write-all,
 * for screens, logs and lock records alike. The async one is lib/fs/write_all.ts.
 */
export function writeAll(
  target: { writeSync(p: Uint8Array): number },
  data: string | Uint8Array,
): void {
  let bytes = typeof data === "string" ? encoder.encode(data) : data;
  while (bytes.length > 0) bytes = bytes.subarray(target.writeSync(bytes));
}

/**
 * Writes to our stdout or stderr. A screen that went away (`| head`: BrokenPipe; a hung-up
 * terminal: EIO) must not stop the workflow, the children it waits for, or its log file: after the
 * first failed write the screen output is dropped.
 */
export function screenWriter(target: { writeSync(p: Uint8Array): number }): Write {
  let broken = false;
  return (text) => {
    if (broken) return;
    try {
      writeAll(target, text);
    } catch {
      broken = true;
    }
  };
}

export const stdoutWrite: Write = screenWriter(Deno.stdout);
export const stderrWrite: Write = screenWriter(Deno.stderr);
