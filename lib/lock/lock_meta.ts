// The holder record for people and legacy tools (<lock>.meta): key=value lines, legacy keys first.

import { writeAll } from "../cli/output.ts";

export interface ChildRecord {
  pid: number;
  starttime: string | null;
}

export interface LockMeta {
  pid?: number;
  /** As written: ours is UTC YYYY-MM-DDTHH:MM:SSZ; legacy files may use other formats. */
  started?: string;
  cmd?: string;
  host?: string;
  bootId?: string;
  starttime?: string;
  token?: string;
  checkout?: string;
  tool?: string;
  children: ChildRecord[];
}

export const CMD_MAX_BYTES = 500;

/** Parses .meta tolerantly: first occurrence of a key wins, unknown keys and junk lines are ignored. */
export function parseMeta(text: string): LockMeta {
  const meta: LockMeta = { children: [] };
  const seen = new Set<string>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === "child") {
      const [pidText, start] = value.split(" ");
      const pid = /^[1-9][0-9]{0,9}$/.test(pidText ?? "") ? Number(pidText) : NaN;
      if (Number.isSafeInteger(pid)) {
        meta.children.push({ pid, starttime: start && /^\d+$/.test(start) ? start : null });
      }
      continue;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    switch (key) {
      case "pid": {
        const pid = /^[1-9][0-9]{0,9}$/.test(value.trim()) ? Number(value.trim()) : NaN;
        if (Number.isSafeInteger(pid)) meta.pid = pid;
        break;
      }
      case "started":
        meta.started = value;
        break;
      case "cmd":
        meta.cmd = value;
        break;
      case "host":
        meta.host = value;
        break;
      case "boot_id":
        meta.bootId = value;
        break;
      case "starttime":
        if (/^\d+$/.test(value)) meta.starttime = value;
        break;
      case "token":
        meta.token = value;
        break;
      case "checkout":
        meta.checkout = value;
        break;
      case "tool":
        meta.tool = value;
        break;
    }
  }
  return meta;
}

/** One line, no control characters that would break a key=value file. */
function oneLine(value: string): string {
  // deno-lint-ignore no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]+/g, " ");
}

export function formatMeta(meta: LockMeta): string {
  const lines: string[] = [];
  const add = (key: string, value: string | number | undefined) => {
    if (value !== undefined) lines.push(`${key}=${oneLine(String(value))}`);
  };
  add("pid", meta.pid);
  add("started", meta.started);
  add("cmd", meta.cmd === undefined ? undefined : truncateBytes(oneLine(meta.cmd), CMD_MAX_BYTES));
  add("host", meta.host);
  add("boot_id", meta.bootId);
  add("starttime", meta.starttime);
  add("token", meta.token);
  add("checkout", meta.checkout);
  add("tool", meta.tool);
  for (const child of meta.children) {
    lines.push(`child=${child.pid} ${child.starttime ?? ""}`.trim());
  }
  return lines.join("\n") + "\n";
}

/** Cuts to at most `max` UTF-8 bytes without splitting a character. */
export function truncateBytes(text: string, max: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= max) return text;
  let end = max;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.slice(0, end));
}

const REDACTED = "[REDACTED]";
/** `--token X` / `-t X` in any letter case: a value follows as the next word. */
const SECRET_OPTION = /^(--token|-t)$/i;
/** `--token=X`, `-t=X`, `-tX` (short options take their value attached) in any letter case. */
const SECRET_ATTACHED = /^(--token=|-t=?)(?=.)/i;

/**
 * The command line as recorded in .meta: token values redacted (every spelling of DCE's `-t` /
 * `--token` option, `DISCORD_TOKEN=…`, and the env's DISCORD_TOKEN anywhere), one line, at most
 * 500 bytes. Letter case is ignored on purpose: hiding a harmless `-T` costs nothing.
 */
export function redactCommand(argv: string[], secret?: string): string {
  const out: string[] = [];
  let hideNext = false;
  for (const arg of argv) {
    if (hideNext) {
      out.push(REDACTED);
      hideNext = false;
      continue;
    }
    let shown = arg;
    const attached = SECRET_ATTACHED.exec(arg);
    if (SECRET_OPTION.test(arg)) hideNext = true;
    else if (attached !== null) shown = `${attached[1]}${REDACTED}`;
    shown = shown.replace(/(DISCORD_TOKEN=)[^\s'"]*/gi, `$1${REDACTED}`);
    if (secret && secret.length >= 4) shown = shown.split(secret).join(REDACTED);
    out.push(shown);
  }
  return truncateBytes(oneLine(out.join(" ")), CMD_MAX_BYTES);
}

/** UTC `YYYY-MM-DDTHH:MM:SSZ`. */
export function utcStamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function metaPathOf(lockPath: string): string {
  return `${lockPath}.meta`;
}

/**
 * Publishes meta whole: a temp file in the same folder, then rename over, so a reader sees the
 * old record or the new one, never a mix. Rename replaces a symlink at the meta path itself and
 * never writes through it.
 */
export function writeMetaAtomic(lockPath: string, meta: LockMeta, tag: string): void {
  const target = metaPathOf(lockPath);
  const temp = `${target}.${tag}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  const file = Deno.openSync(temp, { write: true, createNew: true, mode: 0o644 });
  try {
    writeAll(file, formatMeta(meta));
  } catch (err) {
    file.close();
    try {
      Deno.removeSync(temp);
    } catch { /* best effort */ }
    throw err;
  }
  file.close();
  try {
    Deno.renameSync(temp, target);
  } catch (err) {
    try {
      Deno.removeSync(temp);
    } catch { /* best effort */ }
    throw err;
  }
}

/** Reads .meta; null when absent. Only regular files are read, capped at 64 KiB. */
export function readMeta(lockPath: string): LockMeta | null {
  const path = metaPathOf(lockPath);
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  if (!info.isFile) return null;
  const text = readCapped(path, 65536);
  return text === null ? null : parseMeta(text);
}

/** Reads at most `cap` bytes of a regular file; null if it vanished. */
export function readCapped(path: string, cap: number): string | null {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  try {
    return readFromFile(file, cap);
  } finally {
    file.close();
  }
}

/** Reads up to `cap` bytes from the start of an open file. */
export function readFromFile(file: Deno.FsFile, cap: number): string {
  file.seekSync(0, Deno.SeekMode.Start);
  const buf = new Uint8Array(cap);
  let total = 0;
  while (total < cap) {
    const n = file.readSync(buf.subarray(total));
    if (n === null || n === 0) break;
    total += n;
  }
  return new TextDecoder().decode(buf.subarray(0, total));
}
