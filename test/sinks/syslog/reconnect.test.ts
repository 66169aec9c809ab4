/**
 * Connection loss with real sockets: a receiver process SIGKILLed with unread data in its
 * kernel buffers and restarted on the same port (nothing lost, order kept, duplicates only
 * from the bounded replay window), a receiver that is not up yet when the sink starts, and a
 * receiver that closes cleanly after reading everything (no replay) or while lines were just
 * written (replay).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../plugin/core/log.js';
import { createSyslogSink } from '../../../plugin/sinks/syslog/syslog-sink.js';
import { spawnListenerProcess, startStreamListener, type ListenerProcess } from '../../helpers/syslog-listener.js';
import { deliverWithRetry, lines, refusingPort, seqOf, sinkConfig, track, tuning, until } from './fixtures.js';

const tcp = (port: number) => ({ kind: 'syslog', transport: 'tcp', host: '127.0.0.1', port }) as const;

/** Listener processes of the running test, killed afterwards even when an assertion failed. */
const children: ListenerProcess[] = [];
async function listenerProcess(port?: number): Promise<ListenerProcess> {
  const p = await spawnListenerProcess('octet', port);
  children.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(children.splice(0).map((p) => p.kill()));
});

/** Keeps the first copy of each line; checks the copies were exact. */
function dedupe(received: readonly string[]): { unique: number[]; duplicates: number } {
  const seen = new Map<number, string>();
  const unique: number[] = [];
  for (const line of received) {
    const n = seqOf(line);
    const before = seen.get(n);
    if (before === undefined) {
      seen.set(n, line);
      unique.push(n);
    } else if (before !== line) {
      throw new Error(`line ${n} arrived twice with different text`);
    }
  }
  return { unique, duplicates: received.length - unique.length };
}

describe('receiver killed and restarted mid-stream', () => {
  it('loses nothing, keeps order, and duplicates at most the replay window', async () => {
    const TOTAL = 3_000;
    const WINDOW = 500;
    const first = await listenerProcess();
    const port = first.port;
    const logger = createMemoryLogger();
    const sink = createSyslogSink(
      tcp(port),
      sinkConfig({ framing: 'octet' }),
      logger,
      tuning({ replayWindowLines: WINDOW, queueWaitMs: 20 }),
    );
    const sent = lines(0, TOTAL, 2);

    // 1. 1000 lines that the receiver reads.
    for (let b = 0; b < 1_000; b += 100) await sink.deliver(sent.slice(b, b + 100));
    await first.waitFor(1_000);

    // 2. The receiver stalls; 200 more lines are accepted by the kernels but never read.
    await first.pause();
    await sink.deliver(sent.slice(1_000, 1_200));
    expect(sink.stats().delivered).toBe(1_200);

    // 3. SIGKILL: the unread data is gone and the sink's connection ends.
    await first.kill();
    expect(first.messages.length).toBe(1_000);

    // 4. The stream goes on while nobody listens (a batch offered once the outage outlasted the
    //    20 ms wait would be refused, and is offered again); then the receiver comes back.
    const rest = track(
      (async () => {
        for (let b = 1_200; b < TOTAL; b += 100) await deliverWithRetry(sink, sent.slice(b, b + 100));
      })(),
    );
    // Depending on what the dead process had read, the sink sees a reset or an end followed by EPIPE.
    await until(() => logger.entries.some((e) => String(e.msg).startsWith('connection lost')), 'the loss to be noticed');
    const second = await listenerProcess(port);
    await second.waitUntil((m) => m.length > 0 && seqOf(m[m.length - 1]!) === TOTAL - 1, 'the last line');
    await rest.promise;

    const received = [...first.messages, ...second.messages];
    const { unique, duplicates } = dedupe(received);
    expect(unique).toEqual(sent.map((_, i) => i));
    expect(duplicates).toBeGreaterThan(0);
    expect(duplicates).toBeLessThanOrEqual(WINDOW);
    // The second receiver starts with the replayed window: the 200 lost lines are in it.
    expect(seqOf(second.messages[0]!)).toBeLessThanOrEqual(1_000);
    expect(first.parser.errors).toEqual([]);
    expect(second.parser.errors).toEqual([]);
    expect(sink.stats()).toMatchObject({ delivered: TOTAL, reconnects: 1, queueDepth: 0, dropped: 0 });
    expect(logger.entries.find((e) => e.msg === 'reconnected')).toMatchObject({ replayLines: WINDOW });
    // Lines never appear in the log.
    expect(JSON.stringify(logger.entries)).not.toContain('Sessão');

    await sink.close(1_000);
  });
});

describe('receiver not up yet', () => {
  it('queues while connections are refused and delivers in order once it listens', async () => {
    const port = await refusingPort();
    const logger = createMemoryLogger();
    const errors: string[] = [];
    const sink = createSyslogSink(tcp(port), sinkConfig(), logger);
    sink.onError!((e) => errors.push(e.message));
    const batch = track(sink.deliver(lines(0, 50)));
    await until(() => errors.length >= 2, 'two refused attempts');
    expect(errors[0]).toMatch(/ECONNREFUSED/);
    expect(batch.state).toBe('pending');
    expect(sink.stats().queueDepth).toBe(50);

    const listener = await startStreamListener({ framing: 'lf', port });
    await batch.promise;
    await listener.waitFor(50);
    expect(listener.messages).toEqual(lines(0, 50).map((l) => l.text));
    // A first connection after failures is not a reconnect; the log said what failed, once.
    expect(sink.stats().reconnects).toBe(0);
    const warnings = logger.entries.filter((e) => e.level === 'warn' && e.code === 'ECONNREFUSED');
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toMatchObject({ sink: `syslog+tcp://127.0.0.1:${port}`, queued: 50 });
    await sink.close(1_000);
    await listener.close();
  });
});

describe('receiver closes the connection cleanly', () => {
  it('after reading everything in a quiet spell: reconnects without replaying', async () => {
    const listener = await startStreamListener({ framing: 'lf' });
    const sink = createSyslogSink(tcp(listener.port), sinkConfig(), createMemoryLogger(), tuning({ cleanCloseQuietMs: 0 }));
    await sink.deliver(lines(0, 100));
    await listener.waitFor(100);
    listener.endConnections();
    await listener.waitForConnections(2);
    await sink.deliver(lines(100, 200));
    await listener.waitFor(200);
    expect(listener.messages).toEqual(lines(0, 200).map((l) => l.text));
    expect(sink.stats().reconnects).toBe(1);
    await sink.close(1_000);
    await listener.close();
  });

  it('right after lines were written: replays the window, so the receiver gets them again', async () => {
    const listener = await startStreamListener({ framing: 'lf' });
    const sink = createSyslogSink(tcp(listener.port), sinkConfig(), createMemoryLogger(), tuning({ cleanCloseQuietMs: 60_000 }));
    await sink.deliver(lines(0, 100));
    await listener.waitFor(100);
    listener.endConnections();
    await listener.waitForConnections(2);
    await sink.deliver(lines(100, 200));
    await listener.waitFor(300);
    const got = listener.messages.map(seqOf);
    expect(got).toEqual([...Array(100).keys(), ...Array(200).keys()]);
    await sink.close(1_000);
    await listener.close();
  });
});
