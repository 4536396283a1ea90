// Positioned reads and writes on an open file (seek + loop), for code that patches files in place.

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
export async function readAt(
  file: Deno.FsFile,
  offset: number,
  length: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const buf = new Uint8Array(length);
  await file.seek(offset, Deno.SeekMode.Start);
  let got = 0;
  while (got < length) {
    const n = await file.read(buf.subarray(got));
    if (n === null) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** Writes `bytes` at `offset`, at most a MiB per call (bounded kernel copies; a kill can land between). */
export async function writeAllAt(file: Deno.FsFile, offset: number, bytes: Uint8Array) {
  await file.seek(offset, Deno.SeekMode.Start);
  let off = 0;
  while (off < bytes.length) off += await file.write(bytes.subarray(off, off + (1 << 20)));
}
