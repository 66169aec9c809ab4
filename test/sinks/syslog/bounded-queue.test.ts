/**
 * The bounded queue on its own, driven as a transport would drive it: batch completion,
 * FIFO admission of blocked offers, the drop policy, requeue after a lost connection, and
 * failing what is left at shutdown. Also the reconnect back-off bounds.
 */
import { describe, expect, it } from 'vitest';
import { SegError } from '../../../plugin/core/errors.js';
import { BoundedQueue, type BoundedQueueOptions } from '../../../plugin/sinks/bounded-queue.js';
import { Backoff } from '../../../plugin/sinks/syslog/backoff.js';

const closed = (): SegError => new SegError('SEG_ERR_SINK_CLOSED', 'closed');

function makeQueue(opts: Partial<BoundedQueueOptions> = {}): { q: BoundedQueue<string>; drops: number[]; ready: number[] } {
  const drops: number[] = [];
  const ready: number[] = [];
  const q = new BoundedQueue<string>({
    capacity: 4,
    onFull: 'block',
    blockTimeoutMs: 60_000,
    fullError: () => new SegError('SEG_ERR_SINK_FULL', 'full'),
    onReady: () => ready.push(1),
    onDrop: (n) => drops.push(n),
    ...opts,
  });
  return { q, drops, ready };
}

