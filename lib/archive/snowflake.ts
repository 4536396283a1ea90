// Discord snowflake ids kept as decimal strings (up to 20 digits, beyond 2^53): their numeric
// order, and which strings may serve as the `--after` cursor (docs/archive.md, "Cursor rules").

/** Strips leading zeros so "007" and "7" compare equal; "" and "0…0" become "0". */
function canonicalDigits(id: string): string {
  let i = 0;
  while (i < id.length - 1 && id.charCodeAt(i) === 48) i++;
  return i === 0 ? id : id.slice(i);
}

/**
 * Compares two decimal id strings numerically: shorter (after leading zeros) is smaller, equal
 * lengths compare lexically. Non-digit ids still get a total, deterministic order (by length then code units).
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const x = canonicalDigits(a);
  const y = canonicalDigits(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** True for a plain decimal id (what DCE writes for every message id). */
export function isDecimalId(id: string): boolean {
  return /^[0-9]{1,30}$/.test(id);
}

/**
 * The longest message id any archive tool accepts, in bytes. A snowflake has at most 20 digits; ids
 * that are not snowflakes but short are kept (the cursor ignores them), longer ones are refused so
 * that no id can overflow the external sort's record header (16-bit id length).
 */
export const MAX_ID_BYTES = 64;

/** Discord's epoch (2015-01-01T00:00:00Z): a snowflake's top 42 bits count milliseconds from it. */
export const DISCORD_EPOCH_MS = 1_420_070_400_000;

/**
 * How far a snowflake's timestamp may lie after our clock (clock skew). Kept small on purpose: a
 * cursor in the future hides every message posted before that moment for ever.
 */
export const SNOWFLAKE_FUTURE_TOLERANCE_MS = 10 * 60_000;

const MAX_SNOWFLAKE = (1n << 64n) - 1n;

/**
 * Why `id` cannot be the id of a message Discord has created by `now`, or null when it can:
 * ASCII digits only, no leading zero, at most 64 bits, a timestamp not after `now` plus the
 * tolerance. Cheap enough to call for every message of an archive.
 */
export function snowflakeProblem(id: string, now: Date): string | null {
  if (!/^[1-9][0-9]{0,19}$/.test(id)) {
    if (/^0[0-9]*$/.test(id)) return "it starts with a zero";
    if (id.length > 20 && /^[0-9]+$/.test(id)) return "it has more than 20 digits";
    return "it is not 1 to 20 ASCII digits";
  }
  const value = BigInt(id);
  if (value > MAX_SNOWFLAKE) return "it does not fit in 64 bits";
  const ms = Number(value >> 22n) + DISCORD_EPOCH_MS;
  if (ms > now.getTime() + SNOWFLAKE_FUTURE_TOLERANCE_MS) {
    return `its timestamp ${new Date(ms).toISOString()} is in the future`;
  }
  return null;
}

/** An id for a one-line message: JSON-quoted (no raw control characters), long ones shortened. */
export function quoteId(id: string): string {
  const shown = id.length > 40 ? `${id.slice(0, 40)}…` : id;
  const quoted = JSON.stringify(shown);
  return id.length > 40 ? `${quoted} (${id.length} characters)` : quoted;
}
