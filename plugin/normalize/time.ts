/**
 * Timestamp parsing for the record's event time and for CEF timestamp keys. Accepts ISO 8601
 * date-times (with `Z` or an offset) and Unix epoch seconds or milliseconds, as a number or a
 * numeric string. The source's offset and up to 6 fractional digits are kept exactly as
 * given (RFC 5424 §6.2.3 allows at most 6); nothing is rounded.
 */
import type { EventTime } from '../core/record.js';

/**
 * Epoch values below this are seconds, at or above it milliseconds. 10^11 seconds is the
 * year 5138; 10^11 milliseconds is March 1973, so no real event time is ambiguous.
 */
export const EPOCH_SECONDS_LIMIT = 1e11;

/** 9999-12-31T23:59:59.999Z: the last instant a 4-digit year can show (RFC 5424 FULL-DATE). */
const MAX_EPOCH_MS = 253402300799999;
/** 0000-01-01T00:00:00Z. */
const MIN_EPOCH_MS = -62167219200000;

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

export type TimeParse =
  | { readonly ok: true; readonly time: EventTime; /** ISO text without an offset, read as UTC. */ readonly assumedUtc: boolean }
  | { readonly ok: false; readonly reason: string };

/** Parses a timestamp given as ISO 8601 text, epoch seconds/ms (number or text) or a Date. */
export function parseTime(value: unknown): TimeParse {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return fail('epoch time must be a non-negative number');
    return parseEpoch(String(value));
  }
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) return fail('invalid Date');
    return { ok: true, time: { epochMs: ms, fraction: pad3(mod1000(ms)), offsetMinutes: 0 }, assumedUtc: false };
  }
  if (typeof value !== 'string') return fail(`expected ISO 8601 text or epoch seconds/milliseconds, got ${typeof value}`);
  const text = value.trim();
  const first = text.charCodeAt(0);
  // A leading 4-digit year followed by '-' is ISO; any other all-digit text is an epoch value.
  if (text.length > 4 && text.charCodeAt(4) === 45 /* - */) return parseIso(text);
  if (first >= 48 && first <= 57) return parseEpoch(text);
  return fail(`"${clip(text)}" is neither ISO 8601 nor an epoch value`);
}

function parseEpoch(text: string): TimeParse {
  const m = DECIMAL.exec(text);
  if (m === null) return fail(`"${clip(text)}" is not a plain decimal epoch value`);
  const whole = Number(m[1]);
  const frac = m[2] ?? '';
  if (whole < EPOCH_SECONDS_LIMIT) {
    const epochMs = whole * 1000 + Number((frac + '000').slice(0, 3));
    return ok(epochMs, frac.slice(0, 6), 0, false);
  }
  if (whole > MAX_EPOCH_MS) return fail(`epoch milliseconds ${clip(text)} is after the year 9999`);
  return ok(whole, (pad3(whole % 1000) + frac).slice(0, 6), 0, false);
}

