import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createStdoutSink } from '../../../plugin/sinks/stdout/stdout-sink.js';

describe('stdout sink', () => {
  it('writes each batch as LF-terminated lines, in order, and counts them', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d));
    const sink = createStdoutSink(out);
    await sink.deliver([{ text: 'a' }, { text: 'b' }]);
    await sink.deliver([{ text: 'c' }]);
    expect(text).toBe('a\nb\nc\n');
    expect(sink.stats().delivered).toBe(3);
    expect(await sink.close(100)).toEqual({ delivered: 3, undelivered: 0 });
    await expect(sink.deliver([{ text: 'd' }])).rejects.toMatchObject({ code: 'SEG_ERR_SINK_CLOSED' });
  });

  it('resolves only when the stream has taken the write (back-pressure)', async () => {
    let release!: () => void;
    const slow = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, cb) {
        release = () => cb();
      },
    });
    const sink = createStdoutSink(slow);
    let done = false;
    const p = sink.deliver([{ text: 'x' }]).then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    release();
    await p;
    expect(done).toBe(true);
  });

  it('turns EPIPE into a closed sink and an error event, not a crash', async () => {
    const broken = new Writable({
      write(_chunk, _enc, cb) {
        const e: NodeJS.ErrnoException = new Error('write EPIPE');
        e.code = 'EPIPE';
        cb(e);
      },
    });
    const sink = createStdoutSink(broken);
    const seen: string[] = [];
    sink.onError!((e) => seen.push(e.message));
    await expect(sink.deliver([{ text: 'x' }])).rejects.toMatchObject({ code: 'SEG_ERR_SINK_CLOSED' });
    expect(seen).toEqual(['stdout reader went away (EPIPE)']);
    await expect(sink.deliver([{ text: 'y' }])).rejects.toMatchObject({ code: 'SEG_ERR_SINK_CLOSED' });
  });

  it('encodes lines exactly as Buffer.from would, also lines longer than its scratch space', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (d: Buffer) => chunks.push(d));
    const sink = createStdoutSink(out);
    const lines = ['ação 李 \u{1F600}', 'lone \ud800 half', 'x'.repeat(200_000), '李'.repeat(100_000), 'end'];
    await sink.deliver(lines.map((text) => ({ text })));
    expect(Buffer.concat(chunks).equals(Buffer.from(lines.map((l) => l + '\n').join(''), 'utf8'))).toBe(true);
    expect(sink.stats().delivered).toBe(5);
  });

  it('delivers a batch already encoded (deliverEncoded) with the same counting and closing rules', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d));
    const sink = createStdoutSink(out);
    await sink.deliverEncoded!(Buffer.from('a\nb\n'), 2);
    await sink.deliver([{ text: 'c' }]);
    expect(text).toBe('a\nb\nc\n');
    expect(await sink.close(100)).toEqual({ delivered: 3, undelivered: 0 });
    await expect(sink.deliverEncoded!(Buffer.from('d\n'), 1)).rejects.toMatchObject({ code: 'SEG_ERR_SINK_CLOSED' });
  });
});
