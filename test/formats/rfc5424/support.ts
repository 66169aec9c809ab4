/**
 * Test support for the syslog and Sensage suites: hand-built CanonicalRecords, format
 * options with explicit defaults, a diagnostic recorder, and a decoder for the MSG's
 * `key=value` pairs that reuses the independent CEF test decoder (test/helpers/cef-decoder.ts)
 * by giving the pairs a dummy CEF header.
 */
import { isIPv6 } from 'node:net';
import type { Diagnostic, EventTime, Field } from '../../../plugin/core/record.js';
import type { DiagnosticListener, FormatOptions } from '../../../plugin/formats/formatter.js';
import { canonicalRecord } from '../../helpers/canonical-record.js';
import { decodeCef } from '../../helpers/cef-decoder.js';

export const record = canonicalRecord;

export function fields(list: ReadonlyArray<readonly [string, string] | readonly [string, string, number]>): Field[] {
  return list.map(([key, value, shrinkRank]) => (shrinkRank === undefined ? { key, value } : { key, value, shrinkRank }));
}

/** 2018-06-18T17:49:41-03:00 (Segura's published example), with an optional fraction. */
export function seguraTime(fraction = ''): EventTime {
  const ms = fraction === '' ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  return { epochMs: Date.UTC(2018, 5, 18, 20, 49, 41, ms), fraction, offsetMinutes: -180 };
}

type Overrides = {
  [K in keyof FormatOptions]?: FormatOptions[K] extends object ? Partial<FormatOptions[K]> : FormatOptions[K];
};

export function options(over: Overrides = {}): FormatOptions {
  return {
    format: over.format ?? 'rfc5424',
    envelope: over.envelope ?? 'none',
    cef: { vendor: 'MT4', product: 'Segura', defaultProductVersion: 'unknown', ...over.cef },
    syslog: {
      facility: 1,
      appName: 'Segura',
      msgId: 'event-id',
      hostname: 'collector01',
      sd: false,
      sdId: 'segura@32473',
      bom: false,
      seguraCompat: false,
      ...over.syslog,
    },
    sensage: { columns: ['time', 'event_id', 'msg', 'extra'], ...over.sensage },
    maxBytes: over.maxBytes,
  };
}

export interface Recorded {
  origin: string;
  diagnostic: Diagnostic;
}

export function recorder(): { list: Recorded[]; listener: DiagnosticListener; codes(): string[] } {
  const list: Recorded[] = [];
  return {
    list,
    listener: (origin, diagnostic) => list.push({ origin, diagnostic }),
    codes: () => list.map((r) => r.diagnostic.code),
  };
}

export const ignore: DiagnosticListener = () => {};

/** The `key=value` pairs of an RFC 5424 MSG (or Sensage `extra`), decoded as a CEF extension. */
export function decodePairs(text: string): Array<[string, string]> {
  return decodeCef(`CEF:0|v|p|1|c|n|5|${text}`).extensions;
}

export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

// ---- reference policy models, written from the documented rules (docs/formats.md) ----

const LONE_SURROGATE = /[\ud800-\udfff]/gu; // with /u only unpaired halves match
const CONTROLS_EXCEPT_CR_LF = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]/g;
const ALL_BREAKING = /[\x00-\x1f\x7f\x85\u2028\u2029]/g;
const TRAILING_BLANK = /\p{Zs}+$/u;

/** A MSG pair's decoded value: controls → space, lone surrogate → U+FFFD, trailing blanks cut. '' = pair left out. */
export function expectedPairValue(s: string): string {
  return s.replace(LONE_SURROGATE, '\ufffd').replace(CONTROLS_EXCEPT_CR_LF, ' ').replace(TRAILING_BLANK, '');
}

/** An SD PARAM-VALUE's decoded value: every breaking control (CR and LF too) → space, lone surrogate → U+FFFD. */
export function expectedSdValue(s: string): string {
  return s.replace(LONE_SURROGATE, '\ufffd').replace(ALL_BREAKING, ' ');
}

/**
 * A header field: `-` if empty, else one `_` per code point outside %d33-126 or `[` (and, for
 * HOSTNAME = max 255, `:` unless the value is an IPv6 address), cut to `max`.
 */
export function expectedHeaderField(s: string | undefined, max: number): string {
  if (s === undefined || s === '') return '-';
  const keepColon = max !== 255 || isIPv6(s);
  return Array.from(s, (ch) => (/^[\x21-\x5a\x5c-\x7e]$/.test(ch) && (keepColon || ch !== ':') ? ch : '_'))
    .slice(0, max)
    .join('');
}

/** An SD-NAME: one `_` per code point outside %d33-126 or in `= ] "`, cut to 32, `_` if empty. */
export function expectedSdName(s: string): string {
  const out = Array.from(s, (ch) => (/^[\x21-\x7e]$/.test(ch) && !'=]"'.includes(ch) ? ch : '_')).slice(0, 32).join('');
  return out === '' ? '_' : out;
}

/** The pairs a CEF-extension reader must see in MSG: valid CEF keys only, policy applied, empties left out. */
export function expectedPairs(list: readonly Field[]): Array<[string, string]> {
  return list
    .filter((f) => /^[A-Za-z][A-Za-z0-9]*$/.test(f.key))
    .map((f): [string, string] => [f.key, expectedPairValue(f.value)])
    .filter(([, v]) => v !== '');
}
