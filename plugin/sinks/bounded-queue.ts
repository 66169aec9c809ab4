/**
 * A bounded FIFO between `Sink.deliver()` and a transport, with per-batch completion. Callers
 * `offer` a batch and get a promise that settles when every item of that batch was
 * acknowledged by the transport; the transport `take`s items (marking them in flight),
 * then `ack`s them in order once delivered, or `requeue`s them when the connection was lost.
 * When the queue is full, the `block` policy makes `offer` wait (FIFO, so batches keep their
 * call order) for at most `blockTimeoutMs` and then reject with the transport's retryable
 * error; the `drop` policy queues what fits and reports the rest to `onDrop`. Knows nothing
 * of sockets, framing or formats, so every sink can use it.
 */
import type { SegError } from '../core/errors.js';

export type OnFull = 'block' | 'drop';

export interface BoundedQueueOptions {
  /** Items (lines) held at most: waiting plus in flight. */
  capacity: number;
  onFull: OnFull;
  /** `block` policy: how long an offer may wait for room before it is rejected. */
  blockTimeoutMs: number;
  /** The error a blocked offer is rejected with (full while connected, unavailable while down). */
  fullError: () => SegError;
  /** Called when items were added, so the transport can start writing. */
  onReady: () => void;
  /** Called with the number of items the `drop` policy discarded. */
  onDrop: (count: number) => void;
}

/** Completion of one offered batch: settles once, when its last item is acked or it fails. */
interface Ticket {
  remaining: number;
  settled: boolean;
  resolve: () => void;
  reject: (e: SegError) => void;
}

/** A blocked offer waiting for room. */
interface Waiter<T> {
  readonly batch: readonly T[];
  readonly ticket: Ticket;
  timer: NodeJS.Timeout | undefined;
}

/** Below this many consumed slots the arrays are not compacted (compaction is O(depth)). */
const COMPACT_AFTER = 4096;

export class BoundedQueue<T> {
  private items: Array<T | undefined> = [];
  private tickets: Array<Ticket | undefined> = [];
  /** Index of the oldest item not yet acked. */
  private head = 0;
  /** Items from `head` handed to the transport and not yet acked. */
  private inFlight = 0;
  private readonly waiters: Array<Waiter<T>> = [];
  private emptyWaiters: Array<() => void> = [];
  private accepting = true;

  constructor(private readonly opts: BoundedQueueOptions) {}

  /** Items not yet acked: waiting plus in flight. */
  get depth(): number {
    return this.items.length - this.head;
  }

  /** Items waiting to be taken by the transport. */
  get waiting(): number {
    return this.depth - this.inFlight;
  }

  /** Offers blocked on a full queue. */
  get blocked(): number {
    return this.waiters.length;
  }

