/**
 * `--format sensage`: this project's delimited layout for SenSage / HawkEye AP (Segura
 * names a Sensage format but publishes no layout, so this is NOT Segura's byte-exact
 * output; see docs/formats.md and config-examples/sensage/). One record per line, columns
 * in the configured order (default DEFAULT_SENSAGE_COLUMNS) separated by one TAB, each
 * value escaped by sensage-escape.ts, an absent value written as the empty string.
 *
 * Column names: the record columns below; any other name is a field looked up by its key,
 * or by its documented name when the profile wrote it under another key (Field.column), so
 * a column holds the same value in every profile (first occurrence); `extra` holds every
 * field that no column took, as CEF-escaped
 * `key=value` pairs (pairs.ts), then column-escaped like any value.
 * - `time`: RFC 3339 in the record's own offset (as RFC 5424 TIMESTAMP); time of
 *   formatting (UTC, ms) when the record has none; empty + diagnostic if unwritable.
 * - `epoch_ms`: the same instant as integer milliseconds since 1970 UTC (opt-in column).
 * - `event_id`, `event_name`, `severity` (CEF severity), `priority` (syslog severity
 *   0-7), `host`, `product_version`, `message_type`.
 */
import type { CanonicalRecord } from '../../core/record.js';
import type { DiagnosticListener, FormatOptions } from '../formatter.js';
import { appendPair } from '../rfc5424/pairs.js';
import { createRfc3339Formatter } from '../rfc5424/timestamp.js';
import { escapeSensageValue } from './sensage-escape.js';

/** Column names that read the record itself rather than a field. */
export const SENSAGE_RECORD_COLUMNS: readonly string[] = [
  'time', 'epoch_ms', 'event_id', 'event_name', 'severity', 'priority', 'host', 'product_version', 'message_type', 'extra',
];

type RecordColumn = (typeof SENSAGE_RECORD_COLUMNS)[number];

/**
 * The column plan, as parallel arrays so the per-record loop stays monomorphic: column `i`
 * reads field slot `slotOf[i]`, or the record column `recordOf[i]` when the slot is -1.
 */
interface Plan {
  readonly slotOf: Int32Array;
  readonly recordOf: readonly (RecordColumn | undefined)[];
  /** Field key → slot in the per-record values array (first occurrence of a key wins). */
  readonly slots: ReadonlyMap<string, number>;
  readonly wantsExtra: boolean;
}

function planColumns(names: readonly string[]): Plan {
  const slots = new Map<string, number>();
  const slotOf = new Int32Array(names.length);
  const recordOf = names.map((name, i): RecordColumn | undefined => {
    if (SENSAGE_RECORD_COLUMNS.includes(name)) {
      slotOf[i] = -1;
      return name;
    }
    let slot = slots.get(name);
    if (slot === undefined) {
      slot = slots.size;
      slots.set(name, slot);
    }
    slotOf[i] = slot;
    return undefined;
  });
  return { slotOf, recordOf, slots, wantsExtra: names.includes('extra') };
}

export function buildSensageRender(opts: FormatOptions, onDiagnostic: DiagnosticListener): (rec: CanonicalRecord) => string {
  const { slotOf, recordOf, slots, wantsExtra } = planColumns(opts.sensage.columns);
  const count = slotOf.length;
  // Per-record field values by slot; `stamp[slot] === generation` marks a slot filled by the
  // current record, so nothing has to be cleared between records.
  const values = new Array<string>(slots.size).fill('');
  const stamp = new Float64Array(slots.size);
  let generation = 0;
  const timestamps = createRfc3339Formatter();

  const timeText = (rec: CanonicalRecord, now: number): string => {
    if (rec.time === undefined) return new Date(now).toISOString();
    const text = timestamps.format(rec.time);
    if (text !== undefined) return text;
    onDiagnostic(rec.origin, {
      code: 'time-invalid',
      field: 'time',
      message: `time ${JSON.stringify(rec.time)} cannot be written as RFC 3339; column left empty`,
    });
    return '';
  };

  const recordValue = (rec: CanonicalRecord, name: RecordColumn, extra: string, now: number): string => {
    switch (name) {
      case 'time': return timeText(rec, now);
      case 'epoch_ms': return rec.time === undefined ? String(now) : epochText(rec.time.epochMs);
      case 'event_id': return rec.eventId ?? '';
      case 'event_name': return rec.name ?? '';
      case 'severity': return rec.severity;
      case 'priority': return String(rec.syslogSeverity);
      case 'host': return rec.host ?? '';
      case 'product_version': return rec.productVersion ?? '';
      case 'message_type': return rec.messageType ?? '';
      default: return extra;
    }
  };

  return (rec) => {
    generation++;
    let extra = '';
    const fields = rec.fields;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      // A column takes the value written under its name, or the value documented under it
      // that the profile wrote under another key (`dport` fills `dpt`).
      let slot = slots.get(f.key);
      if (slot === undefined && f.column !== undefined) slot = slots.get(f.column);
      if (slot !== undefined && stamp[slot] !== generation) {
        stamp[slot] = generation;
        values[slot] = f.value;
      } else if (wantsExtra) {
        extra = appendPair(extra, f, rec.origin, onDiagnostic);
      }
    }
    const now = rec.time === undefined ? Date.now() : 0;
    let line = '';
    for (let i = 0; i < count; i++) {
      const slot = slotOf[i]!;
      const raw = slot >= 0 ? (stamp[slot] === generation ? values[slot]! : '') : recordValue(rec, recordOf[i]!, extra, now);
      if (i > 0) line += '\t';
      if (raw.length > 0) line += escapeSensageValue(raw);
    }
    return line;
  };
}

/** Integer milliseconds, or empty when the record's time is not a finite number. */
function epochText(epochMs: number): string {
  return Number.isFinite(epochMs) ? String(Math.floor(epochMs)) : '';
}
