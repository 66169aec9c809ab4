/**
 * The hand-written Forward-mode encoder of the sink, checked by decoding its output with
 * @msgpack/msgpack: every msgpack size class of strings, arrays and integers, non-ASCII
 * text, optional routing fields, and the EventTime of every entry.
 */
import fc from 'fast-check';
import { decode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import type { OutLine } from '../../../plugin/core/sink.js';
import { ChunkEncoder } from '../../../plugin/sinks/forward/chunk-encoder.js';
import { testCodec } from '../../helpers/forward-frames.js';

type Decoded = [string, Array<[{ seconds: number; nanos: number }, Record<string, string>]>, { chunk: string; size: number }];

function expectedRecord(l: OutLine): Record<string, string> {
  const r: Record<string, string> = { line: l.text };
  if (l.eventId !== undefined) r.event_id = l.eventId;
  if (l.severity !== undefined) r.severity = l.severity;
  if (l.host !== undefined) r.host = l.host;
  return r;
}

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }), fc.integer({ min: 10, max: 30_000 })).map(([s, n]) => s.repeat(n)),
);
const outLine = fc.record({ text, eventId: fc.option(fc.string(), { nil: undefined }), severity: fc.option(fc.string(), { nil: undefined }), host: fc.option(text, { nil: undefined }) });

describe('ChunkEncoder', () => {
  it('writes [tag, [[EventTime, record]…], {chunk, size}] that a msgpack library decodes back', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.array(outLine, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 4_000_000_000_000 }), (tag, lines, ms) => {
        const { id, payload } = new ChunkEncoder(tag).encode(lines, ms);
        const [gotTag, entries, options] = decode(payload, { extensionCodec: testCodec }) as Decoded;
        expect(gotTag).toBe(tag);
        expect(entries.map((e) => e[1])).toEqual(lines.map(expectedRecord));
        for (const [t] of entries) expect(t).toEqual({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
        expect(options).toEqual({ chunk: id, size: lines.length });
        expect(Buffer.from(id, 'base64')).toHaveLength(16);
      }),
      { numRuns: 150 },
    );
  });

  it.each([1, 15, 16, 127, 128, 255, 256, 65_535, 65_536])('encodes %i entries (array and size integer formats)', (n) => {
    const lines = Array.from({ length: n }, (_, i) => ({ text: `l${i}` }));
    const [, entries, options] = decode(new ChunkEncoder('t').encode(lines).payload, { extensionCodec: testCodec }) as Decoded;
    expect(entries).toHaveLength(n);
    expect(entries[n - 1]![1]).toEqual({ line: `l${n - 1}` });
    expect(options.size).toBe(n);
  });

  it('gives every chunk a fresh id', () => {
    const enc = new ChunkEncoder('t');
    const ids = new Set(Array.from({ length: 100 }, () => enc.encode([{ text: 'x' }]).id));
    expect(ids.size).toBe(100);
  });
});
