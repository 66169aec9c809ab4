/**
 * Header pieces shared by the RFC 5424 formatter and the RFC 3164 envelope: the PRI prefix
 * (RFC 5424 §6.2.1) and the check every header field gets before it is written (§6.2.4-6.2.7:
 * 1..N PRINTUSASCII characters, or the NILVALUE `-`). A bad value is repaired, never written
 * raw: each character outside %d33-126 becomes `_` and the value is cut to its maximum.
 * `[` is also replaced although RFC 5424 allows it: syslog-ng (3.38, `flags(syslog-protocol)`)
 * refuses a whole message with `[` in HOSTNAME, APP-NAME or PROCID (its parser treats `[` as
 * the start of a BSD `prog[pid]`), and no real host name, application name or process id
 * contains one. The same rule applies to MSGID for simplicity. For the same reason a `:`
 * in HOSTNAME is replaced unless the whole value is an IPv6 address (syslog-ng accepts a
 * colon only where its IPv6 heuristic does; RFC 5424 §6.2.4 lists only FQDN, IP address and
 * host name, so a colon never belongs to a valid HOSTNAME otherwise).
 */
import { isIPv6 } from 'node:net';
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

const OPEN_BRACKET = 0x5b;

/** True for a character a header field may carry: PRINTUSASCII (%d33-126) except `[`. */
function isHeaderChar(code: number): boolean {
  return code >= 33 && code <= 126 && code !== OPEN_BRACKET;
}

/** True when `s` is 1..`max` characters, each a header character. */
export function isValidHeaderValue(s: string, max: number): boolean {
  if (s.length === 0 || s.length > max) return false;
  for (let i = 0; i < s.length; i++) if (!isHeaderChar(s.charCodeAt(i))) return false;
  return true;
}

/**
 * The value to write for one header field: `-` when absent or empty, the value itself when
 * valid, else a repaired copy (one `_` per offending code point, cut to the field's maximum)
 * and a `header-sanitized` diagnostic.
 */
export function headerField(
  value: string | undefined,
  field: HeaderFieldName,
  origin: string,
  report: Report,
): string {
  if (value === undefined || value.length === 0) return NILVALUE;
  const max = HEADER_LIMITS[field];
  const colonAllowed = field !== 'HOSTNAME' || !value.includes(':') || isIPv6(value);
  if (colonAllowed && isValidHeaderValue(value, max)) return value;
  let out = '';
  let replaced = 0;
  let cut = false;
  for (const ch of value) {
    if (out.length === max) {
      cut = true;
      break;
    }
    if (ch.length === 1 && isHeaderChar(ch.charCodeAt(0)) && (colonAllowed || ch !== ':')) out += ch;
    else {
      out += '_';
      replaced++;
    }
  }
  const what = [
    replaced > 0 ? `${replaced} character(s) outside printable US-ASCII (or "[", or ":" outside an IPv6 address) replaced by "_"` : '',
    cut ? `cut to ${max} characters` : '',
  ].filter((s) => s !== '');
  report(origin, { code: 'header-sanitized', field, message: `${field} ${preview(value)}: ${what.join(', ')}` });
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
