/**
 * Byte budgets (plugin/formats/budget.ts) through the registry: a line over `--max-bytes` (or
 * a sink's cap) is shortened by cutting free-text values (rank 0 = msg first, then the
 * longest), never the header, a key, an escape sequence or a UTF-8 sequence; as little is cut
 * as the budget needs; each shortened field is reported as `truncated`; a line that cannot fit
 * with every shrinkable value emptied is a permanent SEG_ERR_FORMAT. Checked with multibyte
 * UTF-8, surrogate pairs and escapes at the cut point, on every format, by unit cases and
 * fast-check properties, reading lines back with the independent parsers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SegError } from '../../plugin/core/errors.js';
import type { CanonicalRecord, Field } from '../../plugin/core/record.js';
import { dropTailBytes, renderWithinBudget } from '../../plugin/formats/budget.js';
import { buildFormatter } from '../../plugin/formats/registry.js';
import { decodeCef } from '../helpers/cef-decoder.js';
import { parseRfc5424 } from '../helpers/rfc5424-parser.js';
import { decodePairs, expectedPairValue, expectedSdValue, ignore, options, record, recorder, seguraTime, utf8Bytes } from './rfc5424/support.js';

const codePoints = (s: string): string[] => Array.from(s);
/** True when `v` is `orig` cut at some code-point boundary, then put through `policy`. */
function isPolicyPrefix(v: string, orig: string, policy: (s: string) => string): boolean {
  const cps = codePoints(orig);
  for (let k = cps.length; k >= 0; k--) if (policy(cps.slice(0, k).join('')) === v) return true;
  return false;
}

describe('budget.ts with a toy renderer', () => {
  /** `HEADER ` + key=value pairs with backslash and = escaped (2 bytes each). */
  const toy = (rec: CanonicalRecord): string =>
    `HEADER ${rec.fields.map((f) => `${f.key}=${f.value.replace(/[\\=]/g, (c) => `\\${c}`)}`).join(' ')}`;
  const rec = (list: Field[]) => record({ origin: 'line 9', fields: list });

  it('leaves a line that fits alone and reports nothing', () => {
    const diag = recorder();
    expect(renderWithinBudget(rec([{ key: 'msg', value: 'abc', shrinkRank: 0 }]), toy, 100, diag.listener)).toBe('HEADER msg=abc');
    expect(diag.list).toEqual([]);
  });

  it('shortens msg (rank 0) before a longer rank-1 value, by exactly what is needed', () => {
    const diag = recorder();
    const line = renderWithinBudget(
      rec([{ key: 'msg', value: 'm'.repeat(20), shrinkRank: 0 }, { key: 'cs1', value: 'c'.repeat(50), shrinkRank: 1 }]),
      toy, 7 + 14 + 1 + 54, diag.listener,
    );
    expect(line).toBe(`HEADER msg=${'m'.repeat(10)} cs1=${'c'.repeat(50)}`);
    expect(diag.list).toEqual([{ origin: 'line 9', diagnostic: { code: 'truncated', field: 'msg', message: expect.stringContaining('from 20 to 10') } }]);
  });

  it('empties msg, then shortens the longest rank-1 value first; unranked values are never touched', () => {
    const diag = recorder();
    const line = renderWithinBudget(
      rec([
        { key: 'msg', value: 'mmmm', shrinkRank: 0 },
        { key: 'cs1', value: 'a'.repeat(10), shrinkRank: 1 },
        { key: 'cs2', value: 'b'.repeat(30), shrinkRank: 1 },
        { key: 'dst', value: '10.0.0.1' },
      ]),
      toy, 60, diag.listener,
    );
    expect(line).toBe(`HEADER msg= cs1=${'a'.repeat(10)} cs2=${'b'.repeat(16)} dst=10.0.0.1`);
    expect(utf8Bytes(line)).toBe(60);
    expect(diag.list.map((r) => r.diagnostic.field)).toEqual(['msg', 'cs2']);
  });

  it('never splits an escape, a UTF-8 sequence or a surrogate pair, and keeps the longest prefix that fits', () => {
    const value = 'é=\\日\u{1F600}'.repeat(8);
    for (let cap = 12; cap <= 80; cap++) {
      const line = renderWithinBudget(rec([{ key: 'msg', value, shrinkRank: 0 }]), toy, cap, ignore);
      expect(utf8Bytes(line)).toBeLessThanOrEqual(cap);
      const written = line.slice('HEADER msg='.length).replace(/\\([\\=])/g, '$1');
      expect(value.startsWith(written)).toBe(true);
      expect(written).toBe(Array.from(written).join('')); // no lone surrogate at the end
      const next = Array.from(value).slice(0, Array.from(written).length + 1).join('');
      expect(utf8Bytes(toy(rec([{ key: 'msg', value: next }])))).toBeGreaterThan(cap);
    }
  });

  it('refuses with a permanent SEG_ERR_FORMAT when even empty values do not fit, and never cuts the header', () => {
    try {
      renderWithinBudget(rec([{ key: 'msg', value: 'x'.repeat(50), shrinkRank: 0 }, { key: 'dst', value: '10.0.0.1' }]), toy, 20, ignore);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SegError);
      expect((e as SegError).code).toBe('SEG_ERR_FORMAT');
      expect((e as SegError).permanent).toBe(true);
      expect((e as SegError).message).toContain('the limit is 20');
    }
  });

  it('dropTailBytes removes whole code points covering at least the excess', () => {
    expect(dropTailBytes('abc', 1)).toBe('ab');
    expect(dropTailBytes('aé', 1)).toBe('a');
    expect(dropTailBytes('a日', 2)).toBe('a');
    expect(dropTailBytes('a\u{1F600}', 1)).toBe('a');
    expect(dropTailBytes('ab\u{1F600}', 5)).toBe('a');
    expect(dropTailBytes('x', 10)).toBe('');
    expect(dropTailBytes('a\ud800', 1)).toBe('a');
  });
});

