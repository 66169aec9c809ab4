/**
 * Reads one NDJSON line's flat JSON object straight from its bytes, without decoding the
 * line or building an object: the names and values are located (byte ranges), and only
 * what a caller asks for is decoded. This is the input side of the line fast path (see
 * pipeline/processor.ts); every line it does not take goes through TextDecoder + JSON.parse
 * as before, which also reports the errors.
 *
 * It takes an object whose members are strings, numbers, true, false or null, with JSON's
 * whitespace anywhere between tokens, and it answers false (declines) for everything else:
 * a nested object or array, a name with an escape, an invalid token, a raw control
 * character in a string, anything after the closing brace. So what it takes, it reads as
 * JSON.parse would; a test compares the two on arbitrary input. The bytes must be valid
 * UTF-8 (the line splitter checks each chunk). Duplicate names are not looked for here:
 * the normalizer's key-sequence trie, built from JSON.parse objects, never matches one.
 */
import { FNV_SEED, fnvHash } from '../core/hash.js';
import type { LineFields } from '../core/record.js';

/** Members a line may have on the fast path; a wider record takes the JSON.parse path. */
export const MAX_SCANNED_MEMBERS = 128;

const enum Kind {
  /** A string without escapes whose bytes are all ASCII. */
  Ascii,
  /** A string without escapes with some non-ASCII bytes. */
  Utf8,
  /** A string with backslash escapes: decoded by JSON.parse when asked for. */
  Escaped,
  /** An integer of at most 15 digits, not -0: its digits are its text. */
  Integer,
  /** Any other number. */
  Number,
  True,
  False,
  Null,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;


/** Distinct values repeatedValue() remembers (bounded: they come from the input). */
const REPEATED_LIMIT = 1024;

/**
 * STRING_BYTE[b]: ORDINARY for a byte a string's scan just passes (printable ASCII but `"`
 * and `\`), NON_ASCII for the bytes of other characters, STOP for `"`, `\` and controls.
 */
const ORDINARY = 0;
const NON_ASCII = 1;
const STOP = 2;
const STRING_BYTE = new Uint8Array(256).map((_, b) =>
  b >= 0x80 ? NON_ASCII : b >= 0x20 && b !== QUOTE && b !== BACKSLASH ? ORDINARY : STOP,
);

/** Integers up to this many digits are exact doubles whose String() is the digits. */
const EXACT_DIGITS = 15;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

export class JsonLineScanner implements LineFields {
  /** The buffer of the line last scanned (a Buffer, whose toString decodes the values asked for). */
  bytes: Buffer = Buffer.alloc(0);
  count = 0;
  readonly keyStart = new Int32Array(MAX_SCANNED_MEMBERS);
  readonly keyEnd = new Int32Array(MAX_SCANNED_MEMBERS);
  readonly valueStart = new Int32Array(MAX_SCANNED_MEMBERS);
  readonly valueEnd = new Int32Array(MAX_SCANNED_MEMBERS);
  private readonly kind = new Uint8Array(MAX_SCANNED_MEMBERS);
  /** A DataView of exactly the current buffer, made once per buffer: strings are scanned a word at a time. */
  bytesView: DataView = new DataView(new ArrayBuffer(0));
  /** Values decoded by repeatedValue(), by a hash of their bytes. */
  private readonly repeated = new Map<number, { readonly bytes: Uint8Array; readonly integer: boolean; readonly value: unknown }>();

  /** Reads bytes[start, end) (one line, no LF); false when the line is not for the fast path. */
  scan(bytes: Buffer, start: number, end: number): boolean {
    if (bytes !== this.bytes) this.bytesView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.bytes = bytes;
    this.count = 0;
    let p = skipWhitespace(bytes, start, end);
    if (p >= end || bytes[p] !== OPEN) return false;
    p = skipWhitespace(bytes, p + 1, end);
    if (p < end && bytes[p] === CLOSE) return skipWhitespace(bytes, p + 1, end) === end;
    for (;;) {
      const n = this.count;
      if (n === MAX_SCANNED_MEMBERS || p >= end || bytes[p] !== QUOTE) return false;
      // The name: no escapes, no control characters.
      const keyStart = p + 1;
      p = keyStart;
      while (p < end && STRING_BYTE[bytes[p]!] !== STOP) p++;
      if (p >= end || bytes[p] !== QUOTE) return false;
      this.keyStart[n] = keyStart;
      this.keyEnd[n] = p;
      p = skipWhitespace(bytes, p + 1, end);
      if (p >= end || bytes[p] !== COLON) return false;
      p = skipWhitespace(bytes, p + 1, end);
      if (p >= end) return false;
      p = this.scanValue(bytes, p, end, n);
      if (p < 0) return false;
      this.count = n + 1;
      p = skipWhitespace(bytes, p, end);
      if (p >= end) return false;
      const c = bytes[p]!;
      if (c === CLOSE) return skipWhitespace(bytes, p + 1, end) === end;
      if (c !== COMMA) return false;
      p = skipWhitespace(bytes, p + 1, end);
    }
  }

  /** Reads the value at `p` into member `n`; the position after it, or -1. */
  private scanValue(bytes: Buffer, p: number, end: number, n: number): number {
    const c = bytes[p]!;
    if (c === QUOTE) return this.scanString(bytes, p + 1, end, n);
    if (c === MINUS || isDigit(c)) return this.scanNumber(bytes, p, end, n);
    if (c === 0x74 /* t */) return this.literal(bytes, p, end, n, TRUE, Kind.True);
    if (c === 0x66 /* f */) return this.literal(bytes, p, end, n, FALSE, Kind.False);
    if (c === 0x6e /* n */) return this.literal(bytes, p, end, n, NULL, Kind.Null);
    return -1;
  }

  private scanString(bytes: Buffer, from: number, end: number, n: number): number {
    /** Nonzero once a non-ASCII byte was seen. */
    let seen = 0;
    let escaped = false;
    let p = from;
    const view = this.bytesView;
    for (;;) {
      // Four bytes at a time while none of them is `"`, `\` or a control (SWAR tests, exact).
      for (; p + 4 <= end; p += 4) {
        const w = view.getInt32(p, true);
        if (hasStop(w)) break;
        seen |= w & HIGH_BITS;
      }
      // One table lookup per byte up to the next `"`, `\` or control (this loop reads most of the line).
      for (; p < end; p++) {
        const cls = STRING_BYTE[bytes[p]!]!;
        if (cls === STOP) break;
        seen |= cls;
      }
      if (p >= end) return -1;
      const c = bytes[p]!;
      if (c === QUOTE) break;
      if (c !== BACKSLASH) return -1; // a raw control character, which JSON.parse rejects
      // Checked here even for values nobody decodes: an invalid escape makes the line invalid.
      const length = escapeLength(bytes, p, end);
      if (length < 0) return -1;
      escaped = true;
      p += length;
    }
    this.valueStart[n] = from;
    this.valueEnd[n] = p;
    this.kind[n] = escaped ? Kind.Escaped : seen === 0 ? Kind.Ascii : Kind.Utf8;
    return p + 1;
  }

  /** JSON's number grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
  private scanNumber(bytes: Buffer, from: number, end: number, n: number): number {
    let p = from;
    if (bytes[p] === MINUS) p++;
    if (p >= end || !isDigit(bytes[p]!)) return -1;
    if (bytes[p] === ZERO) p++;
    else while (p < end && isDigit(bytes[p]!)) p++;
    const integerEnd = p;
    if (p < end && bytes[p] === 0x2e /* . */) {
      p++;
      if (p >= end || !isDigit(bytes[p]!)) return -1;
      while (p < end && isDigit(bytes[p]!)) p++;
    }
    if (p < end && (bytes[p] === 0x65 || bytes[p] === 0x45) /* e E */) {
      p++;
      if (p < end && (bytes[p] === 0x2b || bytes[p] === MINUS)) p++;
      if (p >= end || !isDigit(bytes[p]!)) return -1;
      while (p < end && isDigit(bytes[p]!)) p++;
    }
    const digits = integerEnd - from - (bytes[from] === MINUS ? 1 : 0);
    const negativeZero = bytes[from] === MINUS && bytes[from + 1] === ZERO;
    this.valueStart[n] = from;
    this.valueEnd[n] = p;
    this.kind[n] = integerEnd === p && digits <= EXACT_DIGITS && !negativeZero ? Kind.Integer : Kind.Number;
    return p;
  }

  private literal(bytes: Buffer, p: number, end: number, n: number, word: Uint8Array, kind: Kind): number {
    if (p + word.length > end) return -1;
    for (let k = 0; k < word.length; k++) if (bytes[p + k] !== word[k]) return -1;
    this.valueStart[n] = p;
    this.valueEnd[n] = p + word.length;
    this.kind[n] = kind;
    return p + word.length;
  }

  keyIs(i: number, key: Uint8Array): boolean {
    return this.rangeIs(this.keyStart[i]!, this.keyEnd[i]!, key);
  }

  private rangeIs(start: number, end: number, expected: Uint8Array): boolean {
    const length = end - start;
    if (length !== expected.length) return false;
    const bytes = this.bytes;
    for (let k = 0; k < length; k++) if (bytes[start + k] !== expected[k]) return false;
    return true;
  }

  repeatedValue(i: number): unknown {
    if (!this.isPlain(i)) return this.value(i);
    const start = this.valueStart[i]!;
    const end = this.valueEnd[i]!;
    // Strings and integers with the same bytes ("20" and 20) are different values.
    const bytes = this.bytes;
    const hash = fnvHash(bytes, start, end, this.kind[i] === Kind.Integer ? FNV_SEED ^ 1 : FNV_SEED);
    const hit = this.repeated.get(hash);
    if (hit !== undefined && hit.integer === (this.kind[i] === Kind.Integer) && this.rangeIs(start, end, hit.bytes)) return hit.value;
    const value = this.value(i);
    if (this.repeated.size >= REPEATED_LIMIT) this.repeated.clear();
    // A copy: the line's buffer is reused.
    this.repeated.set(hash, { bytes: new Uint8Array(bytes.subarray(start, end)), integer: this.kind[i] === Kind.Integer, value });
    return value;
  }

  keyHash(i: number): number {
    return fnvHash(this.bytes, this.keyStart[i]!, this.keyEnd[i]!);
  }

  keyText(i: number): string {
    return this.bytes.toString('utf8', this.keyStart[i]!, this.keyEnd[i]!);
  }

  isPlain(i: number): boolean {
    const kind = this.kind[i]!;
    return kind === Kind.Ascii || kind === Kind.Utf8 || kind === Kind.Integer;
  }

  isEmpty(i: number): boolean {
    const kind = this.kind[i]!;
    return kind === Kind.Null || (kind === Kind.Ascii && this.valueEnd[i] === this.valueStart[i]);
  }

  isString(i: number): boolean {
    const kind = this.kind[i]!;
    return kind === Kind.Ascii || kind === Kind.Utf8 || kind === Kind.Escaped;
  }

  value(i: number): unknown {
    const start = this.valueStart[i]!;
    const end = this.valueEnd[i]!;
    switch (this.kind[i]! as Kind) {
      case Kind.Ascii:
        // Latin-1 decoding is UTF-8 decoding for ASCII, and much cheaper.
        return this.bytes.toString('latin1', start, end);
      case Kind.Utf8:
        return this.bytes.toString('utf8', start, end);
      case Kind.Escaped:
        // JSON's own decoder for the escapes; it throws for an invalid one.
        return JSON.parse(this.bytes.toString('utf8', start - 1, end + 1)) as string;
      case Kind.Integer:
      case Kind.Number:
        return Number(this.bytes.toString('latin1', start, end));
      case Kind.True:
        return true;
      case Kind.False:
        return false;
      default:
        return null;
    }
  }
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/** Length of the escape at `p` (a backslash): 2, or 6 for `\u` and four hex digits; -1 when JSON has no such escape. */
function escapeLength(bytes: Uint8Array, p: number, end: number): number {
  if (p + 1 >= end) return -1;
  switch (bytes[p + 1]) {
    case QUOTE:
    case BACKSLASH:
    case 0x2f: // /
    case 0x62: // b
    case 0x66: // f
    case 0x6e: // n
    case 0x72: // r
    case 0x74: // t
      return 2;
    case 0x75: // u
      if (p + 6 > end) return -1;
      for (let k = 2; k < 6; k++) if (!isHexDigit(bytes[p + k]!)) return -1;
      return 6;
    default:
      return -1;
  }
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

const HIGH_BITS = 0x80808080 | 0;

/**
 * True when one of the four bytes of `w` (little-endian) is `"`, `\` or a control (below
 * 0x20): the STOP class of STRING_BYTE, tested a word at a time. The classic SWAR tests
 * ("has a zero byte", "has a byte below n" for n ≤ 128) are exact as yes/no answers.
 */
function hasStop(w: number): boolean {
  const below20 = (w - 0x20202020) & ~w;
  const quote = w ^ 0x22222222;
  const backslash = w ^ 0x5c5c5c5c;
  return ((below20 | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash)) & HIGH_BITS) !== 0;
}

function skipWhitespace(bytes: Uint8Array, p: number, end: number): number {
  while (p < end && isWhitespace(bytes[p]!)) p++;
  return p;
}
