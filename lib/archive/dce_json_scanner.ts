// Push-style byte scanner for DCE JSON exports: validates the grammar, re-indents values to DCE's
// layout, and reports each top-level field and each message as canonical bytes (never the whole file).
//
// Why a hand-written scanner: merging a multi-gigabyte archive must stream in bounded memory and keep
// every string byte-for-byte (DCE escapes emoji as \uD83D\uDE80; JSON.parse + stringify would not).
// Strings are copied verbatim; only whitespace between tokens is rewritten, so re-scanning our own output
// reproduces it exactly (idempotent) and DCE's own LF output passes through unchanged.

import { MAX_ID_BYTES } from "./snowflake.ts";
import { Utf8Check } from "./utf8_check.ts";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const UTF8_BOM = [0xef, 0xbb, 0xbf];

const OBJECT = 1;
const ARRAY = 2;

// What the grammar allows next.
const E_VALUE = 0; // a value (top-level start, after ":")
const E_VALUE_OR_CLOSE = 1; // after "["
const E_KEY_OR_CLOSE = 2; // after "{"
const E_KEY = 3; // after "," in an object
const E_COLON = 4;
const E_COMMA_OR_CLOSE = 5;
const E_DONE = 6; // the top-level value is complete

/**
 * DCE's header fields (guild, channel, dateRange, exportedAt) are a few hundred bytes. A bigger
 * top-level field means a foreign JSON file (the audit walks every *.json): refuse it rather than
 * buffer it whole.
 */
const MAX_HEADER_FIELD = 16 << 20;

const LITERAL = /^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)$/;

/** A malformed or incomplete document; `offset` is the absolute byte position. */
export class ScanError extends Error {
  readonly offset: number;
  readonly truncated: boolean;
  constructor(message: string, offset: number, truncated = false) {
    super(message);
    this.name = "ScanError";
    this.offset = offset;
    this.truncated = truncated;
  }
}

export interface ScanSink {
  /** A complete top-level field other than `messages`, as canonical bytes at depth 1. */
  field(key: string, canonical: Uint8Array): void;
  /** `"messages": [` was read; `offset` is the byte just after the `[`. */
  messagesStart(offset: number): void;
  /** One complete message object, canonical bytes (its own first line unindented, inner lines at DCE depth). */
  message(id: string | null, canonical: Uint8Array, startOffset: number, endOffset: number): void;
  /** The `]` of the messages array. */
  messagesEnd(): void;
}

