/**
 * The line fast path escapes CEF extension values straight from the input's UTF-8 bytes
 * (writeExtensionBytes) and decides from the bytes whether the whitespace policy would trim a
 * value (endsWithTrailingBlank). Both must agree with the string functions the ordinary path
 * uses, for any well-formed text: the bytes written are Buffer.from(escapeExtensionValue(s)),
 * and a trailing blank is reported exactly when sanitizedLength(s) < s.length. The values are
 * read at an offset inside a larger buffer and written at an offset, as the writer does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endsWithTrailingBlank, escapeExtensionValue, sanitizedLength, writeExtensionBytes } from '../../../plugin/formats/cef/cef-escape.js';

/** Characters every rule is about, and their UTF-8 neighbours (C2 xx, E2 80 xx, E2 81 9F …). */
const TRICKY = [
  '\\', '=', '|', ' ', '\r', '\n', '\r\n', '\t', '\0', '\x0b', '\x1b', '\x1f', '\x7f', '\x80', '\x84', '\x85', '\x86', '\xa0',
  '\u1680', '\u2000', '\u200a', '\u200b', '\u2027', '\u2028', '\u2029', '\u202a', '\u202f', '\u205f', '\u3000', '\ufeff', '\ufffd',
  '\u00c2', '\u00e2', 'é', 'ß', '李', '\u07ff', '\u0800', '\uffff', '\u{10000}', '\u{1F600}', '\u{10FFFF}', 'x suser=',
];
const unit = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 4 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 2 }) },
  // Any code point but a surrogate half: UTF-8 input is always well-formed text.
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }) },
);
const wellFormed = fc.string({ unit, maxLength: 24 });

/** `s` as UTF-8 between foreign bytes; its range in the buffer. */
function embedded(s: string, before: number, after: number): { bytes: Buffer; start: number; end: number } {
  const text = Buffer.from(s, 'utf8');
  // Bytes around the value that would change the result if read: an escape, a blank, a lead byte.
  const bytes = Buffer.concat([Buffer.alloc(before, 0x5c), text, Buffer.from([0x20, 0xc2, 0x85, 0xe2].slice(0, after))]);
  return { bytes, start: before, end: before + text.length };
}

/** A DataView of exactly `b` (small Buffers are slices of a shared pool). */
const viewOf = (b: Buffer): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

describe('writeExtensionBytes', () => {
  it('writes Buffer.from(escapeExtensionValue(s)) for any well-formed text (property)', () => {
    fc.assert(
      fc.property(wellFormed, fc.nat(5), fc.nat(4), fc.nat(7), (s, before, after, at) => {
        const { bytes, start, end } = embedded(s, before, after);
        const want = Buffer.from(escapeExtensionValue(s), 'utf8');
        // The caller makes room for twice the input; fill with a marker to see every byte written.
        const out = Buffer.alloc(at + 2 * (end - start) + 4, 0xaa);
        const pos = writeExtensionBytes(bytes, viewOf(bytes), start, end, out, viewOf(out), at);
        expect(out.subarray(at, pos).toString('hex')).toBe(want.toString('hex'));
        expect(pos - at).toBeLessThanOrEqual(2 * (end - start));
        expect(out.subarray(0, at).every((b) => b === 0xaa)).toBe(true);
        expect(out.subarray(pos).every((b) => b === 0xaa)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('handles each rule on its own', () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['plain text', 'plain text'],
      ['a=b\\c|d', 'a\\=b\\\\c|d'],
      ['l1\nl2\r\nl3\r', 'l1\\nl2\\r\\nl3\\r'],
      ['tab\there\0nul\x7fdel', 'tab here nul del'],
      ['nel\u0085ls\u2028ps\u2029', 'nel ls ps '],
      // Neighbours of the replaced characters are copied.
      ['\u0084\u0086\u2027\u202a\u00c2\u00e2', '\u0084\u0086\u2027\u202a\u00c2\u00e2'],
      ['ação 李 \u{1F600}', 'ação 李 \u{1F600}'],
      ['', ''],
    ];
    for (const [input, want] of cases) {
      const bytes = Buffer.from(input, 'utf8');
      const out = Buffer.alloc(2 * bytes.length + 1);
      const pos = writeExtensionBytes(bytes, viewOf(bytes), 0, bytes.length, out, viewOf(out), 0);
      expect(out.subarray(0, pos).toString('utf8')).toBe(want);
    }
  });
});

describe('endsWithTrailingBlank', () => {
  it('is true exactly when the whitespace policy would trim the text (property)', () => {
    fc.assert(
      fc.property(wellFormed.filter((s) => s.length > 0), fc.nat(5), fc.nat(4), (s, before, after) => {
        const { bytes, start, end } = embedded(s, before, after);
        expect(endsWithTrailingBlank(bytes, start, end)).toBe(sanitizedLength(s) < s.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('knows every blank CEF cannot carry at the end, and nothing else', () => {
    const blanks = [' ', '\t', '\0', '\x0b', '\x1f', '\x7f', '\x85', '\xa0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000'];
    const kept = ['x', '\r', '\n', '=', '\\', '\x80', '\x84', '\x86', '\u200b', '\u2027', '\u202a', '\ufeff', '\ufffd', '\u{1F600}', '\u{10FFFF}', 'é', '李'];
    for (const c of blanks) expect(endsWithTrailingBlank(Buffer.from(`a${c}`), 0, Buffer.byteLength(`a${c}`))).toBe(true);
    for (const c of kept) expect(endsWithTrailingBlank(Buffer.from(`a${c}`), 0, Buffer.byteLength(`a${c}`))).toBe(false);
    // Only the value's own last character counts, not the bytes after its end.
    const bytes = Buffer.from('ab  ');
    expect(endsWithTrailingBlank(bytes, 0, 2)).toBe(false);
    // A one-character value whose lead byte is the first byte of the range.
    const nbsp = Buffer.from('xx\u00a0', 'utf8');
    expect(endsWithTrailingBlank(nbsp, 2, nbsp.length)).toBe(true);
  });
});

describe('writeExtensionBytes, four bytes at a time', () => {
  it('agrees with the string escaper for every character at every position of a word', () => {
    // Every code point whose UTF-8 can be in a value (all single bytes, every C2/E2 sequence
    // and some others), put at each offset 0-3 in a run of plain bytes, so each lands in
    // every lane of the word test and also straddles two words.
    const specials: string[] = [];
    for (let c = 0; c < 0x100; c++) specials.push(String.fromCharCode(c));
    for (let c = 0x2000; c < 0x2100; c++) specials.push(String.fromCharCode(c));
    specials.push('\u3000', '\uffff', '\u{1F600}');
    for (const special of specials) {
      for (let offset = 0; offset < 4; offset++) {
        const s = 'a'.repeat(offset) + special + 'bcdefgh';
        const bytes = Buffer.from(s, 'utf8');
        const out = Buffer.alloc(2 * bytes.length);
        const pos = writeExtensionBytes(bytes, viewOf(bytes), 0, bytes.length, out, viewOf(out), 0);
        expect(out.subarray(0, pos).toString('hex'), JSON.stringify(s)).toBe(Buffer.from(escapeExtensionValue(s), 'utf8').toString('hex'));
      }
    }
  });
});
