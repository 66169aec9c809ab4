/**
 * Pure CEF escaping and the character/whitespace policy that runs before it, shared by the
 * CEF renderer and reused by the RFC 5424 formatter for its MSG. Rules (CEF Implementation
 * Standard, ch. 1 "Character Encoding"; research notes cef.md §0, §4 items 1-3 and 8):
 *
 * - `escapeHeaderField`: `\` → `\\`, `|` → `\|`. A header cannot carry a line break, so CR, LF
 *   and CRLF become one space.
 * - `escapeExtensionValue`: `\` → `\\`, `=` → `\=`, LF → `\n`, CR → `\r` (CRLF → `\r\n`,
 *   lossless). The pipe is never escaped (Beats rejects `\|` in an extension).
 * - Both: every other character that CEF has no escape for and that some reader treats as a
 *   line or field break (C0 controls incl. TAB and NUL, DEL, U+0085 NEL, U+2028, U+2029)
 *   becomes a space; a lone UTF-16 surrogate (not encodable in UTF-8) becomes U+FFFD.
 * - `sanitizeExtensionValue` (policy, on the unescaped value): drops trailing whitespace,
 *   which CEF cannot transport (see that function).
 *
 * Each escaper is one pass over UTF-16 units with a fast path that returns its input
 * unchanged when nothing needs work.
 */

import { buildEscaper, isBreakingControl } from '../text-escape.js';

const BACKSLASH = 0x5c;
const PIPE = 0x7c;
const EQUALS = 0x3d;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = ' ';
const REPLACEMENT = '\ufffd';

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Width of a surrogate at `i`: 2 for a well-formed pair starting at `i`, 0 for a lone half
 * (to be replaced), -1 when `code` is no surrogate at all.
 */
function surrogateWidth(s: string, i: number, code: number): number {
  if (isHighSurrogate(code)) return i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1)) ? 2 : 0;
  return isLowSurrogate(code) ? 0 : -1;
}

/** Index of the first UTF-16 unit of `s` that a header field must change, or -1. */
function firstHeaderWork(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x7f) {
      if (code < 0x20 || code === BACKSLASH || code === PIPE) return i;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      if (surrogateWidth(s, i, code) === 0) return i;
      i++; // a well-formed pair: skip its low half
    } else if (isBreakingControl(code)) {
      return i;
    }
  }
  return -1;
}

/**
 * Escapes one CEF header field (vendor, product, version, class id, name, severity).
 * `=` needs no escape in the header; other escapes (`\=`, `\n`) are errors for Beats.
 */
export function escapeHeaderField(s: string): string {
  const first = firstHeaderWork(s);
  if (first < 0) return s;
  let out = s.slice(0, first);
  let start = first;
  for (let i = first; i < s.length; i++) {
    const code = s.charCodeAt(i);
    let rep: string;
    let width = 1;
    if (code === BACKSLASH) rep = '\\\\';
    else if (code === PIPE) rep = '\\|';
    else if (code === CR) {
      rep = SPACE;
      if (i + 1 < s.length && s.charCodeAt(i + 1) === LF) width = 2; // CRLF is one break
    } else if (code >= 0xd800 && code <= 0xdfff) {
      const w = surrogateWidth(s, i, code);
      if (w === 2) {
        i++;
        continue;
      }
      rep = REPLACEMENT;
    } else if (isBreakingControl(code)) rep = SPACE;
    else continue;
    out += s.slice(start, i) + rep;
    i += width - 1;
    start = i + 1;
  }
  return out + s.slice(start);
}

/**
 * Escapes one extension value (no policy: whitespace is kept as given): `\` `=` LF CR get
 * backslash escapes, in one pass, so an escape written here is never escaped again; the
 * shared loop in text-escape.ts applies the break and surrogate rules.
 */
export const escapeExtensionValue = buildEscaper({ '\\': '\\\\', '=': '\\=', '\n': '\\n', '\r': '\\r' });

/**
 * True when `code` would end up as blank space at the end of a rendered value: a space, a
 * character the escaper turns into a space (every control except CR and LF, which are
 * escaped visibly as `\r`/`\n` and so kept), or a Unicode space separator (Zs), which
 * readers that trim with Unicode rules (VRL's `parse_cef`) would drop from a final value.
 */
