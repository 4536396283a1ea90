// Strict UTF-8 over a stream of chunks (RFC 3629, as RFC 8259 requires of JSON text): no overlong
// forms, no surrogates encoded in UTF-8, nothing above U+10FFFF, no bytes 0xC0, 0xC1, 0xF5-0xFF,
// no sequence cut short. node:buffer's isUtf8 checks a chunk natively at many GB/s; only a chunk
// that fails is walked in JS, to name the first offending byte.
import { isUtf8 } from "node:buffer";

/** Bytes a sequence starting with `lead` has; 1 for ASCII and for bytes that cannot lead. */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 1;
}

/** Index of the first byte of the first ill-formed sequence in `b`, or -1 (a cut-off end is ill-formed). */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = sequenceLength(c);
    if (n === 1 || i + n > b.length) return i;
    const c1 = b[i + 1]!;
    // The second byte's range depends on the lead (Unicode Table 3-7): this excludes overlongs
    // (E0 80-9F, F0 80-8F), surrogates (ED A0-BF) and code points above U+10FFFF (F4 90-BF).
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (c1 < lo || c1 > hi) return i;
    for (let k = 2; k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += n;
  }
  return -1;
}

export class Utf8Check {
  /** The start of a sequence the previous chunk ended in. */
  private carry = new Uint8Array(0);
  /** The byte at the offset the last failing check returned. */
  badByte = 0;

  /**
   * Checks `chunk`, which starts at absolute offset `base`. Returns the absolute offset of the first
   * offending byte, or -1. A sequence cut by the chunk's end is held until the next chunk.
   */
  check(chunk: Uint8Array, base: number): number {
    let start = 0;
    if (this.carry.length > 0) {
      const need = sequenceLength(this.carry[0]!) - this.carry.length;
      const joined = new Uint8Array(this.carry.length + Math.min(need, chunk.length));
      joined.set(this.carry);
      joined.set(chunk.subarray(0, need), this.carry.length);
      const carriedFrom = base - this.carry.length;
      if (chunk.length < need) {
        this.carry = joined; // still short: decided with the next chunk (or the input is cut off)
        return -1;
      }
      if (!isUtf8(joined)) return this.fail(joined, carriedFrom);
      this.carry = new Uint8Array(0);
      start = need;
    }
    // Hold back a sequence the chunk's end cuts short.
    let end = chunk.length;
    let k = end - 1;
    while (k >= start && end - k <= 3 && (chunk[k]! & 0xc0) === 0x80) k--;
    if (k >= start && chunk[k]! >= 0xc0 && sequenceLength(chunk[k]!) > end - k) end = k;
    const body = chunk.subarray(start, end);
    if (!isUtf8(body)) return this.fail(body, base + start);
    this.carry = chunk.slice(end);
    return -1;
  }

  private fail(bytes: Uint8Array, offset: number): number {
    const i = Math.max(0, firstInvalidUtf8(bytes)); // isUtf8 and this walk agree; 0 if ever not
    this.badByte = bytes[i]!;
    return offset + i;
  }
}
