/**
 * `--format sensage` (this project's TAB-separated layout): golden lines written by hand from
 * the documented rule (docs/formats.md, config-examples/sensage/README.md), the shipped
 * sample read back by the shipped reference decoder run as a real `node` child process,
 * the shipped column list kept equal to the defaults, and a property test that arbitrary
 * values always come back exactly (after the documented policy) through that decoder.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SENSAGE_COLUMNS } from '../../../plugin/config/schema.js';
import type { CanonicalRecord } from '../../../plugin/core/record.js';
import { buildSensageRender } from '../../../plugin/formats/sensage/sensage.js';
import { expectedPairs, fields, ignore, options, record, recorder, seguraTime } from '../rfc5424/support.js';
import { failedRecovery, passwordViewed, SAMPLE_RECORDS, scheduleUpdated } from './sample-records.js';

const EXAMPLES = new URL('../../../config-examples/sensage/', import.meta.url);
const render = (columns: readonly string[], listener = ignore) =>
  buildSensageRender(options({ format: 'sensage', sensage: { columns } }), listener);

interface DecoderModule {
  decodeLine(line: string, columns: readonly string[]): Record<string, string> & { extra_fields?: Record<string, string> };
}
const decoder = (await import(new URL('decode-sensage.mjs', EXAMPLES).href)) as DecoderModule;

describe('sensage golden lines', () => {
  const rec = record({
    time: seguraTime('5'),
    host: 'pam01',
    messageType: 'incident-update',
    fields: fields([['msg', 'Incident updated'], ['act', 'Incident'], ['cs1', 'a=b\\c'], ['cs1Label', 'Note']]),
  });

  it('files a value by its documented name when the profile wrote it under another key', () => {
    const written = record({
      fields: [
        { key: 'dport', value: '22', column: 'dpt' },
        { key: 'MT4SeguraSourceDisplayName', value: 'Stephen Lee', column: 'sname' },
        { key: 'flexString1Label', value: 'Added users', column: 'cs7Label' },
        { key: 'flexString1', value: 'jdoe', column: 'cs7' },
        { key: 'cfp1Label', value: 'Origin Latitude' },
        { key: 'cfp1', value: '-23.6', column: 'latitude' },
      ],
    });
    expect(render(['dpt', 'sname', 'cs7Label', 'cs7', 'latitude', 'extra'])(written)).toBe('22\tStephen Lee\tAdded users\tjdoe\t-23.6\tcfp1Label=Origin Latitude');
    // A column named like the written key still takes it first.
    expect(render(['dport', 'dpt', 'extra'])(written).split('\t').slice(0, 2)).toEqual(['22', '']);
  });

  it('writes the record columns and the fields in the configured order, TAB-separated', () => {
    const cols = ['time', 'event_id', 'event_name', 'severity', 'priority', 'host', 'product_version', 'message_type', 'msg', 'act', 'extra'];
    expect(render(cols)(rec)).toBe(
      '2018-06-18T17:49:41.5-03:00\t336.501\tUpdate Incident\t9\t1\tpam01\t3.27.0-4\tincident-update\tIncident updated\tIncident\tcs1=a\\\\=b\\\\\\\\c cs1Label=Note',
    );
  });

  it('writes an empty string for absent values and missing fields; any column order works', () => {
    const bare = record({ eventId: undefined, name: undefined, productVersion: undefined, time: seguraTime(), fields: [] });
    expect(render(['msg', 'host', 'event_id', 'time', 'dst', 'event_name', 'product_version', 'message_type'])(bare)).toBe(
      '\t\t\t2018-06-18T17:49:41-03:00\t\t\t\t',
    );
  });

  it('escapes \\ TAB LF CR; other controls become a space, a lone surrogate U+FFFD; spaces and non-ASCII are kept', () => {
    const r = record({ fields: fields([['msg', ' a\\b\tc\nd\re\0f\u2028g\x7f h\ud800 日本 \u{1F600} ']]) });
    expect(render(['msg'])(r)).toBe(' a\\\\b\\tc\\nd\\re f g  h\ufffd 日本 \u{1F600} ');
  });

  it('looks up any other column name as a field key; a repeated key goes to extra', () => {
    const r = record({ fields: fields([['ticketId', 'CHG-1'], ['msg', 'first'], ['msg', 'second']]) });
    expect(render(['ticketId', 'msg', 'extra'])(r)).toBe('CHG-1\tfirst\tmsg=second');
  });

  it('drops the remaining fields when there is no extra column, without diagnostics', () => {
    const diag = recorder();
    expect(render(['msg'], diag.listener)(record({ fields: fields([['msg', 'm'], ['bad key', 'x'], ['act', 'a']]) }))).toBe('m');
    expect(diag.list).toEqual([]);
  });

  it('leaves a field with an invalid CEF key out of extra, with a diagnostic', () => {
    const diag = recorder();
    expect(render(['extra'], diag.listener)(record({ fields: fields([['bad key', 'x'], ['act', 'a']]) }))).toBe('act=a');
    expect(diag.codes()).toEqual(['key-invalid']);
  });

  it('epoch_ms is the same instant as integer milliseconds', () => {
    expect(render(['epoch_ms', 'time'])(record({ time: seguraTime('123456') }))).toBe(
      `${Date.UTC(2018, 5, 18, 20, 49, 41, 123)}\t2018-06-18T17:49:41.123456-03:00`,
    );
  });

  it('without a time: time of formatting, UTC with milliseconds, in both time columns', () => {
    const before = Date.now();
    const [epoch, iso] = render(['epoch_ms', 'time'])(record({})).split('\t') as [string, string];
    const after = Date.now();
    expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(iso)).toBe(Number(epoch));
    expect(Number(epoch)).toBeGreaterThanOrEqual(before);
    expect(Number(epoch)).toBeLessThanOrEqual(after);
  });

  it('an unwritable time leaves the column empty, with a diagnostic', () => {
    const diag = recorder();
    const line = render(['time', 'msg'], diag.listener)(record({ time: { epochMs: 0, fraction: '', offsetMinutes: 2000 }, fields: fields([['msg', 'm']]) }));
    expect(line).toBe('\tm');
    expect(diag.codes()).toEqual(['time-invalid']);
  });
});

describe('config-examples/sensage', () => {
  it('columns.tsv lists exactly the default columns, in order', () => {
    const rows = readFileSync(new URL('columns.tsv', EXAMPLES), 'utf8').split('\n').filter(Boolean).slice(1).map((l) => l.split('\t'));
    expect(rows.map((r) => r[1])).toEqual([...DEFAULT_SENSAGE_COLUMNS]);
    expect(rows.map((r) => Number(r[0]))).toEqual(DEFAULT_SENSAGE_COLUMNS.map((_, i) => i + 1));
    expect(rows.every((r) => r.length === 5 && ['timestamp', 'string', 'integer'].includes(r[2]!))).toBe(true);
  });

  it('sample.tsv is what the formatter writes for the sample records', () => {
    const r = render(DEFAULT_SENSAGE_COLUMNS);
    expect(readFileSync(new URL('sample.tsv', EXAMPLES), 'utf8')).toBe(SAMPLE_RECORDS.map((x) => `${r(x)}\n`).join(''));
  });

  it('the reference decoder, run as a program, reads the sample back to the records\' values', () => {
    const run = spawnSync(process.execPath, [new URL('decode-sensage.mjs', EXAMPLES).pathname], {
      input: readFileSync(new URL('sample.tsv', EXAMPLES)),
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const rows = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const expectRow = (row: Record<string, unknown>, rec: CanonicalRecord, head: Record<string, string>, extra: Record<string, string>) => {
      const fromFields = Object.fromEntries(rec.fields.filter((f) => DEFAULT_SENSAGE_COLUMNS.includes(f.key)).map((f) => [f.key, f.value]));
      const empty = Object.fromEntries(DEFAULT_SENSAGE_COLUMNS.map((c) => [c, '']));
      const { extra: _raw, extra_fields: extraFields, ...columns } = row;
      expect(columns).toEqual({ ...empty, ...head, ...fromFields, extra: undefined });
      expect(extraFields).toEqual(extra);
    };
    expectRow(rows[0]!, passwordViewed, {
      time: '2024-03-05T14:07:09.250-03:00', event_id: '1', event_name: 'Password Viewed', severity: '5', priority: '5',
      host: 'pam01.example.com', product_version: '3.27.0-4', message_type: 'password-view',
    }, {});
    expectRow(rows[1]!, failedRecovery, {
      time: '2024-03-05T17:07:10Z', event_id: '102', event_name: 'Failed recovery attempt', severity: '7', priority: '3',
      host: 'pam01.example.com', product_version: '3.27.0-4', message_type: 'master-key-failed-recovery',
    }, {});
    expectRow(rows[2]!, scheduleUpdated, {
      time: '2024-03-05T17:08:00.000001+05:30', event_name: 'Reports - Update a Schedule', severity: '5', priority: '5',
      message_type: 'report-schedule-update',
    }, { ticketId: 'CHG-1042', note: 'a=b c\\d\r\nend' });
    expect(rows[2]!.cs3).toBe('Weekly\tsummary\nline 2 C:\\reports');
  });
});

describe('sensage properties', () => {
  const unit = fc.oneof(
    fc.constantFrom('\\', '\t', '\n', '\r', '\r\n', ' ', '=', '\\t', '\\n', '\0', '\x7f', '\x85', '\u2028', '\u2029', 'é', '\u{1F600}', ' a=', 'extra'),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 3 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  );
  const text = fc.string({ unit, maxLength: 16 });
  const KEYS = ['msg', 'act', 'suser', 'cs1', 'cs1Label', 'dst', 'ticketId', 'note'];
  /** Column values: controls → space except TAB/CR/LF (escaped, so kept), lone surrogate → U+FFFD. */
  const columnValue = (s: string) => s.replace(/[\ud800-\udfff]/gu, '\ufffd').replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]/g, ' ');

  it('every line has one value per column and decodes back exactly', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom<string>('time', 'event_id', 'host', 'msg', 'act', 'cs1', 'extra'), { minLength: 1 }),
        fc.uniqueArray(fc.record({ key: fc.constantFrom(...KEYS), value: text }), { selector: (f) => f.key, maxLength: 8 }),
        fc.option(text, { nil: undefined }),
        (columns, flds, host) => {
          const rec = record({ host, time: seguraTime(), fields: flds });
          const line = render(columns)(rec);
          expect(line).not.toMatch(/[\r\n]/);
          const row = decoder.decodeLine(line, columns);
          const leftover = flds.filter((f) => !columns.includes(f.key));
          for (const c of columns) {
            const f = flds.find((x) => x.key === c);
            if (c === 'time') expect(row.time).toBe('2018-06-18T17:49:41-03:00');
            else if (c === 'event_id') expect(row.event_id).toBe('336.501');
            else if (c === 'host') expect(row.host).toBe(columnValue(host ?? ''));
            else if (c === 'extra') expect(Object.entries(row.extra_fields ?? {})).toEqual(expectedPairs(leftover));
            else expect(row[c]).toBe(columnValue(f?.value ?? ''));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
