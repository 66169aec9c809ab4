/**
 * LineBuffer, the byte sink of the formatters' fast path: it grows without losing what was
 * written, drops an unfinished line, and hands out finished lines without copying while the
 * batch handed out before stays intact (two buffers alternate).
 */
import { describe, expect, it } from 'vitest';
import { LineBuffer } from '../../plugin/formats/line-buffer.js';

const text = (b: Buffer) => b.toString('utf8');

describe('LineBuffer', () => {
  it('collects LF-terminated lines and counts them', () => {
    const out = new LineBuffer(16);
    out.writeText('ação');
    out.endLine();
    out.writeBytes(Buffer.from('b'));
    out.endLine();
    expect(out.lines).toBe(2);
    expect(text(out.take())).toBe('ação\nb\n');
    expect(out.lines).toBe(0);
    expect(out.pos).toBe(0);
  });

  it('grows past its initial size and keeps every byte already written', () => {
    const out = new LineBuffer(8);
    out.writeText('12345');
    out.reserve(1000);
    expect(out.buf.length).toBeGreaterThanOrEqual(1005);
    out.writeText('x'.repeat(1000));
    out.endLine();
    expect(text(out.take())).toBe('12345' + 'x'.repeat(1000) + '\n');
    // The grown buffer is not kept: the next batches run in buffers of the initial size.
    out.take();
    expect(out.buf.length).toBe(8);
  });

  it('drops an unfinished line', () => {
    const out = new LineBuffer(64);
    out.writeText('kept');
    out.endLine();
    out.writeText('half a li');
    out.undoLine();
    out.writeText('next');
    out.endLine();
    expect(text(out.take())).toBe('kept\nnext\n');
  });

  it('encodes a lone surrogate as U+FFFD, as Buffer.from does', () => {
    const out = new LineBuffer(4);
    out.writeText('a\ud800b');
    expect(out.buf.subarray(0, out.pos)).toEqual(Buffer.from('a\ud800b'));
  });

  it('leaves a batch it handed out intact while the next one is written', () => {
    const out = new LineBuffer(32);
    out.writeText('first batch');
    out.endLine();
    const first = out.take();
    out.writeText('second batch, longer than the first one');
    out.endLine();
    expect(text(first)).toBe('first batch\n');
    const second = out.take();
    expect(text(second)).toBe('second batch, longer than the first one\n');
    // The third batch reuses the first batch's memory (delivered by now, by contract).
    out.writeText('third');
    out.endLine();
    expect(text(out.take())).toBe('third\n');
    expect(text(second)).toBe('second batch, longer than the first one\n');
  });
});
