/**
 * The forward:// sink against a Forward receiver written for the tests: what goes on the
 * wire (Forward mode, tag, chunk ids, records with routing fields, EventTime), deliver()
 * resolving only on the ack, re-sending the same chunk after an ack timeout or a lost
 * connection, nothing lost across a receiver restart, fast answers while the receiver is
 * down, the queue bound, shutdown, the client side of the shared-key handshake, unix sockets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultSink, type SinkConfig } from '../../../plugin/config/schema.js';
import { parseSinkUrl } from '../../../plugin/config/sink-url.js';
import type { SegError } from '../../../plugin/core/errors.js';
import { createMemoryLogger } from '../../../plugin/core/log.js';
import type { OutLine, Sink } from '../../../plugin/core/sink.js';
import { DEFAULT_FORWARD_SINK_TUNING, createForwardSink, type ForwardTarget } from '../../../plugin/sinks/forward/forward-sink.js';
import { TestForwardReceiver } from '../../helpers/forward-frames.js';

const dir = mkdtempSync(join(tmpdir(), 'segura-forward-sink-'));
const receivers: TestForwardReceiver[] = [];
const sinks: Sink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close(0)));
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function receiver(opts: Parameters<typeof TestForwardReceiver.start>[0] = {}): Promise<TestForwardReceiver> {
  const r = await TestForwardReceiver.start(opts);
  receivers.push(r);
  return r;
}

type SinkOverrides = Partial<Omit<SinkConfig, 'forward'>> & { forward?: Partial<SinkConfig['forward']> };

function sink(url: string, overrides: SinkOverrides = {}, tuning: Partial<typeof DEFAULT_FORWARD_SINK_TUNING> = {}) {
  const base = defaultSink(url);
  const cfg: SinkConfig = { ...base, reconnectMinMs: 10, reconnectMaxMs: 50, ...overrides, forward: { ...base.forward, ...overrides.forward } };
  const logger = createMemoryLogger();
  const s = createForwardSink(parseSinkUrl(url) as ForwardTarget, cfg, logger, { ...DEFAULT_FORWARD_SINK_TUNING, ...tuning });
  sinks.push(s);
  return { sink: s, logger };
}

const lines = (prefix: string, n: number): OutLine[] => Array.from({ length: n }, (_, i) => ({ text: `${prefix}${i}` }));

/** Settles `p` and reports how, without throwing. */
function outcome(p: Promise<void>): Promise<'resolved' | SegError> {
  return p.then(
    () => 'resolved' as const,
    (e: SegError) => e,
  );
}

