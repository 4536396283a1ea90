// Durations an operator types: `90s`, `45m`, `36h`, `7d`, `2w`, or plain seconds.
import { UsageError } from "./errors.ts";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Seconds; a malformed or non-positive value is a usage error naming `option`. */
export function parseDuration(value: string, option: string): number {
  const m = /^(\d{1,9})([smhdw]?)$/.exec(value.trim());
  const seconds = m ? Number(m[1]) * UNIT_SECONDS[m[2] || "s"]! : 0;
  if (seconds <= 0) {
    throw new UsageError(
      `${option} '${value}' is not a duration: use a positive number with s, m, h, d or w (e.g. 36h).`,
    );
  }
  return seconds;
}
