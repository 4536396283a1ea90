// A second name for a file's bytes that is always a NEW file: a hard link, else a copy into a file
// created exclusively. A name already taken (a planted link, even a dangling one) is never followed.
import { writeAll } from "./write_all.ts";

/**
 * Makes `to` hold `from`'s bytes: a hard link (the same inode), else, where links are not possible,
 * a copy into a file created with O_CREAT|O_EXCL and fsynced (a partial copy is removed). Throws
 * Deno.errors.AlreadyExists when `to` exists in any form; nothing is written through it.
 */
export async function linkOrCopyNew(from: string, to: string): Promise<void> {
  try {
    await Deno.link(from, to);
    return;
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) throw err;
  }
  using source = await Deno.open(from, { read: true });
  const mode = ((await source.stat()).mode ?? 0o600) & 0o777;
  const target = await Deno.open(to, { write: true, createNew: true, mode });
  try {
    const buf = new Uint8Array(1 << 20);
    for (let n; (n = await source.read(buf)) !== null;) await writeAll(target, buf.subarray(0, n));
    await target.sync();
  } catch (err) {
    await Deno.remove(to).catch(() => {});
    throw err;
  } finally {
    target.close();
  }
}
