/**
 * The bounded queue seen through the sink, with real sockets: `--on-full block` holds a batch
 * until room frees, and fails it fast with a retryable error when the target is down
 * (SEG_ERR_SINK_UNAVAILABLE) or up but not reading (SEG_ERR_SINK_FULL); `--on-full drop`
 * counts and logs the new lines it discards; close() reports what the deadline left behind.
 */
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../plugin/core/log.js';
import { createSyslogSink } from '../../../plugin/sinks/syslog/syslog-sink.js';
import { startStreamListener } from '../../helpers/syslog-listener.js';
import { lines, refusingPort, sinkConfig, track, tuning, until } from './fixtures.js';

const tcp = (port: number) => ({ kind: 'syslog', transport: 'tcp', host: '127.0.0.1', port }) as const;

describe('--on-full block', () => {
  it('with the target down: a batch that does not fit fails fast with SEG_ERR_SINK_UNAVAILABLE, nothing of it queued', async () => {
    const port = await refusingPort();
    const sink = createSyslogSink(tcp(port), sinkConfig({ queueSize: 10 }), createMemoryLogger(), tuning({ queueWaitMs: 50 }));
    const held = track(sink.deliver(lines(0, 10)));
    await expect(sink.deliver(lines(10, 15))).rejects.toMatchObject({ code: 'SEG_ERR_SINK_UNAVAILABLE', permanent: false });
    expect(sink.stats()).toMatchObject({ queueDepth: 10, dropped: 0 });
    expect(held.state).toBe('pending');
    await sink.close(0);
  });

  it('with the target down longer than the wait: new batches fail at once, even with room; earlier ones go out later', async () => {
    const port = await refusingPort();
    const errors: string[] = [];
    const sink = createSyslogSink(tcp(port), sinkConfig({ queueSize: 100 }), createMemoryLogger(), tuning({ queueWaitMs: 50 }));
    sink.onError!((e) => errors.push(e.message));
    const early = track(sink.deliver(lines(0, 10)));
    await until(() => errors.length > 0, 'a refused connection');
    const started = Date.now();
    await until(() => Date.now() - started > 60, 'the outage to outlast the wait');
    const late = sink.deliver(lines(10, 20));
    await expect(late).rejects.toMatchObject({ code: 'SEG_ERR_SINK_UNAVAILABLE', permanent: false });
    await late.catch((e: Error) => expect(e.message).toMatch(/not connected for \d+ ms \(connect ECONNREFUSED/));
    expect(sink.stats().queueDepth).toBe(10);

    const listener = await startStreamListener({ framing: 'lf', port });
    await early.promise;
    await sink.deliver(lines(10, 20));
    await listener.waitFor(20);
    expect(listener.messages).toEqual(lines(0, 20).map((l) => l.text));
    await sink.close(1_000);
    await listener.close();
  });

  it('a blocked batch waits for room and goes out, in order, once the target is back', async () => {
    const port = await refusingPort();
    const sink = createSyslogSink(tcp(port), sinkConfig({ queueSize: 10 }), createMemoryLogger(), tuning({ queueWaitMs: 30_000 }));
    const first = track(sink.deliver(lines(0, 10)));
    const second = track(sink.deliver(lines(10, 15)));
    await until(() => sink.stats().queueDepth === 10, 'the queue to fill');
    expect(second.state).toBe('pending');
    const listener = await startStreamListener({ framing: 'lf', port });
    await second.promise;
    expect(first.state).toBe('resolved');
    await listener.waitFor(15);
    expect(listener.messages).toEqual(lines(0, 15).map((l) => l.text));
    await sink.close(1_000);
    await listener.close();
  });

  it('with the target up but not reading: batches fail with SEG_ERR_SINK_FULL once the kernels are full', async () => {
    // A receiver that accepts the connection and never reads: TCP flow control stops us.
    const stalled = new Set<Socket>();
    const server = createServer((s) => {
      stalled.add(s);
      s.pause();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const sink = createSyslogSink(tcp(port), sinkConfig({ queueSize: 4 }), createMemoryLogger(), tuning({ queueWaitMs: 200 }));
    const big = { text: `<13>1 - - - - - - ${'x'.repeat(256 * 1024)}` };
    // 200 × 256 KiB = 50 MiB: far more than loopback socket buffers hold.
    const outcomes = Array.from({ length: 200 }, () => track(sink.deliver([big])));
    await until(() => outcomes.filter((o) => o.state === 'pending').length <= 4, 'parked batches to time out', 30_000);
    const rejected = outcomes.filter((o) => o.state === 'rejected');
    const resolved = outcomes.filter((o) => o.state === 'resolved');
    expect(rejected.length).toBeGreaterThan(0);
    expect(new Set(rejected.map((o) => o.error?.code))).toEqual(new Set(['SEG_ERR_SINK_FULL']));
    expect(resolved.length).toBe(sink.stats().delivered);
    expect(resolved.length).toBeGreaterThan(0);

    const depth = sink.stats().queueDepth;
    expect(depth).toBeGreaterThan(0);
    expect(depth).toBeLessThanOrEqual(4);
    const report = await sink.close(50);
    expect(report.undelivered).toBe(depth);
    for (const s of stalled) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('--on-full drop', () => {
  it('drops the new lines beyond capacity, counts and logs them, and resolves', async () => {
    const port = await refusingPort();
    const logger = createMemoryLogger();
    const sink = createSyslogSink(tcp(port), sinkConfig({ queueSize: 10, onFull: 'drop' }), logger);
    const first = track(sink.deliver(lines(0, 6)));
    const second = track(sink.deliver(lines(6, 14))); // 4 fit, 4 dropped
    const third = track(sink.deliver(lines(14, 17))); // all 3 dropped
    await until(() => third.state === 'resolved', 'the fully dropped batch to resolve');
    expect(sink.stats()).toMatchObject({ queueDepth: 10, dropped: 7 });
    const warning = logger.entries.find((e) => e.msg === 'queue full: new lines dropped (--on-full drop)');
    expect(warning).toMatchObject({ level: 'warn', droppedSinceLastLog: 4, droppedTotal: 4 });

    const listener = await startStreamListener({ framing: 'lf', port });
    await second.promise;
    expect(first.state).toBe('resolved');
    await listener.waitFor(10);
    expect(listener.messages).toEqual(lines(0, 10).map((l) => l.text));
    await sink.close(1_000);
    // Drops folded into the throttled warning are logged at close.
    expect(logger.entries.filter((e) => e.msg === 'queue full: new lines dropped (--on-full drop)').at(-1)).toMatchObject({
      droppedSinceLastLog: 3,
      droppedTotal: 7,
    });
    await listener.close();
  });
});

describe('close(deadline)', () => {
  it('reports and logs what could not be delivered in time; those batches fail with SEG_ERR_SINK_CLOSED', async () => {
    const port = await refusingPort();
    const logger = createMemoryLogger();
    const sink = createSyslogSink(tcp(port), sinkConfig({ queueSize: 100 }), logger, tuning({ queueWaitMs: 10_000 }));
    const a = track(sink.deliver(lines(0, 60)));
    const b = track(sink.deliver(lines(60, 100)));
    const blocked = track(sink.deliver(lines(100, 110))); // no room: parked
    const report = await sink.close(30);
    expect(report).toEqual({ delivered: 0, undelivered: 100 });
    await until(() => [a, b, blocked].every((t) => t.state === 'rejected'), 'every batch to fail');
    expect([a.error?.code, b.error?.code, blocked.error?.code]).toEqual(['SEG_ERR_SINK_CLOSED', 'SEG_ERR_SINK_CLOSED', 'SEG_ERR_SINK_CLOSED']);
    expect(sink.stats()).toMatchObject({ dropped: 100, queueDepth: 0 });
    expect(logger.entries.find((e) => e.msg === 'lines not delivered before the shutdown deadline')).toMatchObject({
      level: 'error',
      undelivered: 100,
      deadlineMs: 30,
    });
    expect(await sink.close(30)).toEqual(report);
  });
});
