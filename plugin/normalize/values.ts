/**
 * Value policy shared by every key: how a JSON value becomes field text, how typed CEF keys
 * are checked (cef.md §1.6: IPv4 dotted quads, ports 0-65535, 32/64-bit integers, MACs,
 * epoch-ms timestamps) and how an over-long value is cut at a code-point boundary.
 */
import { isIPv6 } from 'node:net';
import type { KeyType } from '../catalog/catalog.js';
import { epochMsText, parseTime } from './time.js';

/**
 * Field text of a JSON value: strings as they are, numbers and booleans as their JSON
 * text, objects and arrays as compact JSON. null, undefined and "" give undefined (the
 * field is omitted).
 */
export function valueText(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value.length === 0 ? undefined : value;
    case 'number':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      return value === null ? undefined : objectText(value);
    default:
      return undefined;
  }
}

function objectText(value: object): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  // msgpack `bin` values: base64 keeps them readable and reversible.
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return JSON.stringify(value, bigintAsText);
}

function bigintAsText(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** A type check: the value as the key must carry it, or undefined when it does not fit. */
export type TypeCheck = (value: string) => string | undefined;

/** Dotted quad, each part 0-255 without leading zeros (cef.md §4.5). No allocation. */
export function isIPv4(s: string): boolean {
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let parts = 0;
  let digits = 0;
  let part = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) return false; // leading zero
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return false;
    } else if (c === 46 /* . */) {
      if (digits === 0 || ++parts === 4) return false;
      digits = 0;
      part = 0;
    } else {
      return false;
    }
  }
  return digits > 0 && parts === 3;
}

/** IPv6 without brackets or a zone id (Beats rejects both). */
export function isPlainIPv6(s: string): boolean {
  return s.indexOf(':') >= 0 && s.indexOf('%') < 0 && isIPv6(s);
}

const INTEGER = /^[+-]?\d+$/;
const DOUBLE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const MAC = /^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Integer within [min, max], re-written without sign or leading zeros noise. */
export function integerCheck(min: number, max: number): TypeCheck {
  return (v) => {
    const t = v.trim();
    if (!INTEGER.test(t)) return undefined;
    const n = Number(t);
    return n >= min && n <= max ? String(n) : undefined;
  };
}

const checkLong: TypeCheck = (v) => {
  const t = v.trim();
  if (!INTEGER.test(t) || t.length > 21) return undefined;
  const n = BigInt(t);
  return n >= INT64_MIN && n <= INT64_MAX ? n.toString() : undefined;
};

const checkDouble: TypeCheck = (v) => {
  const t = v.trim();
  return DOUBLE.test(t) && Number.isFinite(Number(t)) ? t : undefined;
};

const checkIPv4: TypeCheck = (v) => (isIPv4(v) ? v : undefined);
const checkIPv6: TypeCheck = (v) => (isPlainIPv6(v) ? v : undefined);
const checkIp: TypeCheck = (v) => (isIPv4(v) || isPlainIPv6(v) ? v : undefined);
const checkMac: TypeCheck = (v) => (MAC.test(v) ? v.replaceAll('-', ':') : undefined);

/** Timestamp keys carry epoch milliseconds (cef.md §1.8); ISO and epoch-seconds input is converted. */
export const checkTimestamp: TypeCheck = (v) => {
  const parsed = parseTime(v);
  return parsed.ok ? epochMsText(parsed.time.epochMs) : undefined;
};

/** Port keys (dictionary: "valid port numbers are 0 to 65535"). */
const PORT_KEYS: ReadonlySet<string> = new Set(['spt', 'dpt', 'sourceTranslatedPort', 'destinationTranslatedPort']);
/** Integer keys with an enumerated range. */
const ENUM_RANGES: ReadonlyMap<string, readonly [number, number]> = new Map([
  ['deviceDirection', [0, 1]],
  ['type', [0, 3]],
]);
const INT32: readonly [number, number] = [-2147483648, 2147483647];

/** The check a dictionary key's value must pass in the strict profile; undefined for strings. */
export function typeCheckFor(key: string, type: KeyType): TypeCheck | undefined {
  switch (type) {
    case 'string':
      return undefined;
    case 'integer': {
      const [min, max] = PORT_KEYS.has(key) ? [0, 65535] : (ENUM_RANGES.get(key) ?? INT32);
      return integerCheck(min, max);
    }
    case 'long':
      return checkLong;
    case 'double':
      return checkDouble;
    case 'timestamp':
      return checkTimestamp;
    case 'ipv4':
      return checkIPv4;
    case 'ipv6':
      return checkIPv6;
    case 'ip':
      return checkIp;
    case 'mac':
      return checkMac;
  }
}

/**
 * Cuts `value` to at most `max` code points, never splitting a surrogate pair. Returns the
 * value itself when it fits (the common case costs one length comparison).
 */
export function truncateCodePoints(value: string, max: number): string {
  // A string never has more code points than UTF-16 units.
  if (value.length <= max) return value;
  let points = 0;
  let i = 0;
  while (i < value.length) {
    if (points === max) return value.slice(0, i);
    const c = value.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < value.length && isLowSurrogate(value.charCodeAt(i + 1));
    i += pair ? 2 : 1;
    points++;
  }
  return value;
}

export function codePointLength(value: string): number {
  let points = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length && isLowSurrogate(value.charCodeAt(i + 1))) i++;
    points++;
  }
  return points;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
