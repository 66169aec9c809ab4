/**
 * Property tests (fast-check) for `--format rfc5424`: for arbitrary header values, field
 * keys and values (any code point, lone surrogates, every control, `]`, `"`, `\`, `=`, text
 * shaped like SD-ELEMENTs or CEF pairs) and arbitrary options, every line parses under the
 * independent strict ABNF parser (test/helpers/rfc5424-parser.ts), carries no CR or LF, and
 * decodes back to exactly the intended values after the documented policy (support.ts
 * models): header fields repaired, SD values and names, MSG pairs via a CEF-extension decoder,
 * and the timestamp denotes the record's instant in the record's offset.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanonicalRecord, EventTime } from '../../../plugin/core/record.js';
import { buildRfc5424Render } from '../../../plugin/formats/rfc5424/rfc5424.js';
import { parseRfc5424 } from '../../helpers/rfc5424-parser.js';
import {
  decodePairs, expectedHeaderField, expectedPairs, expectedSdName, expectedSdValue, options, record, recorder,
} from './support.js';

const TRICKY = [
  '\\', '=', '"', ']', '[', '|', ' ', '  ', '-', '\r', '\n', '\r\n', '\t', '\0', '\x1b', '\x7f', '\x85',
  '\u2028', '\u2029', '\u00a0', '\ufeff', '\\"', '\\]', '\\n', '\\=', ' act=', 'msg=', '[x@1 a="b"]', '\u{1F600}', 'é', 'ß',
];
const unit = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 4 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
);
const text = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit, maxLength });
const longish = fc.oneof({ weight: 5, arbitrary: text(12) }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 30, maxLength: 300 }) });

const KEYS = ['msg', 'act', 'suser', 'suid', 'sname', 'spriv', 'spid', 'dst', 'dhost', 'duser', 'cs1Label', 'cs1', 'requestMethod'];
const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: text(40) });
const fieldList = fc.array(fc.record({ key, value: text(24) }), { maxLength: 8 });

/** Years 0001-9998 keep the local date inside 0000-9999 for any offset. */
const time: fc.Arbitrary<EventTime> = fc.record({
  epochMs: fc.integer({ min: Date.UTC(1, 0, 2), max: Date.UTC(9998, 11, 30) }),
  fraction: fc.stringMatching(/^[0-9]{0,6}$/),
  offsetMinutes: fc.integer({ min: -1439, max: 1439 }),
});

const recordArb: fc.Arbitrary<CanonicalRecord> = fc
  .record({
    host: fc.option(longish, { nil: undefined }),
    procId: fc.option(longish, { nil: undefined }),
    eventId: fc.option(longish, { nil: undefined }),
    syslogSeverity: fc.integer({ min: 0, max: 7 }),
    time: fc.option(time, { nil: undefined }),
    fields: fieldList,
  })
  .map((r) => record(r));

const optionsArb = fc.record({
  facility: fc.integer({ min: 0, max: 23 }),
  appName: longish,
  hostname: longish,
  msgId: fc.constantFrom('event-id' as const, 'none' as const),
  sd: fc.boolean(),
  sdId: fc.constantFrom('segura@32473', 'a@1', 'x.y-z@32473.1.2'),
  bom: fc.boolean(),
});

const nil = (s: string): string | null => (s === '-' ? null : s);

/** The instant and offset a TIMESTAMP denotes, fraction cut to milliseconds for comparison. */
function denotes(ts: string): { ms: number; frac: string; offset: number } {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|([+-])(\d\d):(\d\d))$/.exec(ts)!;
  const offset = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  const local = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  const localFixed = new Date(local);
  localFixed.setUTCFullYear(Number(m[1])); // Date.UTC maps years 0-99 to 1900-1999
  return { ms: localFixed.getTime() - offset * 60_000, frac: m[7] ?? '', offset };
}

describe('rfc5424 properties', () => {
  it('every line is valid RFC 5424 and decodes to the intended values', () => {
    fc.assert(
      fc.property(recordArb, optionsArb, (rec, syslog) => {
        const diag = recorder();
        const line = buildRfc5424Render(options({ syslog }), diag.listener)(rec);
        expect(line).not.toMatch(/[\r\n]/);
        const m = parseRfc5424(line);

        expect(m.pri).toBe(syslog.facility * 8 + rec.syslogSeverity);
        const host = rec.host === undefined || rec.host === '' ? syslog.hostname : rec.host;
        expect(m.hostname).toBe(nil(expectedHeaderField(host, 255)));
        expect(m.appName).toBe(nil(expectedHeaderField(syslog.appName, 48)));
        expect(m.procId).toBe(nil(expectedHeaderField(rec.procId, 128)));
        expect(m.msgId).toBe(syslog.msgId === 'none' ? null : nil(expectedHeaderField(rec.eventId, 32)));

        if (syslog.sd && rec.fields.length > 0) {
          expect(m.structuredData).toEqual([
            { id: syslog.sdId, params: rec.fields.map((f) => [expectedSdName(f.key), expectedSdValue(f.value)]) },
          ]);
        } else {
          expect(m.structuredData).toBeNull();
        }

        const pairs = expectedPairs(rec.fields);
        if (pairs.length === 0) {
          expect(m.msg).toBeUndefined();
        } else {
          expect(m.bom).toBe(syslog.bom);
          expect(decodePairs(m.msg!)).toEqual(pairs);
        }

        if (rec.time !== undefined) {
          const d = denotes(m.timestamp!);
          expect(d.ms).toBe(Math.floor(rec.time.epochMs / 1000) * 1000);
          expect(d.frac).toBe(rec.time.fraction);
          expect(d.offset).toBe(rec.time.offsetMinutes);
        }
        expect(diag.list.every((r) => r.diagnostic.code !== 'time-invalid')).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('a field value can never forge a header field, an SD-ELEMENT or a pair', () => {
    const forged = fc.constantFrom('"] [evil@1 x="y', '\\"]', ' [a@1 b="c"]', '\n<13>1 - h a p m - forged', ' suser=root', '\\');
    fc.assert(
      fc.property(forged, fc.boolean(), (value, sd) => {
        const rec = record({ host: 'h', fields: [{ key: 'msg', value }, { key: 'act', value: 'ok' }] });
        const m = parseRfc5424(buildRfc5424Render(options({ syslog: { sd } }), () => {})(rec));
        if (sd) expect(m.structuredData).toEqual([{ id: 'segura@32473', params: [['msg', expectedSdValue(value)], ['act', 'ok']] }]);
        expect(decodePairs(m.msg!).map(([k]) => k)).toEqual(['msg', 'act']);
      }),
    );
  });
});