function isTrailingBlank(code: number): boolean {
  if (code <= 0x20) return code !== CR && code !== LF;
  if (code < 0x7f) return false;
  return (
    code === 0x7f ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/**
 * Value policy, applied to the unescaped value before `escapeExtensionValue`: removes
 * trailing whitespace. CEF has no escape for a space; the spec drops trailing spaces of the
 * final pair and Logstash drops them from every pair, so a trailing space could never be
 * delivered consistently (cef.md §1.4, §4 item 8). Leading and interior spaces are kept.
 * An empty result means "omit this pair".
 */
export function sanitizeExtensionValue(s: string): string {
  const end = sanitizedLength(s);
  return end === s.length ? s : s.slice(0, end);
}

/** Length of `sanitizeExtensionValue(s)`, without making it. */
export function sanitizedLength(s: string): number {
  let end = s.length;
  while (end > 0 && isTrailingBlank(s.charCodeAt(end - 1))) end--;
  return end;
}

/**
 * Writes `escapeExtensionValue(s.slice(0, end))` as UTF-8 into `buf` at `pos` and returns
 * the position after it: the escaper and the UTF-8 encoder in one pass, for the byte fast
 * path. The caller has made room for 3 bytes per UTF-16 unit (the most any unit takes: an
 * escape is 2 bytes for 1 ASCII unit, U+FFFD 3 bytes for 1 lone surrogate, a pair 4 for 2).
 * Must stay equivalent to escapeExtensionValue + UTF-8 (a property test compares them).
 */
export function writeExtensionValue(s: string, end: number, buf: Uint8Array, pos: number): number {
  // Most values are plain printable ASCII: a tight copy loop until the first character
  // that needs work.
  let p = pos;
  let i = 0;
  for (; i < end; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === BACKSLASH || code === EQUALS) break;
    buf[p++] = code;
  }
  return i === end ? p : writeEscapedFrom(s, i, end, buf, p);
}

/** writeExtensionValue from index `from` on, any character. */
function writeEscapedFrom(s: string, from: number, end: number, buf: Uint8Array, pos: number): number {
  let p = pos;
  for (let i = from; i < end; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x80) {
      if (code >= 0x20 && code !== BACKSLASH && code !== EQUALS && code !== 0x7f) {
        buf[p++] = code;
      } else if (code === BACKSLASH || code === EQUALS) {
        buf[p++] = BACKSLASH;
        buf[p++] = code;
      } else if (code === LF) {
        buf[p++] = BACKSLASH;
        buf[p++] = 0x6e; // n
      } else if (code === CR) {
        buf[p++] = BACKSLASH;
        buf[p++] = 0x72; // r
      } else {
        buf[p++] = 0x20; // other C0 controls and DEL
      }
    } else if (code < 0x800) {
      if (code === 0x85) {
        buf[p++] = 0x20;
      } else {
        buf[p++] = 0xc0 | (code >> 6);
        buf[p++] = 0x80 | (code & 0x3f);
      }
    } else if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < end ? s.charCodeAt(i + 1) : 0;
      if (isHighSurrogate(code) && isLowSurrogate(next)) {
        const cp = ((code - 0xd800) << 10) + (next - 0xdc00) + 0x10000;
        buf[p++] = 0xf0 | (cp >> 18);
        buf[p++] = 0x80 | ((cp >> 12) & 0x3f);
        buf[p++] = 0x80 | ((cp >> 6) & 0x3f);
        buf[p++] = 0x80 | (cp & 0x3f);
        i++;
      } else {
        buf[p++] = 0xef; // U+FFFD for a lone surrogate
        buf[p++] = 0xbf;
        buf[p++] = 0xbd;
      }
    } else if (code === 0x2028 || code === 0x2029) {
      buf[p++] = 0x20;
    } else {
      buf[p++] = 0xe0 | (code >> 12);
      buf[p++] = 0x80 | ((code >> 6) & 0x3f);
      buf[p++] = 0x80 | (code & 0x3f);
    }
  }
  return p;
}

/**
 * True when the UTF-8 text bytes[start, end) (valid UTF-8, not empty) ends with a character
 * sanitizeExtensionValue would drop: the byte writer below then does not take the value.
 */
export function endsWithTrailingBlank(bytes: Uint8Array, start: number, end: number): boolean {
  let p = end - 1;
  const last = bytes[p]!;
  if (last < 0x80) return isTrailingBlank(last);
  // Back to the lead byte of the last character, then decode it.
  while (p > start && (bytes[p]! & 0xc0) === 0x80) p--;
  const lead = bytes[p]!;
  let cp: number;
  if (lead < 0xe0) cp = ((lead & 0x1f) << 6) | (bytes[p + 1]! & 0x3f);
  else if (lead < 0xf0) cp = ((lead & 0x0f) << 12) | ((bytes[p + 1]! & 0x3f) << 6) | (bytes[p + 2]! & 0x3f);
  else return false; // outside the BMP: no blank there
  return isTrailingBlank(cp);
}

