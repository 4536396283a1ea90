// All of a buffer into a file or stream: `write` may write only part of it (a file size limit, a
// full disk, a pipe). The synchronous twin for screens and lock records is lib/cli/output.ts's writeAll.

/** Anything with Deno.FsFile's async `write`. */
export interface AsyncWriter {
  write(p: Uint8Array): Promise<number>;
}

/** Writes every byte of `bytes`, looping over short writes. */
export async function writeAll(target: AsyncWriter, bytes: Uint8Array): Promise<void> {
  let rest = bytes;
  while (rest.length > 0) rest = rest.subarray(await target.write(rest));
}
