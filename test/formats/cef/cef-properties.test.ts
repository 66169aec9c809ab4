/**
 * Property tests (fast-check): for arbitrary Unicode header fields and values — including
 * lone surrogates, every control character, Unicode line breaks, escape look-alikes and
 * text shaped like CEF keys or records — the rendered line decodes, with the independent
 * strict decoder, to exactly the intended keys in order and to the policy-applied values
 * (reference model in support.ts). No value can forge a key, a header field or a line.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCefRender } from '../../../plugin/formats/cef/cef.js';
import { decodeCef } from '../../helpers/cef-decoder.js';
import { expectedHeader, expectedValue, formatOptions, isWellFormedUtf16, record, recorder } from './support.js';

const TRICKY = [
  '\\', '=', '|', '\r', '\n', '\r\n', ' ', '  ', '\t', '\0', '\x0b', '\x1b', '\x7f', '\x85',
  '\u2028', '\u2029', '\u00a0', '\u3000', '\ufeff', '\\=', '\\|', '\\n', '\\\\', 'CEF:0|',
  ' act=', 'suser=', ' cs1Label=', ' x]=', '\u{1F600}', 'é',
];

/** One unit of text: mostly tricky pieces, plus any code point and lone surrogate halves. */
const unit = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 3 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
);
const text = (maxLength = 24): fc.Arbitrary<string> => fc.string({ unit, maxLength });

const KEYS = [
  'msg', 'suid', 'sname', 'suser', 'spid', 'dst', 'dhost', 'dpt', 'duser', 'act', 'src',
  'cs1Label', 'cs1', 'cs2Label', 'cs2', 'cs6Label', 'cs6', 'flexString1Label', 'flexString1',
  'requestMethod', 'sourceServiceName', 'originIP', 'rt', 'c6a2Label', 'c6a2',
];
const key = fc.oneof(fc.constantFrom(...KEYS), fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,12}$/));
const fieldList = fc.uniqueArray(fc.record({ key, value: text() }), { selector: (f) => f.key, maxLength: 12 });

const SEVERITIES = ['0', '1', '5', '9', '10', 'Unknown', 'Low', 'Medium', 'High', 'Very-High'];
const severity = fc.oneof(fc.constantFrom(...SEVERITIES), text(4));
/** Spec "agentSeverity": an integer 0-10 or one of five names, spelled exactly. */
const VALID_SEVERITY = /^(?:[0-9]|10|Unknown|Low|Medium|High|Very-High)$/;

/** The pairs a reader must see: policy applied, empties dropped with their label. */
function expectedPairs(fields: ReadonlyArray<{ key: string; value: string }>): Array<[string, string]> {
  const emptied = new Set(fields.filter((f) => expectedValue(f.value) === '').map((f) => f.key));
  return fields
    .filter((f) => !emptied.has(f.key) && !(f.key.endsWith('Label') && emptied.has(f.key.slice(0, -5))))
    .map((f) => [f.key, expectedValue(f.value)]);
}

/** Counts `ch` outside two-character escapes (every CEF escape is a backslash plus one char). */
function countUnescaped(line: string, ch: string): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === ch) n++;
  }
  return n;
}

const count = (s: string, ch: string): number => s.split(ch).length - 1;
const orPlaceholder = (s: string, max: number, placeholder: string): string =>
  s === '' ? placeholder : expectedHeader(s, max);

describe('CEF round trip through the strict decoder', () => {
  it('gives back exactly the intended header and pairs, on one well-formed line', () => {
    fc.assert(
      fc.property(
        text(), text(), text(), text(), text(), severity, fieldList,
        (vendor, product, version, eventId, name, sev, fields) => {
          const render = buildCefRender(formatOptions({ vendor, product }), recorder().listener);
          const rec = record({ productVersion: version, eventId, name, severity: sev, fields });
          const line = render(rec);

          const want = {
            vendor: expectedHeader(vendor, 63),
            product: expectedHeader(product, 63),
            deviceVersion: orPlaceholder(version, 31, 'unknown'),
            eventClassId: orPlaceholder(eventId, 1023, 'unknown'),
            name: orPlaceholder(name, 512, 'unknown'),
            severity: VALID_SEVERITY.test(sev) ? sev : 'Unknown',
          };
          const wantPairs = expectedPairs(fields);

          const d = decodeCef(line);
          expect(d.prefix).toBe('');
          expect(d.version).toBe(0);
          const { vendor: v, product: p, deviceVersion, eventClassId, name: n, severity: s } = d;
          expect({ vendor: v, product: p, deviceVersion, eventClassId, name: n, severity: s }).toEqual(want);
          expect(d.extensions).toEqual(wantPairs);

          // One line, nothing a reader could split on, valid UTF-16 (so valid UTF-8 out).
          expect(line).not.toMatch(/[\x00-\x1f\x7f\x85\u2028\u2029]/);
          expect(isWellFormedUtf16(line)).toBe(true);
          // Exactly 7 unescaped pipes end the header; any other raw pipe sits in a value.
          const valuePipes = wantPairs.reduce((acc, [, val]) => acc + count(val, '|'), 0);
          expect(countUnescaped(line, '|')).toBe(7 + valuePipes);
          // Every raw = in the extension is a key separator.
          const headerEquals = [want.vendor, want.product, want.deviceVersion, want.eventClassId, want.name]
            .reduce((acc, h) => acc + count(h, '='), 0);
          expect(countUnescaped(line, '=')).toBe(headerEquals + wantPairs.length);
          // Single spaces between pairs and no trailing space.
          expect(line.endsWith(' ')).toBe(false);
          // Deterministic.
          expect(render(rec)).toBe(line);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('truncates long header fields to their maxima in code points, never splitting a pair', () => {
    const long = fc.string({ unit, minLength: 400, maxLength: 700 });
    fc.assert(
      fc.property(long, long, (version, name) => {
        const diags = recorder();
        const render = buildCefRender(formatOptions(), diags.listener);
        const d = decodeCef(render(record({ productVersion: version, name: name + name })));
        expect(d.deviceVersion).toBe(expectedHeader(version, 31));
        expect(d.name).toBe(expectedHeader(name + name, 512));
        expect([...d.name].length).toBeLessThanOrEqual(512);
        expect(diags.list.some((r) => r.diagnostic.code === 'truncated' && r.diagnostic.field === 'version')).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});
