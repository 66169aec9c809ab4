/**
 * The framer against an independent strict RFC 6587 parser (test/helpers/syslog-listener.ts):
 * octet counts are UTF-8 byte counts with no leading zeros, LF frames end at the one LF,
 * and any list of lines survives a round trip byte for byte.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frame, frameBatch, frameProblem } from '../../plugin/framing/framer.js';
import { FrameParser } from '../helpers/syslog-listener.js';

function parse(bytes: Buffer, framing: 'lf' | 'octet'): FrameParser {
  const parser = new FrameParser(framing);
  parser.push(bytes);
  return parser;
}

describe('octet counting (RFC 6587 §3.4.1, RFC 5425 §4.3)', () => {
  it('prefixes the UTF-8 byte length, not the UTF-16 length', () => {
    expect(frame('<13>1 - - - - - - abc', 'octet').toString('utf8')).toBe('21 <13>1 - - - - - - abc');
    // "ação" is 4 UTF-16 units but 6 UTF-8 bytes; "😀" is 2 units and 4 bytes.
    expect(frame('ação', 'octet').toString('utf8')).toBe('6 ação');
    expect(frame('😀', 'octet').toString('utf8')).toBe('4 😀');
    expect(frame('日本', 'octet')).toEqual(Buffer.concat([Buffer.from('6 '), Buffer.from('日本')]));
  });

  it('writes lengths with many digits and no leading zeros', () => {
    for (const size of [1, 9, 10, 99, 100, 65_535, 100_000, 1_048_576]) {
      const framed = frame('x'.repeat(size), 'octet');
      const sp = framed.indexOf(0x20);
      expect(framed.toString('latin1', 0, sp)).toBe(String(size));
      expect(framed.length).toBe(sp + 1 + size);
    }
  });

  it('keeps the count right for a lone surrogate (encoded as U+FFFD, 3 bytes)', () => {
    const framed = frame('a\uD800b', 'octet');
    expect(framed).toEqual(Buffer.from([0x35, 0x20, 0x61, 0xef, 0xbf, 0xbd, 0x62]));
  });

  it('round-trips any batch of non-empty lines through a strict parser', () => {
    const line = fc.string({ unit: 'binary', minLength: 1, maxLength: 200 });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
        const parser = parse(frameBatch(lines, 'octet'), 'octet');
        expect(parser.errors).toEqual([]);
        expect(parser.pendingBytes).toBe(0);
        expect(parser.messages).toEqual(lines);
      }),
    );
  });
});

describe('LF framing (RFC 6587 §3.4.2)', () => {
  it('appends one LF per line', () => {
    expect(frame('<13>1 abc', 'lf').toString('utf8')).toBe('<13>1 abc\n');
    expect(frameBatch(['a', 'ação', '😀'], 'lf').toString('utf8')).toBe('a\nação\n😀\n');
  });

  it('round-trips any batch of lines without CR or LF', () => {
    const line = fc.string({ unit: 'binary', maxLength: 200 }).filter((s) => frameProblem(s, 'lf') === undefined);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
        const parser = parse(frameBatch(lines, 'lf'), 'lf');
        expect(parser.messages).toEqual(lines);
        expect(parser.pendingBytes).toBe(0);
      }),
    );
  });
});

describe('frameBatch', () => {
  it('frames only lines[start..end)', () => {
    const lines = ['zero', 'one', 'two', 'three'];
    expect(frameBatch(lines, 'octet', 1, 3).toString('utf8')).toBe('3 one3 two');
    expect(frameBatch(lines, 'lf', 2).toString('utf8')).toBe('two\nthree\n');
    expect(frameBatch(lines, 'lf', 2, 2).length).toBe(0);
  });

  it('equals the concatenation of single frames', () => {
    const lines = ['<14>1 first', 'ünïcödé ✓', 'x'.repeat(5000)];
    for (const framing of ['lf', 'octet'] as const) {
      expect(frameBatch(lines, framing)).toEqual(Buffer.concat(lines.map((l) => frame(l, framing))));
    }
  });
});

describe('frameProblem', () => {
  it('refuses raw LF and CR in either framing and says where', () => {
    expect(frameProblem('ab\ncd', 'lf')).toBe('raw LF at character 2');
    expect(frameProblem('ab\ncd', 'octet')).toBe('raw LF at character 2');
    expect(frameProblem('abc\r', 'octet')).toBe('raw CR at character 3');
  });

  it('refuses an empty octet-counted message (MSG-LEN starts with a non-zero digit)', () => {
    expect(frameProblem('', 'octet')).toMatch(/empty/);
    expect(frameProblem('', 'lf')).toBeUndefined();
  });

  it('accepts ordinary lines, including escaped line breaks', () => {
    expect(frameProblem('CEF:0|MT4|Segura|3|1|x|5|msg=a\\nb', 'lf')).toBeUndefined();
    expect(frameProblem('ação 😀', 'octet')).toBeUndefined();
  });
});
