// The lock file's content: the holder's PID on line 1, its ownership token on line 2, then key=value lines.

export interface LockRecord {
  pid: number;
  token: string;
  host?: string;
  bootId?: string;
  starttime?: string;
}

export type ParsedLockFile =
  | { kind: "empty" }
  | { kind: "record"; record: LockRecord }
  | { kind: "garbage"; reason: string };

/** Largest PID Linux can hand out (PID_MAX_LIMIT); anything above is not a PID. */
export const PID_MAX_LIMIT = 4194304;

/** A strict decimal PID in 1..PID_MAX_LIMIT, or null: "0", "-1", "+5", " 5", "1e3" are not PIDs. */
export function parsePid(text: string): number | null {
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return null;
  const pid = Number(text);
  return pid <= PID_MAX_LIMIT ? pid : null;
}

const TOKEN_RE = /^[0-9a-f]{32}$/;

/** Parses lock-file content; tolerant of CRLF, strict about the PID and token. */
export function parseLockFile(text: string): ParsedLockFile {
  if (text.trim() === "") return { kind: "empty" };
  const lines = text.split("\n").map((line) => line.replace(/\r$/, ""));
  const pidLine = lines[0] ?? "";
  const pid = parsePid(pidLine.trim());
  if (pid === null) {
    return {
      kind: "garbage",
      reason: `first line ${JSON.stringify(pidLine.slice(0, 40))} is not a PID`,
    };
  }
  const token = (lines[1] ?? "").trim();
  // A bare PID (as other pidfile tools write) is still a record; it just carries no token.
  const record: LockRecord = { pid, token: TOKEN_RE.test(token) ? token : "" };
  for (const line of lines.slice(2)) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === "host" && record.host === undefined) record.host = value;
    else if (key === "boot_id" && record.bootId === undefined) record.bootId = value;
    else if (key === "starttime" && record.starttime === undefined) record.starttime = value;
  }
  return { kind: "record", record };
}

export function formatLockFile(record: LockRecord): string {
  const lines = [String(record.pid), record.token];
  if (record.host !== undefined) lines.push(`host=${record.host}`);
  if (record.bootId !== undefined) lines.push(`boot_id=${record.bootId}`);
  if (record.starttime !== undefined) lines.push(`starttime=${record.starttime}`);
  return lines.join("\n") + "\n";
}

/** 128 random bits as hex: the ownership token compared on release and reclaim. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
