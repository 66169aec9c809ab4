/**
 * LineSplitter.nextLineRaw() (the line fast path's reader: a line of a valid UTF-8 chunk is
 * left undecoded, its bytes in rawChunk[rawStart, rawEnd)) must hand out the same lines as
 * nextLine() and push()/end(): for random input — blank lines, byte order marks, CRLF,
 * over-long lines, bytes that are not UTF-8, lines spanning chunks, a last line without LF —
 * cut into random chunks, the line numbers, texts (rawText() for raw lines) and errors are
 * the same. A raw line's bytes are what the fast path may assume: no LF, valid UTF-8, within
 * the length limit.
 */
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, RAW_LINE } from '../../plugin/inputs/line-splitter.js';

const BOM = [0xef, 0xbb, 0xbf];

/** Pieces of a line, as bytes: JSON-ish text, blanks, multibyte characters, broken UTF-8. */
const piece = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('{"a":1}', '{"msg":"x"}', 'abc', ' ', '\t', '\r', '  \r', 'é', '李小龍', '\u{1F600}', '"\\n"').map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }).map((s) => Buffer.from(s.replace(/\n/g, ''))) },
  { weight: 1, arbitrary: fc.constant(Buffer.from(BOM)) },
  // Not UTF-8: a stray continuation, an invalid lead, a cut sequence, an encoded surrogate, an overlong form.
  { weight: 1, arbitrary: fc.constantFrom([0xff], [0x80], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf]).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 90 }).map((n) => Buffer.from('x'.repeat(n))) },
);
const line = fc.array(piece, { maxLength: 5 }).map((pieces) => Buffer.concat(pieces));
/** Lines ending in LF or CRLF, and maybe a last line without either. */
const input = fc
  .tuple(fc.array(fc.tuple(line, fc.boolean()), { maxLength: 14 }), fc.option(line))
  .map(([lines, last]) => Buffer.concat([...lines.map(([l, crlf]) => Buffer.concat([l, Buffer.from(crlf ? '\r\n' : '\n')])), last ?? Buffer.alloc(0)]));

/** Splits `whole` into chunks of the given sizes (cycled). */
function chunksOf(whole: Buffer, sizes: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < whole.length; i++) {
    const size = sizes[i % sizes.length]!;
    chunks.push(whole.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

const show = (n: number, got: string | Error & { code?: string }): string => (typeof got === 'string' ? `${n}:${got}` : `${n}!${got.code}:${got.message}`);

/** Feeds every chunk, then the end, taking what each hands out with `drain`. */
function feedAll(s: LineSplitter, chunks: readonly Buffer[], drain: () => void): void {
  for (const chunk of chunks) {
    s.feed(chunk);
    drain();
  }
  s.feedEnd();
  drain();
}

/** What nextLine() hands out, fed chunk by chunk. */
function viaNextLine(chunks: readonly Buffer[], max: number): string[] {
  const s = new LineSplitter(max);
  const seen: string[] = [];
  const drain = (): void => {
    for (let got = s.nextLine(); got !== undefined; got = s.nextLine()) seen.push(show(s.linesSeen, got));
  };
  feedAll(s, chunks, drain);
  seen.push(`seen ${s.linesSeen}`);
  return seen;
}

/** What nextLineRaw() hands out, raw lines decoded with rawText() as run-stdio does; checks each raw line. */
function viaNextLineRaw(chunks: readonly Buffer[], max: number): { seen: string[]; raw: number } {
  const s = new LineSplitter(max);
  const seen: string[] = [];
  let raw = 0;
  const drain = (): void => {
    for (let got = s.nextLineRaw(); got !== undefined; got = s.nextLineRaw()) {
      if (got !== RAW_LINE) {
        seen.push(show(s.linesSeen, got));
        continue;
      }
      raw++;
      const bytes = s.rawChunk.subarray(s.rawStart, s.rawEnd);
      expect(bytes.includes(0x0a)).toBe(false);
      expect(isUtf8(bytes)).toBe(true);
      expect(bytes.length).toBeLessThanOrEqual(max);
      const text = s.rawText();
      if (text !== undefined) seen.push(show(s.linesSeen, text));
    }
  };
  feedAll(s, chunks, drain);
  seen.push(`seen ${s.linesSeen}`);
  return { seen, raw };
}

/** What push()/end() hand out. */
function viaPush(chunks: readonly Buffer[], max: number): string[] {
  const s = new LineSplitter(max);
  const items = [...chunks.flatMap((c) => s.push(c)), ...s.end()];
  return [...items.map((i) => ('text' in i ? show(i.line, i.text) : show(i.line, i.error))), `seen ${s.linesSeen}`];
}

describe('LineSplitter.nextLineRaw', () => {
  it('hands out the lines, numbers and errors of nextLine() and push(), however the input is chunked (property)', () => {
    let rawLines = 0;
    fc.assert(
      fc.property(
        input,
        fc.array(fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 41, max: 400 })), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(16, 48, 1000),
        (whole, sizes, max) => {
          const chunks = chunksOf(whole, sizes);
          const reference = viaNextLine(chunks, max);
          const raw = viaNextLineRaw(chunks, max);
          rawLines += raw.raw;
          expect(raw.seen).toEqual(reference);
          expect(viaPush(chunks, max)).toEqual(reference);
          // And in one chunk, as a regular file is often read.
          const single = viaNextLineRaw([whole], max);
          rawLines += single.raw;
          expect(single.seen).toEqual(viaNextLine([whole], max));
        },
      ),
      { numRuns: 400 },
    );
    // Not vacuous: many lines were handed out raw (those of UTF-8 chunks not spanning a cut).
    expect(rawLines).toBeGreaterThan(300);
  });

  it('leaves a line raw only when its chunk is UTF-8; a chunk with a bad line is decoded line by line', () => {
    const s = new LineSplitter(100);
    s.feed(Buffer.concat([Buffer.from('{"a":1}\n\ufeff{"b":2}\n\n  \r\n{"c":"é"}\n{"d"')]));
    const got: string[] = [];
    for (let r = s.nextLineRaw(); r !== undefined; r = s.nextLineRaw()) {
      expect(r).toBe(RAW_LINE);
      got.push(`${s.linesSeen}:${s.rawChunk.toString('utf8', s.rawStart, s.rawEnd)}=>${String(s.rawText())}`);
    }
    expect(got).toEqual(['1:{"a":1}=>{"a":1}', '2:\ufeff{"b":2}=>{"b":2}', '3:=>undefined', '4:  \r=>undefined', '5:{"c":"é"}=>{"c":"é"}']);
    // The held start of a line, finished by the next chunk, comes decoded; then a chunk with a bad line.
    s.feed(Buffer.concat([Buffer.from(':4}\nok\n'), Buffer.from([0xff]), Buffer.from('\n{"e":5}\n')]));
    const rest: string[] = [];
    for (let r = s.nextLineRaw(); r !== undefined; r = s.nextLineRaw()) {
      rest.push(r === RAW_LINE ? `${s.linesSeen} raw` : typeof r === 'string' ? `${s.linesSeen}:${r}` : `${s.linesSeen}!${r.code}`);
    }
    expect(rest).toEqual(['6:{"d":4}', '7:ok', '8!SEG_ERR_UTF8', '9:{"e":5}']);
  });
});
