import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LineSplitter, type LineItem } from '../../plugin/inputs/line-splitter.js';

const texts = (items: LineItem[]) => items.map((i) => ('text' in i ? `${i.line}:${i.text}` : `${i.line}!${i.error.code}`));

describe('LineSplitter', () => {
  it('numbers lines, skips blank ones and keeps a partial line until its LF', () => {
    const s = new LineSplitter(100);
    expect(texts(s.push(Buffer.from('{"a":1}\n\n  \r\n{"b"')))).toEqual(['1:{"a":1}']);
    expect(texts(s.push(Buffer.from(':2}\n{"c":3}')))).toEqual(['4:{"b":2}']);
    expect(texts(s.end())).toEqual(['5:{"c":3}']);
    expect(s.linesSeen).toBe(5);
  });

  it('reports an over-long line with its number and size, without buffering it, and carries on', () => {
    const s = new LineSplitter(10);
    const items = [
      ...s.push(Buffer.from('short\n0123456789')),
      ...s.push(Buffer.from('abcdefghij'.repeat(100))),
      ...s.push(Buffer.from('tail\nok\n')),
    ];
    expect(texts(items)).toEqual(['1:short', '2!SEG_ERR_LINE_TOO_LONG', '3:ok']);
    const err = items[1] as { error: Error };
    expect(err.error.message).toBe('line 2: 1014 bytes, over the limit of 10');
  });

  it('counts the limit in UTF-8 bytes, not characters', () => {
    const s = new LineSplitter(8);
    // "ãããã" is 8 bytes; "ããããã" is 10.
    expect(texts(s.push(Buffer.from('ãããã\nããããã\n')))).toEqual(['1:ãããã', '2!SEG_ERR_LINE_TOO_LONG']);
  });

  it('names the line whose bytes are not UTF-8 and keeps its neighbours', () => {
    const s = new LineSplitter(100);
    const chunk = Buffer.concat([Buffer.from('{"a":"ok"}\n{"b":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n{"c":"ç"}\n')]);
    const items = s.push(chunk);
    expect(texts(items)).toEqual(['1:{"a":"ok"}', '2!SEG_ERR_UTF8', '3:{"c":"ç"}']);
    expect((items[1] as { error: Error }).error.message).toBe('line 2: not valid UTF-8');
  });

  it('never splits a multibyte character across chunks', () => {
    const s = new LineSplitter(100);
    const bytes = Buffer.from('{"n":"李小龍"}\n');
    const items = [...s.push(bytes.subarray(0, 8)), ...s.push(bytes.subarray(8))];
    expect(texts(items)).toEqual(['1:{"n":"李小龍"}']);
  });

  it('gives the same lines however the input is chunked (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }).filter((t) => !t.includes('\n') && t.trim() !== ''), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        (lines, cuts) => {
          const whole = Buffer.from(lines.map((l) => l + '\n').join(''));
          const s = new LineSplitter(1000);
          const got: LineItem[] = [];
          let at = 0;
          let i = 0;
          while (at < whole.length) {
            const size = cuts[i++ % cuts.length]!;
            got.push(...s.push(whole.subarray(at, at + size)));
            at += size;
          }
          got.push(...s.end());
          expect(got.map((g) => ('text' in g ? g.text : '!'))).toEqual(lines.filter((l) => !/^[ \t\r]*$/.test(l)));
        },
      ),
    );
  });

  it('hands lines out one at a time with nextLine(), numbering them with linesSeen', () => {
    const s = new LineSplitter(10);
    s.feed(Buffer.from('{"a":1}\n\n0123456789x\n{"b":2}\n{"c"'));
    const seen: string[] = [];
    for (let got = s.nextLine(); got !== undefined; got = s.nextLine()) {
      seen.push(typeof got === 'string' ? `${s.linesSeen}:${got}` : `${s.linesSeen}!${got.code}`);
    }
    s.feed(Buffer.from(':3}\n'));
    for (let got = s.nextLine(); got !== undefined; got = s.nextLine()) seen.push(`${s.linesSeen}:${String(got)}`);
    expect(seen).toEqual(['1:{"a":1}', '3!SEG_ERR_LINE_TOO_LONG', '4:{"b":2}', '5:{"c":3}']);
  });

  it('drops a UTF-8 byte order mark at the start of a line, however the input is chunked', () => {
    const whole = Buffer.from('\ufeff{"a":1}\n{"b":2}\n\ufeff{"c":3}\n\ufeff\n');
    for (let size = 1; size <= whole.length; size++) {
      const s = new LineSplitter(100);
      const got: LineItem[] = [];
      for (let at = 0; at < whole.length; at += size) got.push(...s.push(whole.subarray(at, at + size)));
      got.push(...s.end());
      expect(texts(got)).toEqual(['1:{"a":1}', '2:{"b":2}', '3:{"c":3}']);
    }
  });
});
