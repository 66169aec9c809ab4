/**
 * An independent, strict RFC 5424 parser for tests, written from the ABNF of RFC 5424 §6
 * and the MUSTs around it, never from the formatter (it imports nothing from plugin/).
 * It works on octets, as the ABNF does, and rejects everything the RFC forbids:
 *
 * - PRI: 1-3 digits, 0..191, no leading zero (§6.2.1); VERSION: NONZERO-DIGIT 0*2DIGIT;
 * - TIMESTAMP: `-` or FULL-DATE "T" FULL-TIME with real calendar ranges (day of month per
 *   month and leap year, hour 00-23, minute/second 00-59: leap seconds MUST NOT be used,
 *   §6.2.3), 1-6 fraction digits, `Z` or `±hh:mm`, uppercase T and Z;
 * - HOSTNAME / APP-NAME / PROCID / MSGID: `-` or 1..255/48/128/32 PRINTUSASCII;
 * - STRUCTURED-DATA: `-` or SD-ELEMENTs with no space between them; SD-NAMEs of 1-32
 *   PRINTUSASCII without `=`, SP, `]`, `"`; each SD-ID at most once (§6.3.2); an SD-ID
 *   without `@` must be IANA-registered (§6.3.2, §7: timeQuality, origin, meta), one with
 *   `@` must be `name@` followed by a private enterprise number (§7.2.2);
 * - PARAM-VALUE: UTF-8 (§6.3.3); `"`, `\` and `]` MUST be escaped, so a raw `]` or a
 *   backslash not followed by one of the three is rejected (stricter than a receiver must be:
 *   an emitter that relies on the "treat it as a regular backslash" rule is flagged);
 * - MSG: absent, or SP then MSG-UTF8 (BOM + valid UTF-8) or MSG-ANY (not starting with a
 *   BOM). MSG-ANY is also required to be valid UTF-8 here: everything this project emits is.
 */

export interface SdElement {
  id: string;
  params: Array<[string, string]>;
}

export interface Rfc5424Message {
  pri: number;
  facility: number;
  severity: number;
  version: number;
  /** TIMESTAMP text, or null for NILVALUE. */
  timestamp: string | null;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  /** null for NILVALUE. */
  structuredData: SdElement[] | null;
  /** The MSG text without the BOM; undefined when the message has no MSG part. */
  msg: string | undefined;
  bom: boolean;
}

