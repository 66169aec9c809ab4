/**
 * The fast timestamp arithmetic against JavaScript's own Date: ISO 8601 date-times of any
 * year 0000-9999, offset and fraction give the epoch milliseconds Date.UTC gives (via
 * setUTCFullYear for the years 0-99), and the `rt` text of an epoch value is String() of it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epochMsText, parseTime } from '../../plugin/normalize/time.js';

/** Date's epoch ms of a UTC date-time, years 0-99 included. */
function referenceMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

const pad = (v: number, width: number) => String(v).padStart(width, '0');
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

describe('ISO 8601 arithmetic', () => {
  it('gives the epoch milliseconds Date gives, for every year 0000-9999 (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })),
        fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9'), minLength: 0, maxLength: 6 }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        (y, mo, d, [h, mi, s], fraction, offset) => {
          fc.pre(d <= DAYS[mo - 1]! && !(mo === 2 && d === 29 && !isLeap(y)));
          const sign = offset < 0 ? '-' : '+';
          const abs = Math.abs(offset);
          const zone = offset === 0 ? 'Z' : `${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
          const text = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${fraction ? '.' + fraction : ''}${zone}`;
          const ms = fraction ? Number((fraction + '00').slice(0, 3)) : 0;
          const expected = referenceMs(y, mo, d, h, mi, s, ms) - offset * 60_000;
          const parsed = parseTime(text);
          // An offset can carry a date of year 0000 or 9999 out of the years 0000-9999 in UTC.
          if (expected > Date.UTC(9999, 11, 31, 23, 59, 59, 999) || expected < referenceMs(0, 1, 1, 0, 0, 0, 0)) {
            expect(parsed.ok).toBe(false);
            return;
          }
          expect(parsed).toEqual({ ok: true, time: { epochMs: expected, fraction: fraction.slice(0, 6), offsetMinutes: offset }, assumedUtc: false });
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('epochMsText', () => {
  it('is String() of the value (property, and the edges of its fast range)', () => {
    const edges = [0, 1, 999, 1000, 1e12 - 1, 1e12, 1e13 - 1, 1e13, 1768816860000, 253402300799999, -1, -62167219200000, 1.5, Number.NaN];
    for (const v of edges) expect(epochMsText(v)).toBe(String(v));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799999 }), fc.integer({ min: 0, max: 2000 }), (start, step) => {
        // Consecutive values (the same second, the next one) as a record stream gives them.
        for (let k = 0; k < 5; k++) expect(epochMsText(start + k * step)).toBe(String(start + k * step));
      }),
      { numRuns: 2000 },
    );
  });
});