/** YYYY-MM-DD(T|t|space)hh:mm[:ss[(.|,)fraction]][Z|±hh[:]mm], parsed by hand (no regex, no allocation). */
function parseIso(text: string): TimeParse {
  const n = text.length;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const sep = text.charCodeAt(10);
  if (
    n < 16 || year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 ||
    text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58 ||
    (sep !== 84 /* T */ && sep !== 116 /* t */ && sep !== 32)
  ) {
    return notIso(text);
  }
  let i = 16;
  let second = 0;
  let fraction = '';
  if (text.charCodeAt(i) === 58 /* : */) {
    second = digitsAt(text, i + 1, 2);
    if (second < 0) return notIso(text);
    i += 3;
    const mark = text.charCodeAt(i);
    if (mark === 46 /* . */ || mark === 44 /* , */) {
      let j = i + 1;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      if (j === i + 1) return notIso(text);
      // Three digits (milliseconds) are the usual case: a shared string, not a new one.
      fraction = j - i === 4 ? PAD3[digitsAt(text, i + 1, 3)]! : text.slice(i + 1, Math.min(j, i + 7));
      i = j;
    }
  }
  let offsetMinutes = 0;
  const zone = text.charCodeAt(i);
  if (i === n) {
    // no offset: read as UTC, reported by the caller
  } else if (zone === 90 /* Z */ || zone === 122 /* z */) {
    if (i + 1 !== n) return notIso(text);
  } else if (zone === 43 /* + */ || zone === 45 /* - */) {
    const oh = digitsAt(text, i + 1, 2);
    let j = i + 3;
    if (text.charCodeAt(j) === 58) j++;
    const om = digitsAt(text, j, 2);
    if (oh < 0 || om < 0 || j + 2 !== n) return notIso(text);
    if (oh > 23 || om > 59) return fail(`"${clip(text)}" has an invalid UTC offset`);
    offsetMinutes = (zone === 45 ? -1 : 1) * (oh * 60 + om);
  } else {
    return notIso(text);
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return fail(`"${clip(text)}" has no such date`);
  // Second 60 (a leap second) is not allowed by RFC 5424 §6.2.3 and has no epoch value.
  if (hour > 23 || minute > 59 || second > 59) return fail(`"${clip(text)}" has no such time of day`);
  const epochMs = utcMs(year, month, day, hour, minute, second, fractionMs(fraction)) - offsetMinutes * 60_000;
  if (epochMs < MIN_EPOCH_MS || epochMs > MAX_EPOCH_MS) return fail(`"${clip(text)}" is outside the years 0000-9999 in UTC`);
  return ok(epochMs, fraction, offsetMinutes, i === n);
}

/** Three-digit texts 000-999. */
const PAD3: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

function notIso(text: string): TimeParse {
  return fail(`"${clip(text)}" is not an ISO 8601 date-time (YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm])`);
}

/** The non-negative integer written by `len` digits at `at`, or -1. */
function digitsAt(s: string, at: number, len: number): number {
  if (at + len > s.length) return -1;
  let v = 0;
  for (let i = at; i < at + len; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Milliseconds of a fraction of a second given as 1-6 digits (`5` → 500, `1234` → 123). */
function fractionMs(fraction: string): number {
  const n = fraction.length;
  if (n === 0) return 0;
  let ms = (fraction.charCodeAt(0) - 48) * 100;
  if (n > 1) ms += (fraction.charCodeAt(1) - 48) * 10;
  if (n > 2) ms += fraction.charCodeAt(2) - 48;
  return ms;
}

/**
 * Milliseconds since the epoch of a proleptic Gregorian UTC date-time (what Date.UTC gives,
 * but also for the years 0-99, which Date.UTC maps to 1900-1999). Pure arithmetic: the
 * days-from-civil algorithm (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
 */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const year = mo <= 2 ? y - 1 : y;
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + d - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  const days = era * 146097 + dayOfEra - 719468;
  return ((days * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms;
}

/** The digits of the last whole second epochMsText wrote (records come in time order). */
let lastSecond = -1;
const secondDigits: number[] = new Array<number>(10).fill(48);

/**
 * `String(epochMs)`, faster for the usual values (epoch seconds of ten digits, 2001-2286):
 * the digits of the second are kept from the previous call and the three of the millisecond
 * computed, and fromCharCode makes one flat string (V8's double-to-text path costs twice as
 * much, and a concatenation would be a rope, which every later character scan pays for).
 */
export function epochMsText(epochMs: number): string {
  if (epochMs < 1e12 || epochMs >= 1e13 || !Number.isInteger(epochMs)) return String(epochMs);
  const second = Math.floor(epochMs / 1000);
  if (second !== lastSecond) {
    const text = String(second);
    for (let i = 0; i < 10; i++) secondDigits[i] = text.charCodeAt(i);
    lastSecond = second;
  }
  const ms = epochMs - second * 1000;
  const hundreds = Math.floor(ms / 100);
  const tens = Math.floor(ms / 10) - hundreds * 10;
  const d = secondDigits;
  return String.fromCharCode(d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!, d[6]!, d[7]!, d[8]!, d[9]!, 48 + hundreds, 48 + tens, 48 + (ms % 10));
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function ok(epochMs: number, fraction: string, offsetMinutes: number, assumedUtc: boolean): TimeParse {
  return { ok: true, time: { epochMs, fraction, offsetMinutes }, assumedUtc };
}

function fail(reason: string): TimeParse {
  return { ok: false, reason };
}

function mod1000(ms: number): number {
  return ((ms % 1000) + 1000) % 1000;
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n);
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