export class Rfc5424ParseError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at octet ${position}`);
    this.name = 'Rfc5424ParseError';
  }
}

const SP = 0x20;
const NIL = 0x2d;
const REGISTERED_SD_IDS = new Set(['timeQuality', 'origin', 'meta']);
const HEADER_MAX = { HOSTNAME: 255, 'APP-NAME': 48, PROCID: 128, MSGID: 32 } as const;
const TIMESTAMP_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-](\d{2}):(\d{2}))$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses one syslog message (no framing, no trailer). Throws Rfc5424ParseError. */
export function parseRfc5424(input: string | Uint8Array): Rfc5424Message {
  const bytes = typeof input === 'string' ? encodeWellFormed(input) : input;
  const p = new Parser(bytes);
  return p.message();
}

/** UTF-8 of `s`, refusing lone surrogates (which TextEncoder would silently replace). */
function encodeWellFormed(s: string): Uint8Array {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) throw new Rfc5424ParseError('lone high surrogate in the string', i);
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      throw new Rfc5424ParseError('lone low surrogate in the string', i);
    }
  }
  return new TextEncoder().encode(s);
}

class Parser {
  private pos = 0;
  constructor(private readonly b: Uint8Array) {}

  message(): Rfc5424Message {
    const pri = this.pri();
    const version = this.version();
    this.sp('after VERSION');
    const timestamp = this.timestamp();
    this.sp('after TIMESTAMP');
    const hostname = this.headerField('HOSTNAME');
    this.sp('after HOSTNAME');
    const appName = this.headerField('APP-NAME');
    this.sp('after APP-NAME');
    const procId = this.headerField('PROCID');
    this.sp('after PROCID');
    const msgId = this.headerField('MSGID');
    this.sp('before STRUCTURED-DATA');
    const structuredData = this.structuredData();
    let msg: string | undefined;
    let bom = false;
    if (this.pos < this.b.length) {
      this.sp('before MSG');
      bom = this.b[this.pos] === 0xef && this.b[this.pos + 1] === 0xbb && this.b[this.pos + 2] === 0xbf;
      const start = bom ? this.pos + 3 : this.pos;
      msg = this.decode(start, this.b.length, 'MSG');
      this.pos = this.b.length;
    }
    return {
      pri, facility: pri >> 3, severity: pri & 7, version, timestamp, hostname, appName, procId, msgId,
      structuredData, msg, bom,
    };
  }

  private fail(message: string, at = this.pos): never {
    throw new Rfc5424ParseError(message, at);
  }

  private sp(where: string): void {
    if (this.b[this.pos] !== SP) this.fail(`expected SP ${where}`);
    this.pos++;
  }

  private digitsEnd(from: number): number {
    let i = from;
    while (i < this.b.length && this.b[i]! >= 0x30 && this.b[i]! <= 0x39) i++;
    return i;
  }

  private pri(): number {
    if (this.b[0] !== 0x3c) this.fail('expected "<"');
    const end = this.digitsEnd(1);
    const text = this.ascii(1, end);
    if (text.length < 1 || text.length > 3) this.fail('PRIVAL must be 1-3 digits', 1);
    if (text.length > 1 && text[0] === '0') this.fail('PRIVAL has a leading zero', 1);
    const value = Number(text);
    if (value > 191) this.fail('PRIVAL above 191', 1);
    if (this.b[end] !== 0x3e) this.fail('expected ">"', end);
    this.pos = end + 1;
    return value;
  }

  private version(): number {
    const start = this.pos;
    const end = this.digitsEnd(start);
    if (end === start || end - start > 3 || this.b[start] === 0x30) this.fail('VERSION must be NONZERO-DIGIT 0*2DIGIT');
    this.pos = end;
    return Number(this.ascii(start, end));
  }

  private token(): [number, number] {
    const start = this.pos;
    let end = start;
    while (end < this.b.length && this.b[end] !== SP) end++;
    this.pos = end;
    return [start, end];
  }

  private timestamp(): string | null {
    const [start, end] = this.token();
    const text = this.ascii(start, end);
    if (text === '-') return null;
    const m = TIMESTAMP_RE.exec(text);
    if (m === null) this.fail(`TIMESTAMP ${JSON.stringify(text)} does not match FULL-DATE "T" FULL-TIME`, start);
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    if (month < 1 || month > 12) this.fail('DATE-MONTH out of 01-12', start);
    if (day < 1 || day > daysInMonth(year, month)) this.fail('DATE-MDAY out of range for the month', start);
    if (hour > 23 || minute > 59) this.fail('TIME-HOUR/TIME-MINUTE out of range', start);
    if (second > 59) this.fail('TIME-SECOND out of 00-59 (leap seconds MUST NOT be used)', start);
    if (m[8] !== 'Z' && (Number(m[9]) > 23 || Number(m[10]) > 59)) this.fail('TIME-NUMOFFSET out of range', start);
    return text;
  }

  private headerField(name: keyof typeof HEADER_MAX): string | null {
    const [start, end] = this.token();
    if (end === start) this.fail(`${name} is empty`);
    if (end - start === 1 && this.b[start] === NIL) return null;
    if (end - start > HEADER_MAX[name]) this.fail(`${name} longer than ${HEADER_MAX[name]}`, start);
    for (let i = start; i < end; i++) {
      if (this.b[i]! < 33 || this.b[i]! > 126) this.fail(`${name} has an octet outside PRINTUSASCII`, i);
    }
    return this.ascii(start, end);
  }

  private structuredData(): SdElement[] | null {
    if (this.b[this.pos] === NIL) {
      this.pos++;
      if (this.pos < this.b.length && this.b[this.pos] !== SP) this.fail('NILVALUE STRUCTURED-DATA followed by something other than SP');
      return null;
    }
    if (this.b[this.pos] !== 0x5b) this.fail('STRUCTURED-DATA must be "-" or start with "["');
    const elements: SdElement[] = [];
    const seen = new Set<string>();
    while (this.b[this.pos] === 0x5b) {
      const element = this.sdElement();
      if (seen.has(element.id)) this.fail(`SD-ID ${element.id} appears twice`);
      seen.add(element.id);
      elements.push(element);
    }
    if (this.pos < this.b.length && this.b[this.pos] !== SP) this.fail('STRUCTURED-DATA followed by something other than SP');
    return elements;
  }

  private sdElement(): SdElement {
    this.pos++; // "["
    const idAt = this.pos;
    const id = this.sdName('SD-ID');
    checkSdId(id, idAt);
    const params: Array<[string, string]> = [];
    while (this.b[this.pos] === SP) {
      this.pos++;
      const name = this.sdName('PARAM-NAME');
      if (this.b[this.pos] !== 0x3d) this.fail('expected "=" after PARAM-NAME');
      if (this.b[this.pos + 1] !== 0x22) this.fail('expected \'"\' to open PARAM-VALUE', this.pos + 1);
      this.pos += 2;
      params.push([name, this.paramValue()]);
    }
    if (this.b[this.pos] !== 0x5d) this.fail('expected "]" or SP SD-PARAM');
    this.pos++;
    return { id, params };
  }

  private sdName(what: string): string {
    const start = this.pos;
    while (this.pos < this.b.length) {
      const c = this.b[this.pos]!;
      if (c < 33 || c > 126 || c === 0x3d || c === 0x5d || c === 0x22) break;
      this.pos++;
    }
    const len = this.pos - start;
    if (len < 1 || len > 32) this.fail(`${what} must be 1-32 SD-NAME characters`, start);
    return this.ascii(start, this.pos);
  }

  /** PARAM-VALUE up to the closing quote, unescaped; the escapes are §6.3.3's three. */
  private paramValue(): string {
    const chunks: number[] = [];
    for (;;) {
      if (this.pos >= this.b.length) this.fail('PARAM-VALUE not closed');
      const c = this.b[this.pos]!;
      if (c === 0x22) break;
      if (c === 0x5d) this.fail('unescaped "]" in PARAM-VALUE (MUST be escaped)');
      if (c === 0x5c) {
        const n = this.b[this.pos + 1];
        if (n !== 0x22 && n !== 0x5c && n !== 0x5d) this.fail('backslash not followed by " \\ or ] in PARAM-VALUE (a backslash MUST be escaped)');
        chunks.push(n);
        this.pos += 2;
        continue;
      }
      chunks.push(c);
      this.pos++;
    }
    const start = this.pos;
    this.pos++; // closing quote
    try {
      return utf8.decode(new Uint8Array(chunks));
    } catch {
      return this.fail('PARAM-VALUE is not valid UTF-8', start);
    }
  }

  private ascii(start: number, end: number): string {
    return String.fromCharCode(...this.b.subarray(start, end));
  }

  private decode(start: number, end: number, what: string): string {
    try {
      return utf8.decode(this.b.subarray(start, end));
    } catch {
      return this.fail(`${what} is not valid UTF-8`, start);
    }
  }
}

function checkSdId(id: string, at: number): void {
  const atSign = id.indexOf('@');
  if (atSign < 0) {
    if (!REGISTERED_SD_IDS.has(id)) throw new Rfc5424ParseError(`SD-ID ${id} has no "@" and is not IANA-registered`, at);
    return;
  }
  if (atSign === 0 || !/^\d+(\.\d+)*$/.test(id.slice(atSign + 1))) {
    throw new Rfc5424ParseError(`SD-ID ${id} is not name@<private enterprise number>`, at);
  }
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
