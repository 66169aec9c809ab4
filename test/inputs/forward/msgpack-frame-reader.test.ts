/**
 * The msgpack frame reader against the @msgpack/msgpack encoder: any sequence of values,
 * cut into any pieces, comes back as exactly the encoded frames; limits are enforced from
 * headers; invalid bytes and deep nesting are refused.
 */
import fc from 'fast-check';
import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { MsgpackFrameReader } from '../../../plugin/framing/msgpack-frame-reader.js';
import { arrayHeader, binHeader, concat, time } from '../../helpers/forward-frames.js';

/** msgpack-representable values, including bin, big strings and ext (EventTime bytes). */
const msgpackValue = fc.letrec((tie) => ({
  leaf: fc.oneof(
    { arbitrary: fc.constant(null), weight: 2 },
    { arbitrary: fc.boolean(), weight: 2 },
    { arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), weight: 4 },
    { arbitrary: fc.maxSafeInteger(), weight: 2 },
    { arbitrary: fc.double({ noNaN: true }), weight: 2 },
    { arbitrary: fc.string({ maxLength: 40 }), weight: 6 },
    { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 2 },
  ),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 10 }), fc.dictionary(fc.string({ maxLength: 10 }), tie('node'), { maxKeys: 10 })),
})).node;

/** Long enough for the str 16 / str 32 and bin 16 / bin 32 headers; only at the top level. */
const bigValue = fc.oneof(
  fc.tuple(fc.string({ minLength: 1, maxLength: 5 }), fc.integer({ min: 60, max: 14_000 })).map(([s, n]) => s.repeat(n)),
  fc.integer({ min: 256, max: 70_000 }).map((n) => new Uint8Array(n).fill(n & 0xff)),
);
const frameValue = fc.oneof({ arbitrary: msgpackValue, weight: 8 }, { arbitrary: bigValue, weight: 1 });

function readAll(reader: MsgpackFrameReader, pieces: Uint8Array[]): Buffer[] {
  const frames: Buffer[] = [];
  for (const piece of pieces) {
    reader.push(piece);
    for (let f = reader.next(); f !== undefined; f = reader.next()) frames.push(Buffer.from(f));
  }
  return frames;
}

const b64 = (b: Buffer): string => b.toString('base64');

function cut(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    pieces.push(bytes.subarray(at, p));
    at = p;
  }
  return pieces;
}

describe('MsgpackFrameReader', () => {
  it('returns every encoded value as one frame, however the bytes are split', () => {
    fc.assert(
      fc.property(fc.array(frameValue, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 30 }), (values, cuts) => {
        const frames = values.map((v) => Buffer.from(encode(v)));
        const stream = Buffer.concat(frames);
        const reader = new MsgpackFrameReader(stream.length + 1);
        // Compared as base64: deep equality of large Buffers byte by byte is slow.
        expect(readAll(reader, cut(stream, cuts)).map(b64)).toEqual(frames.map(b64));
        expect(reader.buffered).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps frames already returned intact while later bytes arrive', () => {
    const reader = new MsgpackFrameReader(1 << 20);
    const first = Buffer.from(encode(['t', Buffer.alloc(100, 7)]));
    const second = Buffer.from(encode(['u', Buffer.alloc(50_000, 9)]));
    reader.push(concat(first, second.subarray(0, 10)));
    const got = reader.next()!;
    const copy = Buffer.from(got);
    reader.push(second.subarray(10));
    expect(Buffer.from(reader.next()!)).toEqual(second);
    expect(Buffer.from(got)).toEqual(copy);
  });

  it('reads both EventTime encodings (fixext 8 and ext 8) as one element', () => {
    const reader = new MsgpackFrameReader(100);
    const frame = concat(arrayHeader(2), time('fixext8', 1, 2), time('ext8', 3, 4));
    expect(readAll(reader, [frame])).toEqual([frame]);
  });

  it('refuses a declared size over the limit as soon as the header is in', () => {
    const reader = new MsgpackFrameReader(1000);
    reader.push(concat(arrayHeader(2), Buffer.from([0xa1, 0x74]), binHeader(2000)));
    expect(() => reader.next()).toThrow(/over the limit of 1000 bytes/);
  });

  it('refuses a container whose element count alone exceeds the limit', () => {
    const reader = new MsgpackFrameReader(1000);
    reader.push(Buffer.from([0xdd, 0x00, 0x01, 0x00, 0x00])); // array32 of 65536
    expect(() => reader.next()).toThrow(/over the limit of 1000 bytes/);
  });

  it('accepts a frame of exactly the limit', () => {
    const frame = Buffer.from(encode(Buffer.alloc(995)));
    const reader = new MsgpackFrameReader(frame.length);
    expect(readAll(reader, [frame])).toEqual([frame]);
  });

  it('refuses the never-used type byte 0xc1 and nesting beyond the depth limit', () => {
    const bad = new MsgpackFrameReader(100);
    bad.push(Buffer.from([0x92, 0x01, 0xc1]));
    expect(() => bad.next()).toThrow(/0xc1 at frame offset 2/);
    const deep = new MsgpackFrameReader(100, 4);
    deep.push(Buffer.alloc(5, 0x91));
    expect(() => deep.next()).toThrow(/deeper than 4/);
  });
});