describe('forward sink: wire format and acknowledgement', () => {
  it('sends Forward-mode chunks with routing fields and resolves only when every chunk is acked', async () => {
    const r = await receiver({ policy: () => 'hold' });
    const { sink: s } = sink(`forward://127.0.0.1:${r.port}`, { forward: { tag: 'segura.cef', chunkLines: 2 } });
    const batch: OutLine[] = [
      { text: 'CEF:0|MT4|Segura|3.2|336.501|Login|3|suser=a', eventId: '336.501', severity: '3', host: 'pam-1' },
      { text: 'plain line' },
      { text: 'third', host: 'pam-2' },
    ];
    let resolved = false;
    const delivered = s.deliver(batch).then(() => (resolved = true));
    await r.waitForChunks(2);
    expect(resolved).toBe(false);
    expect(s.stats().queueDepth).toBe(3);

    const [first, second] = r.chunks;
    expect(first!.tag).toBe('segura.cef');
    expect(first!.size).toBe(2);
    expect(Buffer.from(first!.chunk!, 'base64')).toHaveLength(16);
    expect(first!.chunk).not.toBe(second!.chunk);
    expect([...first!.entries, ...second!.entries].map((e) => e.record)).toEqual([
      { line: batch[0]!.text, event_id: '336.501', severity: '3', host: 'pam-1' },
      { line: 'plain line' },
      { line: 'third', host: 'pam-2' },
    ]);
    const t = first!.entries[0]!.time as { seconds: number; nanos: number };
    expect(Math.abs(t.seconds - Date.now() / 1000)).toBeLessThan(60);
    expect(t.nanos).toBeLessThan(1e9);

    r.releaseHeld();
    await delivered;
    expect(s.stats()).toMatchObject({ queueDepth: 0, delivered: 3, dropped: 0 });
  });

  it('keeps batches in call order across chunks', async () => {
    const r = await receiver();
    const { sink: s } = sink(`forward://127.0.0.1:${r.port}`, { forward: { chunkLines: 3 } });
    await Promise.all([s.deliver(lines('a', 4)), s.deliver(lines('b', 5)), s.deliver(lines('c', 1))]);
    expect(r.lines()).toEqual([...lines('a', 4), ...lines('b', 5), ...lines('c', 1)].map((l) => l.text));
  });

  it('re-sends the same chunk on a new connection after an ack timeout', async () => {
    const r = await receiver({ policy: (_c, nth) => (nth === 1 ? 'ignore' : 'ack') });
    const { sink: s } = sink(`forward://127.0.0.1:${r.port}`, { forward: { ackTimeoutMs: 200 } });
    await s.deliver(lines('t', 2));
    expect(r.chunks.length).toBeGreaterThanOrEqual(2);
    expect(new Set(r.chunks.map((c) => c.chunk)).size).toBe(1); // the same chunk id every time
    expect(r.chunks[1]!.connection).toBe(2);
    expect(r.chunks.every((c) => c.entries.map((e) => e.record.line).join() === 't0,t1')).toBe(true);
    expect(s.stats().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('re-sends the chunks in flight when the connection is lost', async () => {
    const r = await receiver({ policy: (_c, nth) => (nth === 1 ? 'close' : 'ack') });
    const { sink: s } = sink(`forward://127.0.0.1:${r.port}`, { forward: { chunkLines: 1 } });
    await s.deliver(lines('x', 3));
    expect(new Set(r.lines())).toEqual(new Set(['x0', 'x1', 'x2']));
    expect(r.lines().slice(-3)).toEqual(['x0', 'x1', 'x2']); // re-sent in the original order
  });

  it('loses nothing across a receiver restart', async () => {
    const first = await receiver();
    const port = first.port;
    const { sink: s } = sink(`forward://127.0.0.1:${port}`, { forward: { ackTimeoutMs: 500, chunkLines: 2 } });
    const sent: string[] = [];
    /** Delivers like an upstream transport: retries retryable errors. */
    const push = async (batch: OutLine[]) => {
      sent.push(...batch.map((l) => l.text));
      for (;;) {
        const result = await outcome(s.deliver(batch));
        if (result === 'resolved') return;
        expect(result.code).toBe('SEG_ERR_SINK_UNAVAILABLE');
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    for (let i = 0; i < 3; i++) await push(lines(`before${i}-`, 3));
    await first.stop();
    const during = push(lines('during-', 3));
    await new Promise((r) => setTimeout(r, 100));
    const second = await receiver({ port });
    await during;
    for (let i = 0; i < 3; i++) await push(lines(`after${i}-`, 3));
    const arrived = new Set([...first.lines(), ...second.lines()]);
    expect(sent.filter((l) => !arrived.has(l))).toEqual([]);
    expect(s.stats().reconnects).toBeGreaterThan(0);
  });
});

describe('forward sink: bounds', () => {
  it('rejects at once with SEG_ERR_SINK_UNAVAILABLE while the receiver is down', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));

    const { sink: s, logger } = sink(`forward://127.0.0.1:${port}`, { forward: { ackTimeoutMs: 100 } });
    const errors: SegError[] = [];
    s.onError!((e) => errors.push(e));
    // The first batch is queued before the failure is known; it is answered within 2 x ack timeout.
    const first = await outcome(s.deliver(lines('a', 1)));
    expect(first).toMatchObject({ code: 'SEG_ERR_SINK_UNAVAILABLE' });
    const second = await outcome(s.deliver(lines('b', 1)));
    expect(second).toMatchObject({ code: 'SEG_ERR_SINK_UNAVAILABLE', message: expect.stringContaining('is unavailable') });
    expect(errors.length).toBeGreaterThan(0);
    expect(logger.entries.some((e) => e.level === 'warn' && String(e.msg).includes('retrying in'))).toBe(true);
  });

  it('rejects with SEG_ERR_SINK_FULL when the queue stays full (--on-full block)', async () => {
    const r = await receiver({ policy: () => 'hold' });
    const { sink: s } = sink(`forward://127.0.0.1:${r.port}`, { queueSize: 4 }, { queueWaitMs: 50 });
    const pending = s.deliver(lines('a', 4));
    await r.waitForChunks(1);
    expect(await outcome(s.deliver(lines('b', 1)))).toMatchObject({ code: 'SEG_ERR_SINK_FULL' });
    r.releaseHeld();
    await pending;
  });

  it('drops and counts what does not fit (--on-full drop)', async () => {
    const r = await receiver({ policy: () => 'hold' });
    const { sink: s } = sink(`forward://127.0.0.1:${r.port}`, { queueSize: 4, onFull: 'drop' });
    const pending = s.deliver(lines('a', 4));
    await r.waitForChunks(1);
    expect(await outcome(s.deliver(lines('b', 2)))).toBe('resolved');
    expect(s.stats().dropped).toBe(2);
    r.releaseHeld();
    await pending;
    expect(r.lines()).toEqual(['a0', 'a1', 'a2', 'a3']);
  });

  it('close() waits for acks up to the deadline, then reports and logs what was not delivered', async () => {
    const r = await receiver({ policy: (_c, nth) => (nth === 1 ? 'ack' : 'hold') });
    const { sink: s, logger } = sink(`forward://127.0.0.1:${r.port}`, { forward: { chunkLines: 2 } });
    await s.deliver(lines('ok', 2));
    const stuck = outcome(s.deliver(lines('stuck', 3)));
    await r.waitForChunks(3);
    const report = await s.close(100);
    expect(report).toEqual({ delivered: 2, undelivered: 3 });
    expect(await stuck).toMatchObject({ code: 'SEG_ERR_SINK_CLOSED' });
    expect(logger.entries.filter((e) => String(e.msg).includes('not delivered')).map((e) => e.line)).toEqual(['stuck0', 'stuck1', 'stuck2']);
    expect(await outcome(s.deliver(lines('late', 1)))).toMatchObject({ code: 'SEG_ERR_SINK_CLOSED' });
  });

  it('close() returns as soon as everything is acked', async () => {
    const r = await receiver();
    const { sink: s } = sink(`forward://127.0.0.1:${r.port}`);
    await s.deliver(lines('l', 5));
    expect(await s.close(10_000)).toEqual({ delivered: 5, undelivered: 0 });
  });
});

describe('forward sink: handshake and unix sockets', () => {
  it('passes the shared-key handshake and checks the receiver proves the key', async () => {
    const r = await receiver({ sharedKey: 's3cret' });
    const { sink: s } = sink(`forward://127.0.0.1:${r.port}`, { forward: { sharedKey: 's3cret' } });
    await s.deliver(lines('auth', 2));
    expect(r.handshakes).toEqual([{ ok: true, client: expect.any(String) }]);
    expect(r.lines()).toEqual(['auth0', 'auth1']);
  });

  it('reports a refused key and stays unavailable', async () => {
    const r = await receiver({ sharedKey: 's3cret' });
    const { sink: s } = sink(`forward://127.0.0.1:${r.port}`, { forward: { sharedKey: 'wrong', ackTimeoutMs: 100 } });
    const errors: SegError[] = [];
    s.onError!((e) => errors.push(e));
    expect(await outcome(s.deliver(lines('x', 1)))).toMatchObject({ code: 'SEG_ERR_SINK_UNAVAILABLE' });
    expect(errors[0]!.message).toContain('refused the handshake: shared_key mismatch');
    expect(r.lines()).toEqual([]);
  });

  it('explains that a key is needed when the receiver sends HELO to a sink without one', async () => {
    const r = await receiver({ sharedKey: 's3cret' });
    const { sink: s } = sink(`forward://127.0.0.1:${r.port}`, { forward: { ackTimeoutMs: 100 } });
    const errors: SegError[] = [];
    s.onError!((e) => errors.push(e));
    await outcome(s.deliver(lines('x', 1)));
    expect(errors[0]!.message).toContain('SEGURA_SIEM_SINK_SHARED_KEY');
  });

  it('delivers over a unix socket', async () => {
    const path = join(dir, 'fb.sock');
    const r = await receiver({ path });
    const { sink: s } = sink(`forward+unix://${path}`);
    expect(s.name).toBe(`forward+unix://${path}`);
    await s.deliver(lines('u', 3));
    expect(r.lines()).toEqual(['u0', 'u1', 'u2']);
  });
});

describe('forward sink: handshake timeouts', () => {
  it('says so when a key is set but the receiver never sends HELO', async () => {
    const r = await receiver();
    const { sink: s } = sink(`forward://127.0.0.1:${r.port}`, { forward: { sharedKey: 'k', ackTimeoutMs: 100 } }, { connectTimeoutMs: 50 });
    const errors: SegError[] = [];
    s.onError!((e) => errors.push(e));
    expect(await outcome(s.deliver(lines('x', 1)))).toMatchObject({ code: 'SEG_ERR_SINK_UNAVAILABLE' });
    expect(errors[0]!.message).toContain('no HELO from the receiver within 50 ms');
  });
});
