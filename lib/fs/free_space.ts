// Free space and mount point of a folder, read from the filesystem itself (statfs), never by parsing df.
import { statfs } from "node:fs";
import { dirname } from "node:path";
import { promisify } from "node:util";

const statfsAsync = promisify(statfs);

export interface FreeSpace {
  /** The mount point the folder lives on (the topmost ancestor on the same device). */
  mountPoint: string;
  /** Bytes available to an unprivileged writer (f_bavail × f_bsize), as df's "Available". */
  availableBytes: bigint;
  totalBytes: bigint;
  /** Bytes in use (total − free), as df's "Used". */
  usedBytes: bigint;
}

/** Walks up from the real path while the device id stays the same. */
export async function mountPointOf(path: string): Promise<string> {
  let current = await Deno.realPath(path);
  const device = (await Deno.stat(current)).dev;
  for (;;) {
    const parent = dirname(current);
    if (parent === current) return current;
    if ((await Deno.stat(parent)).dev !== device) return current;
    current = parent;
  }
}

export async function freeSpace(path: string): Promise<FreeSpace> {
  const stats = await statfsAsync(path, { bigint: true });
  return {
    mountPoint: await mountPointOf(path),
    availableBytes: stats.bavail * stats.bsize,
    totalBytes: stats.blocks * stats.bsize,
    usedBytes: (stats.blocks - stats.bfree) * stats.bsize,
  };
}

const MIB = 1024n * 1024n;

export function toMiB(bytes: bigint): number {
  return Number(bytes / MIB);
}

/** 1.5G, 820M, 12K: the human-readable sizes of `df -h`. */
export function humanSize(bytes: bigint): string {
  const units = ["B", "K", "M", "G", "T", "P"];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = value >= 10 || unit === 0 ? Math.round(value).toString() : value.toFixed(1);
  return `${text}${units[unit]}`;
}
