// Numeric ordering of Discord snowflake ids kept as decimal strings (up to 20 digits, beyond 2^53).

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