describe('budgets on real formats', () => {
  const long = 'Senha alterada: é=日\\\u{1F600}\n'.repeat(30);
  const rec = record({
    time: seguraTime('123'),
    host: 'pam01',
    procId: '1426',
    fields: [
      { key: 'msg', value: long, shrinkRank: 0 },
      { key: 'cs1', value: 'x=\\'.repeat(40), shrinkRank: 1 },
      { key: 'suser', value: 'jdoe' },
    ],
  });

  it('rfc5424 (and --sd, which writes each value twice) fits, parses, and keeps the longest prefix', () => {
    for (const sd of [false, true]) {
      for (const cap of [200, 333, 480, 1024]) {
        const f = buildFormatter(options({ format: 'rfc5424', maxBytes: cap, syslog: { sd } }), ignore);
        const line = f.format(rec);
        expect(utf8Bytes(line)).toBeLessThanOrEqual(cap);
        const m = parseRfc5424(line);
        expect(m).toMatchObject({ pri: 9, timestamp: '2018-06-18T17:49:41.123-03:00', hostname: 'pam01', procId: '1426', msgId: '336.501' });
        const pairs = Object.fromEntries(decodePairs(m.msg!));
        expect(pairs.suser).toBe('jdoe');
        expect(isPolicyPrefix(pairs.msg ?? '', long, expectedPairValue)).toBe(true);
        if (sd) {
          const sdMsg = m.structuredData![0]!.params.find(([k]) => k === 'msg')![1];
          expect(isPolicyPrefix(sdMsg, long, expectedSdValue)).toBe(true);
        }
        const written = m.structuredData?.[0]?.params.find(([k]) => k === 'msg')?.[1] ?? pairs.msg ?? '';
        const kept = Array.from(written).length;
        const onemore = { ...rec, fields: [{ ...rec.fields[0]!, value: Array.from(long).slice(0, kept + 1).join('') }, ...rec.fields.slice(1)] };
        expect(utf8Bytes(buildFormatter(options({ format: 'rfc5424', syslog: { sd } }), ignore).format(onemore))).toBeGreaterThan(cap);
      }
    }
  });

  it('cef with every envelope fits and decodes', () => {
    for (const envelope of ['none', 'rfc5424', 'rfc3164'] as const) {
      const line = buildFormatter(options({ format: 'cef', envelope, maxBytes: 300 }), ignore).format(rec);
      expect(utf8Bytes(line)).toBeLessThanOrEqual(300);
      const cef = decodeCef(line);
      expect(cef.eventClassId).toBe('336.501');
      const ext = Object.fromEntries(cef.extensions);
      expect(ext.suser).toBe('jdoe');
      expect(isPolicyPrefix(ext.msg ?? '', long, expectedPairValue)).toBe(true);
    }
  });

  it('sensage fits and keeps whole escapes', () => {
    const line = buildFormatter(options({ format: 'sensage', maxBytes: 350, sensage: { columns: ['time', 'suser', 'msg', 'cs1'] } }), ignore).format(rec);
    expect(utf8Bytes(line)).toBeLessThanOrEqual(350);
    expect(utf8Bytes(line)).toBeGreaterThan(350 - 5);
    const [time, suser, msg] = line.split('\t') as [string, string, string];
    expect([time, suser]).toEqual(['2018-06-18T17:49:41.123-03:00', 'jdoe']);
    const unescaped = msg.replace(/\\([\\tnr])/g, (_, c: string) => ({ '\\': '\\', t: '\t', n: '\n', r: '\r' })[c]!);
    expect(long.startsWith(unescaped)).toBe(true);
    expect(unescaped.length).toBeGreaterThan(0);
  });

  it('a header that cannot fit is refused, not cut', () => {
    const f = buildFormatter(options({ format: 'rfc5424', maxBytes: 64 }), ignore);
    expect(() => f.format(record({ time: seguraTime(), host: 'h'.repeat(100), fields: [] }))).toThrow(/the limit is 64/);
  });
});

