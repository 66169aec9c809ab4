/**
 * The BSD-syslog (RFC 3164 §4.1) envelope around a CEF line, the shape the CEF standard and
 * ArcSight/QRadar/Sentinel collectors document: `<PRI>Mmm dd hh:mm:ss HOSTNAME CEF:0|…`.
 *
 * - PRI as in RFC 5424 (facility × 8 + severity), no version digit.
 * - TIMESTAMP: English month abbreviation, day padded with a space (`Jan  5`), 24-hour time,
 *   no year, no zone (RFC 3164 §4.1.2). The wall clock is the record's own offset, i.e. the
 *   local time of the system that produced the event, as a BSD syslog daemon there would
 *   have written it; without a time the time of formatting in UTC is used (a time that
 *   cannot be written also falls back to it, with a `time-invalid` diagnostic). Fractions
 *   are dropped.
 * - HOSTNAME: record host, else the configured hostname, checked as in RFC 5424 (PRINTUSASCII,
 *   ≤ 255; RFC 3164 forbids spaces in it), `-` if none.
 * - No TAG: the CEF line follows the hostname directly, as in the CEF standard's examples.
 */
import type { CanonicalRecord, EventTime } from '../../core/record.js';
import type { DiagnosticListener, FormatOptions } from '../formatter.js';
import { priFor, type Envelope } from '../rfc5424/rfc5424.js';
import { CONFIG_ORIGIN, headerField, priPrefixes } from '../rfc5424/syslog-header.js';
import { isWritableOffset } from '../rfc5424/timestamp.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `Mmm dd hh:mm:ss` of the wall clock `offsetMinutes` from UTC at `epochMs`. */
export function bsdTimestamp(epochMs: number, offsetMinutes: number): string {
  const d = new Date(Math.floor(epochMs / 1000) * 1000 + offsetMinutes * 60_000);
  const day = d.getUTCDate();
  return (
    `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

/** Largest |epochMs| a Date can hold (ECMA-262 §21.4.1.1), less a day so any offset stays in range. */
const MAX_EPOCH_MS = 8.64e15 - 86_400_000;

function isWritable(time: EventTime): boolean {
  return Number.isFinite(time.epochMs) && Math.abs(time.epochMs) <= MAX_EPOCH_MS && isWritableOffset(time.offsetMinutes);
}

/** `<PRI>Mmm dd hh:mm:ss HOSTNAME ` + body. */
export function buildRfc3164Envelope(opts: FormatOptions, onDiagnostic: DiagnosticListener): Envelope {
  const pri = priPrefixes(opts.syslog.facility);
  const defaultHost = headerField(opts.syslog.hostname, 'HOSTNAME', CONFIG_ORIGIN, onDiagnostic);
  let cachedSecond = Number.NaN;
  let cachedOffset = Number.NaN;
  let cachedStamp = '';
  const stampFor = (rec: CanonicalRecord): string => {
    const t = rec.time;
    if (t === undefined) return bsdTimestamp(Date.now(), 0);
    if (!isWritable(t)) {
      onDiagnostic(rec.origin, {
        code: 'time-invalid',
        field: 'time',
        message: `time ${JSON.stringify(t)} cannot be written; using the time of formatting`,
      });
      return bsdTimestamp(Date.now(), 0);
    }
    const second = Math.floor(t.epochMs / 1000);
    if (second !== cachedSecond || t.offsetMinutes !== cachedOffset) {
      cachedStamp = bsdTimestamp(t.epochMs, t.offsetMinutes);
      cachedSecond = second;
      cachedOffset = t.offsetMinutes;
    }
    return cachedStamp;
  };
  return (rec, body) => {
    const host = rec.host === undefined || rec.host.length === 0
      ? defaultHost
      : headerField(rec.host, 'HOSTNAME', rec.origin, onDiagnostic);
    return `${priFor(pri, rec)}${stampFor(rec)} ${host} ${body}`;
  };
}