/** Tracks a promise's state without awaiting it. */
function track(p: Promise<void>): { state: 'pending' | 'resolved' | 'rejected'; error?: SegError } {
  const t: { state: 'pending' | 'resolved' | 'rejected'; error?: SegError } = { state: 'pending' };
  p.then(
    () => (t.state = 'resolved'),
    (e: SegError) => {
      t.state = 'rejected';
      t.error = e;
    },
  );
  return t;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('BoundedQueue', () => {
  it('resolves a batch only when its last item is acked, in order', async () => {
    const { q, ready } = makeQueue();
    const a = track(q.offer(['a1', 'a2'], closed));
    const b = track(q.offer(['b1'], closed));
    expect(ready.length).toBe(2);
    expect(q.take(10)).toEqual(['a1', 'a2', 'b1']);
    expect(q.take(10)).toEqual([]);
    q.ack(1);
    await tick();
    expect([a.state, b.state]).toEqual(['pending', 'pending']);
    q.ack(1);
    await tick();
    expect([a.state, b.state]).toEqual(['resolved', 'pending']);
    q.ack(1);
    await tick();
    expect(b.state).toBe('resolved');
    expect(q.depth).toBe(0);
  });

  it('resolves an empty batch at once and refuses offers after close', async () => {
    const { q } = makeQueue();
    await expect(q.offer([], closed)).resolves.toBeUndefined();
    q.close(closed);
    await expect(q.offer(['x'], closed)).rejects.toMatchObject({ code: 'SEG_ERR_SINK_CLOSED' });
  });

  it('respects a byte budget in take but always takes one item', () => {
    const { q } = makeQueue({ capacity: 10 });
    void q.offer(['aaaa', 'bbbb', 'cccc'], closed);
    let bytes = 0;
    expect(q.take(10, (s) => (bytes += s.length) <= 6)).toEqual(['aaaa']);
    expect(q.take(10, () => false)).toEqual(['bbbb']);
  });

  it('block: parks offers that do not fit and admits them FIFO as room frees', async () => {
    const { q } = makeQueue();
    const a = track(q.offer(['a1', 'a2', 'a3'], closed));
    const b = track(q.offer(['b1', 'b2'], closed)); // 3 + 2 > 4: parked
    const c = track(q.offer(['c1'], closed)); // would fit, but must not overtake b
    expect(q.depth).toBe(3);
    expect(q.blocked).toBe(2);
    q.take(3);
    q.ack(3);
    await tick();
    expect(a.state).toBe('resolved');
    expect(q.take(10)).toEqual(['b1', 'b2', 'c1']);
    q.ack(3);
    await tick();
    expect([b.state, c.state]).toEqual(['resolved', 'resolved']);
  });

  it('block: rejects a parked offer with fullError after the wait, without queueing any of it', async () => {
    const { q } = makeQueue({ blockTimeoutMs: 20 });
    void q.offer(['a1', 'a2', 'a3', 'a4'], closed);
    await expect(q.offer(['b1'], closed)).rejects.toMatchObject({ code: 'SEG_ERR_SINK_FULL', permanent: false });
    expect(q.depth).toBe(4);
    expect(q.take(10)).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('admits a batch larger than the capacity into an empty queue only', async () => {
    const { q } = makeQueue();
    const big = track(q.offer(['1', '2', '3', '4', '5', '6'], closed));
    expect(q.depth).toBe(6);
    const next = track(q.offer(['7'], closed));
    expect(q.blocked).toBe(1);
    q.take(10);
    q.ack(6);
    await tick();
    expect([big.state, next.state]).toEqual(['resolved', 'pending']);
    expect(q.take(10)).toEqual(['7']);
  });

  it('drop: queues what fits, reports the newest lines beyond capacity, and resolves', async () => {
    const { q, drops } = makeQueue({ onFull: 'drop' });
    void q.offer(['a1', 'a2', 'a3'], closed);
    const b = track(q.offer(['b1', 'b2', 'b3'], closed));
    expect(drops).toEqual([2]);
    expect(q.take(10)).toEqual(['a1', 'a2', 'a3', 'b1']);
    await expect(q.offer(['c1'], closed)).resolves.toBeUndefined(); // all of it dropped
    expect(drops).toEqual([2, 1]);
    q.ack(4);
    await tick();
    expect(b.state).toBe('resolved');
  });

  it('requeue puts in-flight items back first, in order', () => {
    const { q } = makeQueue();
    void q.offer(['a', 'b', 'c'], closed);
    expect(q.take(2)).toEqual(['a', 'b']);
    q.requeue();
    expect(q.waiting).toBe(3);
    expect(q.take(10)).toEqual(['a', 'b', 'c']);
  });

  it('failAll rejects every unfinished batch once and empties the queue', async () => {
    const { q } = makeQueue();
    const a = track(q.offer(['a1', 'a2'], closed));
    const b = track(q.offer(['b1'], closed));
    q.take(1);
    q.ack(1);
    const emptied = track(q.whenEmpty());
    const n = q.failAll(new SegError('SEG_ERR_SINK_CLOSED', 'deadline'));
    await tick();
    expect(n).toBe(2);
    expect([a.state, b.state, emptied.state]).toEqual(['rejected', 'rejected', 'resolved']);
    expect(a.error?.message).toBe('deadline');
    expect(q.depth).toBe(0);
  });

  it('close rejects parked offers but keeps what is queued', async () => {
    const { q } = makeQueue();
    const a = track(q.offer(['a1', 'a2', 'a3', 'a4'], closed));
    const b = track(q.offer(['b1'], closed));
    q.close(closed);
    await tick();
    expect(b.state).toBe('rejected');
    expect(b.error?.code).toBe('SEG_ERR_SINK_CLOSED');
    expect(q.take(10)).toEqual(['a1', 'a2', 'a3', 'a4']);
    q.ack(4);
    await tick();
    expect(a.state).toBe('resolved');
  });

  it('survives many cycles (compaction keeps order)', () => {
    const { q } = makeQueue({ capacity: 100_000 });
    const sent: string[] = [];
    for (let i = 0; i < 20_000; i++) void q.offer([String(i)], closed);
    for (;;) {
      const got = q.take(777);
      if (got.length === 0) break;
      sent.push(...got);
      q.ack(got.length);
    }
    expect(sent.length).toBe(20_000);
    expect(sent.every((s, i) => s === String(i))).toBe(true);
  });
});

describe('Backoff', () => {
  it('doubles the ceiling per failure up to the cap', () => {
    const high = new Backoff(100, 1_000, () => 1);
    expect([1, 2, 3, 4, 5, 6].map(() => high.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    high.reset();
    expect(high.next()).toBe(100);
    const low = new Backoff(100, 1_000, () => 0);
    expect([1, 2, 3].map(() => low.next())).toEqual([100, 100, 100]);
  });

  it('draws every delay within [min, min(max, min·2^n)] (full jitter)', () => {
    const b = new Backoff(50, 30_000);
    for (let n = 0; n < 40; n++) {
      const d = b.next();
      expect(d).toBeGreaterThanOrEqual(50);
      expect(d).toBeLessThanOrEqual(Math.min(30_000, 50 * 2 ** n));
    }
    expect(b.attempts).toBe(40);
  });
});