describe('budget properties', () => {
  const unit = fc.oneof(
    fc.constantFrom('\\', '=', '"', ']', '\n', '\r', '\t', ' ', 'é', '日', '\u{1F600}', '\u2028', '\ud800'),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 5 }),
  );
  const value = fc.string({ unit, maxLength: 60 });
  const field = fc.record({ key: fc.constantFrom('msg', 'act', 'cs1', 'cs2', 'dst', 'suser'), value, shrinkRank: fc.constantFrom(0, 1, undefined) });
  const fieldList = fc.uniqueArray(field, { selector: (f) => f.key, maxLength: 6 }).map((list) =>
    list.map((f): Field => (f.shrinkRank === undefined ? { key: f.key, value: f.value } : f)),
  );

  it('rfc5424: within the cap, valid, unranked values intact, ranked values policy prefixes, lower ranks emptied first', () => {
    fc.assert(
      fc.property(fieldList, fc.integer({ min: 40, max: 700 }), fc.boolean(), (list, cap, sd) => {
        const rec = record({ time: seguraTime(), host: 'h', fields: list });
        const diag = recorder();
        let line: string;
        try {
          line = buildFormatter(options({ maxBytes: cap, syslog: { sd } }), diag.listener).format(rec);
        } catch (e) {
          expect((e as SegError).code).toBe('SEG_ERR_FORMAT');
          const emptied = { ...rec, fields: list.map((f) => (f.shrinkRank === undefined ? f : { ...f, value: '' })) };
          expect(utf8Bytes(buildFormatter(options({ syslog: { sd } }), ignore).format(emptied))).toBeGreaterThan(cap);
          return;
        }
        expect(utf8Bytes(line)).toBeLessThanOrEqual(cap);
        const m = parseRfc5424(line);
        const pairs = new Map(m.msg === undefined ? [] : decodePairs(m.msg));
        const truncated = new Set(diag.list.filter((r) => r.diagnostic.code === 'truncated').map((r) => r.diagnostic.field));
        const maxRankCut = Math.max(-1, ...list.filter((f) => truncated.has(f.key)).map((f) => f.shrinkRank!));
        for (const f of list) {
          const got = pairs.get(f.key) ?? '';
          if (f.shrinkRank === undefined) expect(got).toBe(expectedPairValue(f.value));
          else expect(isPolicyPrefix(got, f.value, expectedPairValue)).toBe(true);
          if (f.shrinkRank !== undefined && f.shrinkRank < maxRankCut) expect(got).toBe('');
        }
      }),
      { numRuns: 300 },
    );
  });
});