/**
 * Writes the CEF escape of the UTF-8 text bytes[start, end) (valid UTF-8, as the line
 * splitter guarantees) into `buf` at `pos`; the position after it. Byte for byte what
 * writeExtensionValue writes for the same text: `\` and `=` escaped, LF and CR as `\n` and
 * `\r`, other controls, DEL, U+0085, U+2028 and U+2029 as a space, the rest copied. The
 * caller makes room for twice the input (only an ASCII escape grows).
 */
export function writeExtensionBytes(
  bytes: Uint8Array,
  bytesView: DataView,
  start: number,
  end: number,
  buf: Uint8Array,
  bufView: DataView,
  pos: number,
): number {
  let p = pos;
  let i = start;
  // Four bytes at a time while none of them needs work (bytesView and bufView are DataViews
  // of exactly `bytes` and `buf`).
  for (; i + 4 <= end; i += 4) {
    const w = bytesView.getInt32(i, true);
    if (needsWork(w)) break;
    bufView.setInt32(p, w, true);
    p += 4;
  }
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (COPIED_BYTE[c] === 1) {
      buf[p++] = c;
      continue;
    }
    if (c >= 0x20 && c < 0x7f) {
      if (c === BACKSLASH || c === EQUALS) buf[p++] = BACKSLASH;
      buf[p++] = c;
    } else if (c < 0x80) {
      if (c === LF || c === CR) {
        buf[p++] = BACKSLASH;
        buf[p++] = c === LF ? 0x6e : 0x72; // n, r
      } else {
        buf[p++] = 0x20; // other C0 controls and DEL
      }
    } else if (c === 0xc2 && bytes[i + 1] === 0x85) {
      buf[p++] = 0x20; // U+0085
      i++;
    } else if (c === 0xe2 && bytes[i + 1] === 0x80 && (bytes[i + 2] === 0xa8 || bytes[i + 2] === 0xa9)) {
      buf[p++] = 0x20; // U+2028, U+2029
      i += 2;
    } else {
      buf[p++] = c;
    }
  }
  return p;
}

/**
 * True when one of the four bytes of `w` is not in COPIED_BYTE: a control (below 0x20), `\`,
 * `=`, DEL, C2 or E2. SWAR tests, exact as yes/no answers ("has a byte below 0x20", "has a
 * zero byte" after XOR with the byte repeated).
 */
function needsWork(w: number): boolean {
  let found = (w - 0x20202020) & ~w;
  found |= hasZeroByte(w ^ 0x5c5c5c5c);
  found |= hasZeroByte(w ^ 0x3d3d3d3d);
  found |= hasZeroByte(w ^ 0x7f7f7f7f);
  found |= hasZeroByte(w ^ 0xc2c2c2c2);
  found |= hasZeroByte(w ^ 0xe2e2e2e2);
  return (found & 0x80808080) !== 0;
}

function hasZeroByte(x: number): number {
  return (x - 0x01010101) & ~x;
}

/**
 * COPIED_BYTE[b] is 1 for a byte writeExtensionBytes copies without looking further: printable
 * ASCII but `\` and `=`, and every non-ASCII byte but the leads of U+0085 (C2) and U+2028/9 (E2).
 */
const COPIED_BYTE = new Uint8Array(256).map((_, b) =>
  (b >= 0x20 && b < 0x7f && b !== BACKSLASH && b !== EQUALS) || (b >= 0x80 && b !== 0xc2 && b !== 0xe2) ? 1 : 0,
);

const VALID_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Keys the encoder will write: a letter then letters or digits (spec ch. 4 "single word,
 * alphanumeric"; dictionary keys such as `cs1Label` fit). Stricter than readers, which
 * also accept `_ . , [ ]`, so every key written is read the same way everywhere.
 */
export function isValidCefKey(key: string): boolean {
  return VALID_KEY.test(key);
}

/** Severity values the header may carry (spec "agentSeverity"): 0-10 or the five names. */
export const CEF_SEVERITIES: ReadonlySet<string> = new Set([
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10',
  'Unknown', 'Low', 'Medium', 'High', 'Very-High',
]);

/**
 * Cuts `s` to at most `max` code points without splitting a surrogate pair (a lone
 * surrogate counts as one). Returns `s` itself when it already fits.
 */
export function truncateCodePoints(s: string, max: number): string {
  if (s.length <= max) return s;
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    if (count === max) return s.slice(0, i);
    if (isHighSurrogate(s.charCodeAt(i)) && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) i++;
    count++;
  }
  return s;
}

/**
 * True when escaping `s` as a header field loses information (a character is replaced by
 * a space or U+FFFD rather than escaped), so the renderer can report the repair.
 */
export function headerFieldIsLossy(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) {
      if (surrogateWidth(s, i, code) === 0) return true;
      i++;
    } else if (isBreakingControl(code)) {
      return true;
    }
  }
  return false;
}
