/**
 * Injection corpus (cef.md §4 item 15): payloads that tried to forge keys, header fields or
 * whole records in other encoders, placed in every header field and in first, middle and
 * last extension positions. The strict decoder must see exactly the intended structure.
 * Also: long values and a 4-byte emoji at a byte-budget cut (formats/budget.ts).
 */
import { describe, expect, it } from 'vitest';
import { renderWithinBudget } from '../../../plugin/formats/budget.js';
import { buildCefRender } from '../../../plugin/formats/cef/cef.js';
import { decodeCef } from '../../helpers/cef-decoder.js';
import { expectedHeader, expectedValue, formatOptions, isWellFormedUtf16, pairs, record, recorder } from './support.js';

const EMOJI = '\u{1F600}';
const CORPUS: Array<[string, string]> = [
  ['forged key after a space', ' act=fake'],
  ['override attempt', 'x suser=admin'],
  ['forged second record', '\nCEF:0|Evil|Evil|1|1|forged|10|src=6.6.6.6'],
  ['forged record after CRLF', 'ok\r\nCEF:0|Evil|Evil|1|1|forged|10|'],
  ['trailing backslash', 'C:\\Temp\\'],
  ['escaped equals look-alike', 'to=try\\='],
  ['raw pipe', 'a|b|c|d|e|f|g|h'],
  ['escaped pipe look-alike', 'a\\|b'],
  ['line separator', 'one\u2028act=two'],
  ['paragraph separator and NEL', 'p\u2029q\u0085r'],
  ['NUL', 'a\u0000 dst=1.1.1.1'],
  ['lone surrogates', '\ud800 suser=\udfff'],
  ['backslash-n literal', '\\n suser=x'],
  ['key-shaped non-ASCII', ' ürün=1'],
  ['dotted key shape', ' ad.x[0]=1'],
  ['only spaces', '   '],
  ['4-byte emoji', `${EMOJI}=${EMOJI}|${EMOJI}`],
  ['5000-char value', 'x='.repeat(2500)],
];

describe('extension values cannot forge structure', () => {
  const render = buildCefRender(formatOptions(), recorder().listener);
  for (const [what, payload] of CORPUS) {
    for (const position of ['first', 'middle', 'last'] as const) {
      it(`${what} (${position} pair)`, () => {
        const list: Array<[string, string]> = [
          ['suid', '17'],
          ['suser', 'jsilva'],
        ];
        const at = position === 'first' ? 0 : position === 'middle' ? 1 : 2;
        list.splice(at, 0, ['msg', payload]);
        const line = render(record({ fields: pairs(list) }));

        expect(line).not.toMatch(/[\r\n\u0085\u2028\u2029\u0000]/);
        const d = decodeCef(line);
        expect([d.vendor, d.product, d.name, d.severity]).toEqual(['MT4', 'Segura', 'Update Incident', '9']);
        const want = list.filter(([, v]) => expectedValue(v) !== '').map(([k, v]) => [k, expectedValue(v)]);
        expect(d.extensions).toEqual(want);
      });
    }
  }
});

describe('header fields cannot forge structure', () => {
  for (const [what, payload] of CORPUS) {
    it(what, () => {
      const diags = recorder();
      const render = buildCefRender(formatOptions({ vendor: payload, product: payload }), diags.listener);
      const line = render(
        record({ productVersion: payload, eventId: payload, name: payload, fields: pairs([['suser', 'a']]) }),
      );
      expect(line).not.toMatch(/[\r\n\u0085\u2028\u2029\u0000]/);
      const d = decodeCef(line);
      expect(d.vendor).toBe(expectedHeader(payload, 63));
      expect(d.product).toBe(expectedHeader(payload, 63));
      expect(d.deviceVersion).toBe(expectedHeader(payload, 31));
      expect(d.eventClassId).toBe(expectedHeader(payload, 1023));
      expect(d.name).toBe(expectedHeader(payload, 512));
      expect(d.severity).toBe('9');
      expect(d.extensions).toEqual([['suser', 'a']]);
    });
  }
});

describe('long values and emoji at a cut', () => {
  it('keeps a 5000-character value whole (per-key limits are normalize policy)', () => {
    const value = 'é'.repeat(5000);
    const line = buildCefRender(formatOptions(), recorder().listener)(record({ fields: pairs([['cs1', value]]) }));
    expect(decodeCef(line).extensions).toEqual([['cs1', value]]);
  });

  it('cuts a name of 511 letters + emoji + more after the emoji, never inside it', () => {
    const render = buildCefRender(formatOptions(), recorder().listener);
    expect(decodeCef(render(record({ name: 'a'.repeat(511) + EMOJI + 'b' }))).name).toBe('a'.repeat(511) + EMOJI);
    expect(decodeCef(render(record({ name: 'a'.repeat(512) + EMOJI }))).name).toBe('a'.repeat(512));
  });

  it('under a byte budget, an emoji-heavy msg is shortened at a code point boundary and still decodes', () => {
    const render = buildCefRender(formatOptions(), recorder().listener);
    const msg = `${EMOJI}=\\`.repeat(400);
    const rec = record({
      fields: [
        { key: 'msg', value: msg, shrinkRank: 0 },
        { key: 'suser', value: 'jsilva' },
      ],
    });
    for (const maxBytes of [1024, 1023, 1022, 1021, 480]) {
      const line = renderWithinBudget(rec, render, maxBytes, recorder().listener);
      expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(maxBytes);
      expect(isWellFormedUtf16(line)).toBe(true);
      const [[k1, v1], [k2, v2]] = decodeCef(line).extensions as [[string, string], [string, string]];
      expect([k1, k2, v2]).toEqual(['msg', 'suser', 'jsilva']);
      expect(msg.startsWith(v1)).toBe(true);
    }
  });
});
