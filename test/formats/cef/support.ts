/**
 * Test support for the CEF suites: a CanonicalRecord builder, format options, a diagnostic
 * recorder, the vector file loader, and a reference model of the value/header policy
 * written independently of the encoder (plain regular expressions over the spec rules) so
 * property tests can say what a decoded line must contain without calling the encoder.
 */
import { readFileSync } from 'node:fs';
import type { CanonicalRecord, Diagnostic, Field } from '../../../plugin/core/record.js';
import type { DiagnosticListener, FormatOptions } from '../../../plugin/formats/formatter.js';
import { canonicalRecord } from '../../helpers/canonical-record.js';

/** The shared test record, with the event id written without its dot (a plain class id). */
export function record(over: Partial<CanonicalRecord> & { fields?: readonly Field[] } = {}): CanonicalRecord {
  return canonicalRecord({ eventId: '336501', ...over });
}

export function pairs(list: ReadonlyArray<readonly [string, string]>): Field[] {
  return list.map(([key, value]) => ({ key, value }));
}

export function formatOptions(cef: Partial<FormatOptions['cef']> = {}): FormatOptions {
  return {
    format: 'cef',
    envelope: 'none',
    cef: { vendor: 'MT4', product: 'Segura', defaultProductVersion: 'unknown', ...cef },
    syslog: {
      facility: 1,
      appName: 'Segura',
      msgId: 'event-id',
      hostname: 'host',
      sd: false,
      sdId: 'segura@32473',
      bom: false,
      seguraCompat: false,
    },
    sensage: { columns: [] },
    maxBytes: undefined,
  };
}

export interface Recorded {
  origin: string;
  diagnostic: Diagnostic;
}

export function recorder(): { list: Recorded[]; listener: DiagnosticListener } {
  const list: Recorded[] = [];
  return { list, listener: (origin, diagnostic) => list.push({ origin, diagnostic }) };
}

export interface Vector {
  id: string;
  kind: string;
  input: unknown;
  expected: unknown;
  source: string;
}

export function loadVectors(): Map<string, Vector> {
  const url = new URL('../../fixtures/cef-vectors.jsonl', import.meta.url);
  const map = new Map<string, Vector>();
  for (const line of readFileSync(url, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const v = JSON.parse(line) as Vector;
    map.set(v.id, v);
  }
  return map;
}

// ---- reference policy model (independent of plugin/formats/cef) ----

const LONE_SURROGATE = /[\ud800-\udfff]/gu; // with /u, only unpaired halves match
const NO_ESCAPE_CONTROLS = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]/g;
const TRAILING_BLANK = /\p{Zs}+$/u;

/** What a header field must decode to: truncated to `max` code points, then repaired. */
export function expectedHeader(s: string, max: number): string {
  const cut = Array.from(s).slice(0, max).join('');
  return cut
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(NO_ESCAPE_CONTROLS, ' ');
}

/** What an extension value must decode to ('' = the pair is omitted). */
export function expectedValue(s: string): string {
  return s.replace(LONE_SURROGATE, '\ufffd').replace(NO_ESCAPE_CONTROLS, ' ').replace(TRAILING_BLANK, '');
}

/** True when `s` has no lone surrogate, i.e. encodes to UTF-8 without replacement. */
export function isWellFormedUtf16(s: string): boolean {
  return !/[\ud800-\udfff]/u.test(s);
}