/** Growable byte buffer; `bytes.subarray(0, length)` is the content. */
export class ByteBuffer {
  bytes: Uint8Array;
  length = 0;
  constructor(capacity = 4096) {
    this.bytes = new Uint8Array(capacity);
  }
  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }
  push(b: number): void {
    if (this.length === this.bytes.length) this.reserve(1);
    this.bytes[this.length++] = b;
  }
  append(src: Uint8Array): void {
    this.reserve(src.length);
    this.bytes.set(src, this.length);
    this.length += src.length;
  }
  indent(depth: number): void {
    const n = depth * 2 + 1;
    this.reserve(n);
    const b = this.bytes;
    let i = this.length;
    b[i++] = NEWLINE;
    for (let k = 1; k < n; k++) b[i++] = SPACE;
    this.length = i;
  }
  copy(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Feed chunks with `push`, then call `finish`. Events go to the sink synchronously. The scanner
 * holds only the value currently being captured (one message or one header field).
 */
export class DceJsonScanner {
  private readonly sink: ScanSink;
  private readonly out = new ByteBuffer(1 << 16);
  private readonly stack = new Uint8Array(512);
  private depth = 0;
  private expect = E_VALUE;
  private base = 0; // absolute offset of the current chunk
  // Token-in-progress state (tokens may span chunks).
  private inString = false;
  private escape = 0; // in a string: 0, -1 just after a backslash, 4..1 \u hex digits still due
  private inLiteral = false;
  private tokenStart = 0; // position in `out` where the current string/literal began
  private pendingOpen = false; // an opener was written; its newline waits for the next token
  // Document-level context.
  private topKey = "";
  private inMessages = false;
  private messagesSeen = false;
  private capturing = false;
  private messageStart = 0;
  private messageId: string | null = null;
  private idKeyNext = false; // the last message-level key was "id"
  private isKeyString = false;
  private readonly utf8 = new Utf8Check();
  private bomBytes = 0; // bytes of a leading UTF-8 byte-order mark seen
  messageCount = 0;

  constructor(sink: ScanSink) {
    this.sink = sink;
  }

  get done(): boolean {
    return this.expect === E_DONE;
  }

  /** Absolute byte offset just past everything consumed so far. */
  position = 0;

  push(chunk: Uint8Array): void {
    const bad = this.utf8.check(chunk, this.base);
    if (bad < 0) return this.scan(chunk);
    if (bad > this.base) this.scan(chunk.subarray(0, bad - this.base)); // errors before it first
    throw new ScanError(`the text is not valid UTF-8 (byte 0x${hex2(this.utf8.badByte)})`, bad);
  }

  private scan(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    const out = this.out;
    while (i < n) {
      if (this.inString) {
        i = this.scanString(chunk, i);
        continue;
      }
      const c = chunk[i]!;
      if (this.inLiteral) {
        if (
          c === COMMA || c === RBRACE || c === RBRACKET || c === COLON || c === SPACE ||
          c === NEWLINE || c === 0x0d || c === 0x09 || c === QUOTE || c === LBRACE || c === LBRACKET
        ) {
          this.endLiteral(this.base + i);
          continue; // reprocess the delimiter
        }
        out.push(c);
        i++;
        continue;
      }
      if (c === SPACE || c === NEWLINE || c === 0x0d || c === 0x09) {
        // Indentation comes in runs: skip the whole run in a tight loop.
        i++;
        while (i < n) {
          const d = chunk[i]!;
          if (d !== SPACE && d !== NEWLINE && d !== 0x0d && d !== 0x09) break;
          i++;
        }
        continue;
      }
      const at = this.base + i;
      switch (this.expect) {
        case E_COMMA_OR_CLOSE:
          if (c === COMMA) {
            this.comma(at);
          } else if (c === RBRACE || c === RBRACKET) {
            this.close(c, at);
          } else {
            throw new ScanError(`expected "," or a closing bracket, found ${show(c)}`, at);
          }
          i++;
          continue;
        case E_COLON:
          if (c !== COLON) {
            throw new ScanError(`expected ":" after an object key, found ${show(c)}`, at);
          }
          if (this.capturing) {
            out.push(COLON);
            out.push(SPACE);
          }
          this.expect = E_VALUE;
          i++;
          continue;
        case E_KEY_OR_CLOSE:
        case E_KEY:
          if (c === QUOTE) {
            this.beginValueToken(at);
            this.isKeyString = true;
            this.startString();
            i++;
            continue;
          }
          if (c === RBRACE && this.expect === E_KEY_OR_CLOSE) {
            this.close(c, at);
            i++;
            continue;
          }
          throw new ScanError(`expected an object key, found ${show(c)}`, at);
        case E_VALUE_OR_CLOSE:
          if (c === RBRACKET) {
            this.close(c, at);
            i++;
            continue;
          }
        /* falls through */
        case E_VALUE:
          if (this.depth === 0 && c !== LBRACE) {
            if (at === this.bomBytes && c === UTF8_BOM[at]) {
              this.bomBytes++; // a byte-order mark may precede the document (RFC 8259, section 8.1)
              i++;
              continue;
            }
            const jsonStart = c === LBRACKET || c === QUOTE || c === 0x2d ||
              (c >= 0x30 && c <= 0x39) ||
              c === 0x74 || c === 0x66 || c === 0x6e;
            throw new ScanError(
              jsonStart
                ? `the document is not a JSON object (a DCE export starts with "{")`
                : `the document does not start like JSON (found ${show(c)})`,
              at,
            );
          }
          if (this.inMessages && this.depth === 2 && c !== LBRACE) {
            throw new ScanError(`message ${this.messageCount + 1} is not a JSON object`, at);
          }
          this.beginValueToken(at);
          if (c === QUOTE) {
            this.isKeyString = false;
            this.startString();
            i++;
          } else if (c === LBRACE || c === LBRACKET) {
            this.open(c, at);
            i++;
          } else if (c === RBRACE || c === RBRACKET || c === COMMA || c === COLON) {
            throw new ScanError(`expected a value, found ${show(c)}`, at);
          } else {
            this.inLiteral = true;
            this.tokenStart = out.length;
            out.push(c);
            i++;
          }
          continue;
        case E_DONE:
          throw new ScanError(`unexpected ${show(c)} after the end of the document`, at);
      }
    }
    this.base += n;
    this.position = this.base;
    if (this.capturing && !this.inMessages && out.length > MAX_HEADER_FIELD) {
      throw new ScanError(
        `top-level field "${this.topKey}" is not a DCE header: larger than ${
          MAX_HEADER_FIELD >> 20
        } MiB`,
        this.base,
      );
    }
  }

  /** Call at end of input: throws a truncated ScanError unless the document is complete. */
  finish(): void {
    if (this.inLiteral || this.expect !== E_DONE) {
      const where = this.inMessages ? `inside message ${this.messageCount + 1}` : "before the end";
      throw new ScanError(`the document ends ${where} (truncated)`, this.base, true);
    }
  }

  // --- token handling -------------------------------------------------------------------------

  /** Called before the first byte of any value or key: starts a capture and writes pending layout. */
  private beginValueToken(at: number): void {
    if (!this.capturing) {
      if (this.depth === 1 && this.expect === E_VALUE && this.topKey !== "messages") {
        this.capturing = true;
        this.out.length = 0;
        this.pendingOpen = false;
      } else if (this.inMessages && this.depth === 2) {
        this.capturing = true;
        this.out.length = 0;
        this.pendingOpen = false;
        this.messageStart = at;
        this.messageId = null;
        this.idKeyNext = false;
      } else if (this.depth === 1) {
        // A top-level key: collected into `out` temporarily, not captured.
        this.out.length = 0;
        return;
      } else {
        return;
      }
    }
    if (this.pendingOpen) {
      this.pendingOpen = false;
      this.out.indent(this.depth);
    }
  }

  private startString(): void {
    this.inString = true;
    this.escape = 0;
    this.tokenStart = this.out.length;
    this.out.push(QUOTE);
  }

  /**
   * Copies string bytes up to and including the closing quote; returns the next index. Checks what
   * RFC 8259 allows inside a string: no raw control character (below 0x20), and only the escapes
   * \" \\ \/ \b \f \n \r \t and \u with four hex digits. (UTF-8 is checked per chunk in push.)
   */
  private scanString(chunk: Uint8Array, from: number): number {
    const n = chunk.length;
    let i = from;
    for (;;) {
      if (this.escape !== 0) {
        if (i === n) break;
        this.escapeByte(chunk[i]!, this.base + i);
        i++;
        continue;
      }
      // Plain bytes up to the next quote, backslash or control character, in one tight loop.
      let c = 0;
      while (i < n) {
        c = chunk[i]!;
        if (c === QUOTE || c === BACKSLASH || c < 0x20) break;
        i++;
      }
      if (i === n) break;
      if (c === BACKSLASH) {
        this.escape = -1;
        i++;
        continue;
      }
      if (c < 0x20) {
        throw new ScanError(
          `a string holds a raw control character (byte 0x${hex2(c)}); JSON needs it escaped`,
          this.base + i,
        );
      }
      this.copyString(chunk, from, i + 1);
      this.inString = false;
      this.endString(this.base + i);
      return i + 1;
    }
    this.copyString(chunk, from, n);
    return n;
  }

  /** One byte after a backslash (escape -1) or of a \u escape's hex digits (escape 4..1 left). */
  private escapeByte(c: number, at: number): void {
    if (this.escape === -1) {
      if (c === 0x75) {
        this.escape = 4;
      } else if (
        c === QUOTE || c === BACKSLASH || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e ||
        c === 0x72 || c === 0x74
      ) {
        this.escape = 0;
      } else {
        throw new ScanError(`a string holds an invalid escape "\\${printable(c)}"`, at - 1);
      }
      return;
    }
    const isHex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
    if (!isHex) {
      throw new ScanError(
        `a string holds an invalid \\u escape (four hex digits needed, found ${printable(c)})`,
        at,
      );
    }
    this.escape--;
  }

  private copyString(chunk: Uint8Array, from: number, to: number): void {
    const out = this.out;
    const len = to - from;
    if (len <= 24) {
      // Most strings are short keys: a byte loop beats allocating a view.
      out.reserve(len);
      const dst = out.bytes;
      let k = out.length;
      for (let j = from; j < to; j++) dst[k++] = chunk[j]!;
      out.length = k;
    } else {
      out.append(chunk.subarray(from, to));
    }
  }

  private endString(at: number): void {
    if (this.isKeyString) {
      this.isKeyString = false;
      if (this.depth === 1 && !this.capturing) {
        this.topKey = parseKey(this.out.bytes.subarray(this.tokenStart, this.out.length), at);
        this.out.length = 0;
      } else if (this.inMessages && this.depth === 3) {
        const b = this.out.bytes;
        const s = this.tokenStart;
        this.idKeyNext = this.out.length - s === 4 && b[s + 1] === 0x69 && b[s + 2] === 0x64;
      }
      this.expect = E_COLON;
      return;
    }
    if (this.idKeyNext && this.depth === 3) {
      this.idKeyNext = false;
      this.messageId = this.idFrom(this.out.bytes, this.tokenStart + 1, this.out.length - 1, at);
    }
    this.valueDone(at);
  }

  private endLiteral(at: number): void {
    this.inLiteral = false;
    const b = this.out.bytes;
    const start = this.tokenStart;
    const end = this.out.length;
    if (!isJsonLiteral(b, start, end)) {
      const text = decoder.decode(b.subarray(start, end));
      if (!LITERAL.test(text)) {
        throw new ScanError(
          `invalid literal ${JSON.stringify(text.slice(0, 40))}`,
          at - text.length,
        );
      }
    }
    if (this.idKeyNext && this.depth === 3) {
      this.idKeyNext = false;
      this.messageId = this.idFrom(b, start, end, at);
    }
    this.valueDone(at);
  }

  /** A message's id; one far longer than any snowflake is refused (the sort's run files bound it). */
  private idFrom(b: Uint8Array, start: number, end: number, at: number): string {
    if (end - start > MAX_ID_BYTES) {
      throw new ScanError(
        `message ${this.messageCount + 1} has an id of ${
          end - start
        } bytes; a Discord id has at most 20 digits and ids over ${MAX_ID_BYTES} bytes are refused`,
        at - (end - start),
      );
    }
    return asciiOrUtf8(b, start, end);
  }

  private open(c: number, at: number): void {
    if (this.depth === 0 && c !== LBRACE) {
      throw new ScanError('the document is not a JSON object (a DCE export starts with "{")', at);
    }
    if (this.depth === 0 && this.bomBytes % 3 !== 0) {
      throw new ScanError("the document starts with a partial byte-order mark", 0);
    }
    if (this.depth >= this.stack.length) throw new ScanError("nesting is too deep", at);
    if (this.depth === 1 && this.topKey === "messages") {
      if (c !== LBRACKET) throw new ScanError('"messages" is not an array', at);
      // Readers stop after the first array, so a second one would silently drop out of a merge.
      if (this.messagesSeen) {
        throw new ScanError('"messages" is not unique (a second "messages" key)', at);
      }
      this.stack[this.depth++] = ARRAY;
      this.inMessages = true;
      this.messagesSeen = true;
      this.expect = E_VALUE_OR_CLOSE;
      this.sink.messagesStart(at + 1);
      return;
    }
    if (this.inMessages && this.depth === 2 && c !== LBRACE) {
      throw new ScanError(`message ${this.messageCount + 1} is not a JSON object`, at);
    }
    this.stack[this.depth++] = c === LBRACE ? OBJECT : ARRAY;
    this.expect = c === LBRACE ? E_KEY_OR_CLOSE : E_VALUE_OR_CLOSE;
    if (this.capturing) {
      this.out.push(c);
      this.pendingOpen = true;
    }
  }

  private close(c: number, at: number): void {
    const kind = this.stack[this.depth - 1];
    if ((c === RBRACE) !== (kind === OBJECT)) {
      throw new ScanError(`mismatched ${show(c)}`, at);
    }
    this.depth--;
    if (this.depth === 0) {
      this.expect = E_DONE;
      if (!this.messagesSeen) {
        throw new ScanError('the document has no "messages" array (not a DCE export)', at);
      }
      return;
    }
    if (this.inMessages && this.depth === 1) {
      this.inMessages = false;
      this.sink.messagesEnd();
      this.expect = E_COMMA_OR_CLOSE;
      return;
    }
    if (this.capturing) {
      if (this.pendingOpen) {
        this.pendingOpen = false; // empty container: "{}" / "[]" on one line
      } else {
        this.out.indent(this.depth);
      }
      this.out.push(c);
    }
    this.valueDone(at);
  }

  private comma(_at: number): void {
    const kind = this.stack[this.depth - 1];
    this.expect = kind === OBJECT ? E_KEY : E_VALUE;
    if (this.capturing) {
      this.out.push(COMMA);
      this.out.indent(this.depth);
    }
  }

  /** A value (scalar or container) just completed at the current depth. */
  private valueDone(at: number): void {
    this.expect = E_COMMA_OR_CLOSE;
    if (!this.capturing) return;
    if (this.inMessages && this.depth === 2) {
      this.capturing = false;
      this.messageCount++;
      if (this.messageId === null) {
        throw new ScanError(`message ${this.messageCount} has no "id"`, this.messageStart);
      }
      this.sink.message(this.messageId, this.out.copy(), this.messageStart, at + 1);
      this.out.length = 0;
    } else if (!this.inMessages && this.depth === 1) {
      this.capturing = false;
      this.sink.field(this.topKey, this.out.copy());
      this.out.length = 0;
    }
  }
}

/** Fast path of the LITERAL grammar on bytes (true, false, null, integers); false = check with the regex. */
function isJsonLiteral(b: Uint8Array, start: number, end: number): boolean {
  const first = b[start];
  const len = end - start;
  if (first === 0x74) {
    return len === 4 && b[start + 1] === 0x72 && b[start + 2] === 0x75 && b[start + 3] === 0x65;
  }
  if (first === 0x66) {
    return len === 5 && b[start + 1] === 0x61 && b[start + 2] === 0x6c && b[start + 3] === 0x73 &&
      b[start + 4] === 0x65;
  }
  if (first === 0x6e) {
    return len === 4 && b[start + 1] === 0x75 && b[start + 2] === 0x6c && b[start + 3] === 0x6c;
  }
  let i = start;
  if (b[i] === 0x2d) i++;
  if (i >= end) return false;
  if (b[i] === 0x30) return i + 1 === end;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Decodes a short byte range; plain ASCII (every id) without the TextDecoder round trip. */
function asciiOrUtf8(b: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c >= 0x80 || c === BACKSLASH) return decoder.decode(b.subarray(start, end));
    s += String.fromCharCode(c);
  }
  return s;
}

function parseKey(bytes: Uint8Array, at: number): string {
  try {
    return JSON.parse(decoder.decode(bytes)) as string;
  } catch {
    throw new ScanError("invalid object key", at);
  }
}

function hex2(c: number): string {
  return c.toString(16).toUpperCase().padStart(2, "0");
}

/** A byte for a message: the character when printable ASCII, else its hex value. */
function printable(c: number): string {
  return c > 0x20 && c < 0x7f ? String.fromCharCode(c) : `byte 0x${hex2(c)}`;
}

function show(c: number): string {
  return c >= 0x20 && c < 0x7f
    ? JSON.stringify(String.fromCharCode(c))
    : `byte 0x${c.toString(16)}`;
}