  /**
   * Queues `batch`; the promise resolves when every item of it was acked. Rejects with
   * `closedError` after `close()`, or with `fullError()` when `block` waited too long.
   */
  offer(batch: readonly T[], closedError: () => SegError): Promise<void> {
    if (!this.accepting) return Promise.reject(closedError());
    if (batch.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const ticket: Ticket = { remaining: 0, settled: false, resolve, reject };
      if (this.waiters.length === 0 && this.admits(batch.length)) {
        this.append(batch, ticket);
      } else if (this.opts.onFull === 'drop') {
        this.appendWhatFits(batch, ticket);
      } else {
        this.park(batch, ticket);
      }
    });
  }

  /**
   * Marks up to `max` waiting items as in flight and returns them, oldest first. `fits` is
   * asked about each item in turn and stops the take at the first `false` (a byte budget for
   * one write); the first item is taken whatever it says, so a large item cannot stall.
   */
  take(max: number, fits?: (item: T) => boolean): T[] {
    const start = this.head + this.inFlight;
    const end = Math.min(this.items.length, start + max);
    let stop = start;
    while (stop < end) {
      const ok = fits === undefined || fits(this.items[stop] as T);
      if (!ok && stop > start) break;
      stop++;
    }
    this.inFlight += stop - start;
    return this.items.slice(start, stop) as T[];
  }

  /** The oldest `count` in-flight items were delivered. */
  ack(count: number): void {
    if (count > this.inFlight) throw new RangeError(`ack(${count}) with ${this.inFlight} in flight`);
    for (let i = this.head; i < this.head + count; i++) {
      const ticket = this.tickets[i]!;
      this.items[i] = undefined;
      this.tickets[i] = undefined;
      if (--ticket.remaining === 0 && !ticket.settled) {
        ticket.settled = true;
        ticket.resolve();
      }
    }
    this.head += count;
    this.inFlight -= count;
    this.compact();
    this.admitWaiters();
    if (this.depth === 0) this.notifyEmpty();
  }

  /** The connection carrying the in-flight items was lost: they wait again, in order. */
  requeue(): void {
    this.inFlight = 0;
  }

  /** Stops accepting offers; blocked offers are rejected with `error`. Queued items stay. */
  close(error: () => SegError): void {
    this.accepting = false;
    for (const w of this.waiters.splice(0)) {
      if (w.timer !== undefined) clearTimeout(w.timer);
      w.ticket.settled = true;
      w.ticket.reject(error());
    }
  }

  /** Resolves when nothing is waiting or in flight. */
  whenEmpty(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }

  /** Gives up on every queued item: their batches reject with `error`. Returns the item count. */
  failAll(error: SegError): number {
    const count = this.depth;
    for (let i = this.head; i < this.items.length; i++) {
      const ticket = this.tickets[i]!;
      if (!ticket.settled) {
        ticket.settled = true;
        ticket.reject(error);
      }
    }
    this.items = [];
    this.tickets = [];
    this.head = 0;
    this.inFlight = 0;
    this.notifyEmpty();
    return count;
  }

  /**
   * Room for `n` more items. A batch larger than the whole capacity is admitted into an empty
   * queue, or it could never be queued at all.
   */
  private admits(n: number): boolean {
    return this.depth + n <= this.opts.capacity || this.depth === 0;
  }

  private append(batch: readonly T[], ticket: Ticket): void {
    ticket.remaining += batch.length;
    for (const item of batch) {
      this.items.push(item);
      this.tickets.push(ticket);
    }
    this.opts.onReady();
  }

  /** `drop` policy: the newest items beyond capacity are discarded and reported. */
  private appendWhatFits(batch: readonly T[], ticket: Ticket): void {
    const room = Math.max(0, this.opts.capacity - this.depth);
    this.opts.onDrop(batch.length - room);
    if (room === 0) {
      ticket.settled = true;
      ticket.resolve();
      return;
    }
    this.append(batch.slice(0, room), ticket);
  }

  private park(batch: readonly T[], ticket: Ticket): void {
    const waiter: Waiter<T> = { batch, ticket, timer: undefined };
    waiter.timer = setTimeout(() => {
      const at = this.waiters.indexOf(waiter);
      if (at >= 0) this.waiters.splice(at, 1);
      ticket.settled = true;
      ticket.reject(this.opts.fullError());
      // The head waiter leaving may let the next (smaller) one in.
      this.admitWaiters();
    }, this.opts.blockTimeoutMs);
    this.waiters.push(waiter);
  }

  /** Admits blocked offers in arrival order while they fit; the first that does not fit stops it. */
  private admitWaiters(): void {
    while (this.waiters.length > 0 && this.admits(this.waiters[0]!.batch.length)) {
      const w = this.waiters.shift()!;
      if (w.timer !== undefined) clearTimeout(w.timer);
      this.append(w.batch, w.ticket);
    }
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.tickets = [];
      this.head = 0;
      return;
    }
    if (this.head < COMPACT_AFTER || this.head * 2 < this.items.length) return;
    this.items = this.items.slice(this.head);
    this.tickets = this.tickets.slice(this.head);
    this.head = 0;
  }

  private notifyEmpty(): void {
    if (this.emptyWaiters.length === 0) return;
    const waiting = this.emptyWaiters;
    this.emptyWaiters = [];
    for (const resolve of waiting) resolve();
  }
}
