/**
 * RFC 5424 lines, strictly valid against the §6 ABNF:
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA[ MSG]`.
 * Used two ways: `--format rfc5424` (MSG = the fields as CEF-escaped `key=value` pairs, as
 * Segura documents) and the `rfc5424` envelope around a CEF line (MSG = the CEF line).
 *
 * - PRI = facility × 8 + the record's syslog severity; the 8 prefixes are built once.
 * - TIMESTAMP: the record's time in its own offset, fraction as given (≤ 6 digits); without
 *   a time, the time of formatting (UTC, ms); a time that cannot be written → `-` + diagnostic.
 * - HOSTNAME = record host, else the configured hostname; APP-NAME configured; PROCID =
 *   record process id; MSGID = event id (`--msgid event-id`). Each is checked (syslog-header.ts).
 * - STRUCTURED-DATA: `-`, or with `--sd` one SD-ELEMENT with the fields (structured-data.ts).
 * - MSG is left out (with its space) when it would be empty; `--bom` puts U+FEFF before it.
 * - `--segura-compat` drops the STRUCTURED-DATA field as Segura's published example does.
 *   Such lines are NOT RFC 5424: strict parsers read the first word of MSG as STRUCTURED-DATA.
 */
import { SegError } from '../../core/errors.js';
import type { CanonicalRecord } from '../../core/record.js';
import type { DiagnosticListener, FormatOptions } from '../formatter.js';
import { renderPairs } from './pairs.js';
import { buildSdRenderer } from './structured-data.js';
import { CONFIG_ORIGIN, NILVALUE, headerField, priPrefixes } from './syslog-header.js';
import { createRfc3339Formatter, nowText, type Rfc3339Formatter } from './timestamp.js';

/** Wraps an already rendered MSG (or none: empty string) in an RFC 5424 header. */
export type Envelope = (rec: CanonicalRecord, msg: string) => string;

const BOM = '\ufeff';

/** The RFC 5424 header + SD around `msg`, for `--envelope rfc5424` and `--format rfc5424`. */
export function buildRfc5424Envelope(opts: FormatOptions, onDiagnostic: DiagnosticListener): Envelope {
  const s = opts.syslog;
  const pri = priPrefixes(s.facility).map((p) => `${p}1 `);
  const appName = headerField(s.appName, 'APP-NAME', CONFIG_ORIGIN, onDiagnostic);
  const defaultHost = headerField(s.hostname, 'HOSTNAME', CONFIG_ORIGIN, onDiagnostic);
  if (s.seguraCompat && s.sd) {
    throw new SegError('SEG_ERR_CONFIG', '--sd and --segura-compat cannot be combined: compat mode has no STRUCTURED-DATA field');
  }
  const sd = s.sd ? buildSdRenderer(s.sdId, onDiagnostic) : undefined;
  const sdSeparator = s.seguraCompat ? '' : ' ';
  const useEventId = s.msgId === 'event-id';
  const msgPrefix = s.bom ? ` ${BOM}` : ' ';
  const timestamps = createRfc3339Formatter();

  return (rec, msg) => {
    const origin = rec.origin;
    const host = rec.host === undefined || rec.host.length === 0
      ? defaultHost
      : headerField(rec.host, 'HOSTNAME', origin, onDiagnostic);
    const procId = headerField(rec.procId, 'PROCID', origin, onDiagnostic);
    const msgId = useEventId ? headerField(rec.eventId, 'MSGID', origin, onDiagnostic) : NILVALUE;
    const structured = s.seguraCompat ? '' : sd === undefined ? NILVALUE : sd(rec);
    const head =
      priFor(pri, rec) + timestampFor(timestamps, rec, onDiagnostic) + ' ' + host + ' ' + appName + ' ' +
      procId + ' ' + msgId + sdSeparator + structured;
    return msg.length === 0 ? head : head + msgPrefix + msg;
  };
}

/** `--format rfc5424`: MSG is the record's fields as `key=value` pairs. */
export function buildRfc5424Render(opts: FormatOptions, onDiagnostic: DiagnosticListener): (rec: CanonicalRecord) => string {
  const envelope = buildRfc5424Envelope(opts, onDiagnostic);
  return (rec) => envelope(rec, renderPairs(rec.fields, rec.origin, onDiagnostic));
}

/** `<PRI>` (+ `1 ` for RFC 5424) for the record's severity; a severity outside 0-7 is a format error. */
export function priFor(prefixes: readonly string[], rec: CanonicalRecord): string {
  const p = prefixes[rec.syslogSeverity];
  if (p === undefined) {
    throw new SegError('SEG_ERR_FORMAT', `syslog severity must be 0-7, got ${String(rec.syslogSeverity)}`, {
      field: 'syslogSeverity',
    });
  }
  return p;
}

function timestampFor(timestamps: Rfc3339Formatter, rec: CanonicalRecord, onDiagnostic: DiagnosticListener): string {
  if (rec.time === undefined) return nowText();
  const text = timestamps.format(rec.time);
  if (text !== undefined) return text;
  onDiagnostic(rec.origin, {
    code: 'time-invalid',
    field: 'time',
    message: `time ${JSON.stringify(rec.time)} cannot be written as an RFC 5424 TIMESTAMP; using NILVALUE "-"`,
  });
  return NILVALUE;
}
