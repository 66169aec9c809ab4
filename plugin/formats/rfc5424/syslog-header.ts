/**
 * Header pieces shared by the RFC 5424 formatter and the RFC 3164 envelope: the PRI prefix
 * (RFC 5424 §6.2.1) and the check every header field gets before it is written (§6.2.4-6.2.7:
 * 1..N PRINTUSASCII characters, or the NILVALUE `-`). A bad value is repaired, never written
 * raw: each character outside %d33-126 becomes `_` and the value is cut to its maximum.
 */
import { SegError } from '../../core/errors.js';
import type { DiagnosticListener } from '../formatter.js';

/** Maximum lengths from the RFC 5424 ABNF (§6). */
export const HEADER_LIMITS = {
  HOSTNAME: 255,
  'APP-NAME': 48,
  PROCID: 128,
  MSGID: 32,
} as const;

export type HeaderFieldName = keyof typeof HEADER_LIMITS;

export const NILVALUE = '-';

/** Receives repairs: `(origin, diagnostic)`; origin `config` for configured values. */
export type Report = DiagnosticListener;

/** Origin used for repairs of configured (not per-record) values. */
export const CONFIG_ORIGIN = 'config';

/** True when `s` is 1..`max` characters, each PRINTUSASCII (%d33-126). */
export function isPrintUsAscii(s: string, max: number): boolean {
  if (s.length === 0 || s.length > max) return false;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 33 || code > 126) return false;
  }
  return true;
}

/**
 * The value to write for one header field: `-` when absent or empty, the value itself when
 * valid, else a repaired copy (one `_` per offending code point, cut to the field's maximum)
 * and a `header-sanitised` diagnostic.
 */
export function headerField(
  value: string | undefined,
  field: HeaderFieldName,
  origin: string,
  report: Report,
): string {
  if (value === undefined || value.length === 0) return NILVALUE;
  const max = HEADER_LIMITS[field];
  if (isPrintUsAscii(value, max)) return value;
  let out = '';
  let replaced = 0;
  let cut = false;
  for (const ch of value) {
    if (out.length === max) {
      cut = true;
      break;
    }
    const code = ch.charCodeAt(0);
    if (ch.length === 1 && code >= 33 && code <= 126) out += ch;
    else {
      out += '_';
      replaced++;
    }
  }
  const what = [
    replaced > 0 ? `${replaced} character(s) outside printable US-ASCII replaced by "_"` : '',
    cut ? `cut to ${max} characters` : '',
  ].filter((s) => s !== '');
  report(origin, { code: 'header-sanitised', field, message: `${field} ${preview(value)}: ${what.join(', ')}` });
  return out;
}

/** A short, quoted view of a bad value for a diagnostic message. */
export function preview(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

/**
 * The 8 PRI prefixes for one facility, indexed by syslog severity: `<PRIVAL>` with
 * PRIVAL = facility * 8 + severity, in decimal without leading zeros (§6.2.1).
 */
export function priPrefixes(facility: number): readonly string[] {
  if (!Number.isInteger(facility) || facility < 0 || facility > 23) {
    throw new SegError('SEG_ERR_CONFIG', `syslog facility must be 0-23, got ${facility}`);
  }
  return Array.from({ length: 8 }, (_, severity) => `<${facility * 8 + severity}>`);
}
