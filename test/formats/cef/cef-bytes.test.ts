/**
 * The CEF byte fast path (Formatter.formatInto, used by `stdio` for bare CEF to stdout) must
 * be the string path in other clothes: for arbitrary records — lone surrogates, every
 * control character, trailing blanks that drop a pair, invalid keys, repaired headers — the
 * bytes written are exactly the UTF-8 of format() plus LF, or nothing at all (then format()
 * is used), and the diagnostics reported are the same, in the same order, as format() alone
 * reports. The fused escaper+encoder is checked against escapeExtensionValue + Buffer.from.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanonicalRecord } from '../../../plugin/core/record.js';
import { escapeExtensionValue, sanitizeExtensionValue, sanitizedLength, writeExtensionValue } from '../../../plugin/formats/cef/cef-escape.js';
import { LineBuffer } from '../../../plugin/formats/line-buffer.js';
import { buildFormatter } from '../../../plugin/formats/registry.js';
import { formatOptions, record, recorder } from './support.js';

const TRICKY = [
  '\\', '=', '|', '\r', '\n', '\r\n', ' ', '\t', '\0', '\x1b', '\x7f', '\x85', '\u2028', '\u2029',
  '\u00a0', '\u3000', '\ufeff', 'é', 'ß', '李', '\u{1F600}', '\u07ff', '\u0800', '\uffff', 'x suser=',
];
const unit = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 4 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
);
const text = (maxLength = 20): fc.Arbitrary<string> => fc.string({ unit, maxLength });

const KEYS = ['msg', 'suser', 'dst', 'dpt', 'cs1Label', 'cs1', 'rt', 'sourceServiceName', 'requestMethod', 'flexString1Label'];
const key = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KEYS) },
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,14}$/) },
  { weight: 1, arbitrary: fc.constantFrom('bad key', '1x', 'a_b', '') },
);
const fields = fc.uniqueArray(fc.record({ key, value: text() }), { selector: (f) => f.key, maxLength: 10 });
const header = fc.record({
  eventId: fc.oneof(fc.constantFrom('13', '336.501', undefined), text(6)),
  name: fc.oneof(fc.constantFrom('New request', undefined), text(12)),
  severity: fc.oneof(fc.constantFrom('0', '5', '10', 'High'), text(3)),
  productVersion: fc.oneof(fc.constantFrom('3.27.0-4', undefined), text(8)),
});

/** Diagnostics as comparable values. */
function diagnosticsOf(list: ReturnType<typeof recorder>['list']): string[] {
  return list.map((r) => `${r.origin} ${r.diagnostic.code} ${r.diagnostic.field ?? ''} ${r.diagnostic.message}`);
}

describe('CEF byte fast path', () => {
  it('writes exactly the UTF-8 of format() plus LF, or nothing, with the same diagnostics (property)', () => {
    // One formatter pair for the whole run, so the header cache and key memo are exercised.
    const viaBytes = recorder();
    const viaString = recorder();
    const bytesFormatter = buildFormatter(formatOptions(), viaBytes.listener);
    const stringFormatter = buildFormatter(formatOptions(), viaString.listener);
    expect(bytesFormatter.formatInto).toBeDefined();
    const out = new LineBuffer(64);
    fc.assert(
      fc.property(fc.array(fc.tuple(header, fields), { minLength: 1, maxLength: 4 }), (records) => {
        for (const [h, f] of records) {
          const rec: CanonicalRecord = record({ ...h, fields: f });
          viaBytes.list.length = 0;
          viaString.list.length = 0;
          const before = out.pos;
          const line = stringFormatter.format(rec);
          if (bytesFormatter.formatInto!(rec, out)) {
            expect(out.buf.subarray(before, out.pos)).toEqual(Buffer.from(line + '\n', 'utf8'));
          } else {
            expect(out.pos).toBe(before);
            expect(viaBytes.list).toEqual([]);
            expect(bytesFormatter.format(rec)).toBe(line);
          }
          expect(diagnosticsOf(viaBytes.list)).toEqual(diagnosticsOf(viaString.list));
          if (out.pos > 4096) out.take();
        }
      }),
      { numRuns: 400 },
    );
  });

  it('is offered only for bare CEF without a byte budget', () => {
    const none = () => undefined;
    expect(buildFormatter(formatOptions(), none).formatInto).toBeDefined();
    expect(buildFormatter({ ...formatOptions(), maxBytes: 512 }, none).formatInto).toBeUndefined();
    expect(buildFormatter({ ...formatOptions(), envelope: 'rfc5424' }, none).formatInto).toBeUndefined();
    expect(buildFormatter({ ...formatOptions(), format: 'sensage' }, none).formatInto).toBeUndefined();
  });

  it('reports a repaired header on every record (a repaired header is never cached)', () => {
    const seen = recorder();
    const f = buildFormatter(formatOptions(), seen.listener);
    const out = new LineBuffer();
    const rec = record({ name: 'line\nbreak', fields: [{ key: 'msg', value: 'm' }] });
    expect(f.formatInto!(rec, out)).toBe(true);
    expect(f.formatInto!({ ...rec, origin: 'line 2' }, out)).toBe(true);
    expect(seen.list.map((r) => [r.origin, r.diagnostic.code])).toEqual([
      ['line 1', 'header-sanitized'],
      ['line 2', 'header-sanitized'],
    ]);
    expect(out.buf.subarray(0, out.pos).toString()).toBe(
      'CEF:0|MT4|Segura|3.27.0-4|336501|line break|9|msg=m\n'.repeat(2),
    );
  });

  it('uses the header of the record, not of an earlier one with the same event id', () => {
    const f = buildFormatter(formatOptions(), () => undefined);
    const out = new LineBuffer();
    f.formatInto!(record({ eventId: '16', name: 'Session started' }), out);
    f.formatInto!(record({ eventId: '16', name: 'Other name', severity: 'High' }), out);
    f.formatInto!(record({ eventId: '16', name: 'Other name', productVersion: undefined }), out);
    expect(out.buf.subarray(0, out.pos).toString().split('\n')).toEqual([
      'CEF:0|MT4|Segura|3.27.0-4|16|Session started|9|',
      'CEF:0|MT4|Segura|3.27.0-4|16|Other name|High|',
      'CEF:0|MT4|Segura|unknown|16|Other name|9|',
      '',
    ]);
  });
});

describe('writeExtensionValue', () => {
  it('equals escapeExtensionValue of the sanitized value, encoded as UTF-8 (property)', () => {
    const buf = Buffer.alloc(1024);
    fc.assert(
      fc.property(text(60), (s) => {
        const end = sanitizedLength(s);
        const written = writeExtensionValue(s, end, buf, 7);
        expect(buf.subarray(7, written)).toEqual(Buffer.from(escapeExtensionValue(sanitizeExtensionValue(s)), 'utf8'));
      }),
      { numRuns: 2000 },
    );
  });

  it('needs at most 3 bytes per UTF-16 unit', () => {
    const worst = '\\='.repeat(10) + '\ud800'.repeat(10) + '李'.repeat(10) + '\n';
    const buf = Buffer.alloc(worst.length * 3);
    expect(writeExtensionValue(worst, worst.length, buf, 0)).toBeLessThanOrEqual(worst.length * 3);
  });
});
