/**
 * An independent, strict CEF decoder for tests, written from the grammar of the CEF
 * Implementation Standard (ch. 1) as Elastic Beats' decode_cef state machine reads it
 * (research notes cef.md §1.2-1.4, §2d), never from the encoder:
 *
 * - anything before the first `CEF:` is a syslog prefix; then `CEF:` digits `|`;
 * - six header fields, each ended by an unescaped `|`; the only header escapes are `\\`
 *   and `\|` (anything else after a backslash is an error, Beats `header_escapes`);
 * - the extension: `key=value` pairs; keys `[A-Za-z0-9_][A-Za-z0-9_.,\[\]]*`; the only value
 *   escapes are `\\`, `\=`, `\n`, `\r`; a raw `=` is only ever a key separator, so a raw `=`
 *   that is not preceded by `<space>key` is an error; a value ends at the last space before
 *   the next `key=` (extra spaces are trailing spaces of that value, spec ch. 1 Extension
 *   notes); trailing spaces of the final value are not part of it.
 *
 * Raw CR or LF anywhere is an error: a CEF line never contains a line break.
 * Pairs are returned in order, duplicates included, so tests can see forged or repeated keys.
 */

export interface DecodedCef {
  /** Text before `CEF:` (a syslog header), '' when none. */
  prefix: string;
  version: number;
  vendor: string;
  product: string;
  deviceVersion: string;
  eventClassId: string;
  name: string;
  severity: string;
  /** Index in the line where the extension starts (just after the seventh unescaped pipe). */
  extensionStart: number;
  extensions: Array<[string, string]>;
}

export class CefDecodeError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at ${position}`);
    this.name = 'CefDecodeError';
  }
}

const HEADER_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '|': '|' };
const VALUE_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '=': '=', n: '\n', r: '\r' };
const KEY_START = /[A-Za-z0-9_]/;
const KEY_CHAR = /[A-Za-z0-9_.,[\]]/;
const SEVERITY = /^[A-Za-z0-9-]*$/;

export function decodeCef(line: string): DecodedCef {
  const breakAt = line.search(/[\r\n]/);
  if (breakAt >= 0) throw new CefDecodeError('raw line break', breakAt);
  const start = line.indexOf('CEF:');
  if (start < 0) throw new CefDecodeError('no CEF: marker', 0);

  let pos = start + 4;
  const digitsEnd = scanDigits(line, pos);
  if (digitsEnd === pos) throw new CefDecodeError('version must be digits', pos);
  const version = Number(line.slice(pos, digitsEnd));
  if (line[digitsEnd] !== '|') throw new CefDecodeError('expected | after version', digitsEnd);
  pos = digitsEnd + 1;

  const header: string[] = [];
  for (let n = 0; n < 6; n++) {
    const [value, next] = readHeaderField(line, pos);
    header.push(value);
    pos = next;
  }
  const [vendor, product, deviceVersion, eventClassId, name, severity] = header as [
    string, string, string, string, string, string,
  ];
  if (!SEVERITY.test(severity)) throw new CefDecodeError('severity has characters outside [A-Za-z0-9-]', pos - 1);

  return {
    prefix: line.slice(0, start),
    version,
    vendor,
    product,
    deviceVersion,
    eventClassId,
    name,
    severity,
    extensionStart: pos,
    extensions: readExtension(line, pos),
  };
}

function scanDigits(s: string, pos: number): number {
  while (pos < s.length && s[pos]! >= '0' && s[pos]! <= '9') pos++;
  return pos;
}

/** Reads one header field ending at an unescaped pipe; returns [unescaped value, index after the pipe]. */
function readHeaderField(line: string, pos: number): [string, number] {
  let value = '';
  for (let i = pos; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '|') return [value, i + 1];
    if (ch === '\\') {
      const decoded = HEADER_ESCAPES[line[i + 1] ?? ''];
      if (decoded === undefined) throw new CefDecodeError('invalid header escape', i);
      value += decoded;
      i++;
    } else {
      value += ch;
    }
  }
  throw new CefDecodeError('header ends before seven fields', line.length);
}

/** Parses `key=value` pairs from `pos` to the end of the line. */
function readExtension(line: string, pos: number): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  while (pos < line.length && line[pos] === ' ') pos++;
  if (pos === line.length) return pairs;

  let key = readKey(line, pos);
  pos += key.length + 1;
  for (;;) {
    const eq = nextRawEquals(line, pos);
    if (eq < 0) {
      pairs.push([key, unescapeValue(line.slice(pos).replace(/ +$/, ''), pos)]);
      return pairs;
    }
    const keyStart = startOfKeyBefore(line, eq, pos);
    pairs.push([key, unescapeValue(line.slice(pos, keyStart - 1), pos)]);
    key = line.slice(keyStart, eq);
    pos = eq + 1;
  }
}

/** Reads a key at `pos` that must be followed by a raw `=`. */
function readKey(line: string, pos: number): string {
  if (!KEY_START.test(line[pos] ?? '')) throw new CefDecodeError('expected an extension key', pos);
  let end = pos + 1;
  while (end < line.length && KEY_CHAR.test(line[end]!)) end++;
  if (line[end] !== '=') throw new CefDecodeError('expected = after extension key', end);
  return line.slice(pos, end);
}

/**
 * Index of the next `=` that is not part of an escape, validating every escape on the way
 * (so `\|`, `\t`, a lone trailing backslash are errors, as in Beats); -1 at end of line.
 */
function nextRawEquals(line: string, pos: number): number {
  for (let i = pos; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '=') return i;
    if (ch === '\\') {
      if (VALUE_ESCAPES[line[i + 1] ?? ''] === undefined) throw new CefDecodeError('invalid extension escape', i);
      i++;
    }
  }
  return -1;
}

/**
 * The key that owns the raw `=` at `eq`: the run of key characters right before it, which
 * must start with a key-start character and follow a space inside the current value.
 * Anything else means the `=` sits unescaped inside a value.
 */
function startOfKeyBefore(line: string, eq: number, valueStart: number): number {
  let k = eq;
  while (k > valueStart && KEY_CHAR.test(line[k - 1]!)) k--;
  const isKey = k < eq && k - 1 >= valueStart && line[k - 1] === ' ' && KEY_START.test(line[k]!);
  if (!isKey) throw new CefDecodeError('unescaped = in extension value', eq);
  return k;
}

function unescapeValue(raw: string, at: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\\') {
      const decoded = VALUE_ESCAPES[raw[i + 1] ?? ''];
      if (decoded === undefined) throw new CefDecodeError('invalid extension escape', at + i);
      out += decoded;
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}
