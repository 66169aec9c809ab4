/**
 * A Sink for tests that keeps every accepted line and can be switched to misbehave the way
 * real sinks do: `full` (queue full, SEG_ERR_SINK_FULL), `down` (target unreachable,
 * SEG_ERR_SINK_UNAVAILABLE), `closed` (shutting down), or `hold` (deliver() waits until
 * release(), as a stalled TCP peer would). Nothing is counted as delivered unless accepted.
 */
import { SegError } from '../../plugin/core/errors.js';
import type { CloseReport, OutLine, Sink, SinkStats } from '../../plugin/core/sink.js';

export type SinkMode = 'ok' | 'full' | 'down' | 'closed' | 'hold';

export class RecordingSink implements Sink {
  readonly name = 'recording';
  readonly maxMessageBytes: number | undefined;
  /** Every line accepted, in delivery order. */
  readonly lines: OutLine[] = [];
  /** Number of deliver() calls, accepted or not. */
  calls = 0;
  mode: SinkMode = 'ok';
  reconnects = 0;
  private held: Array<{ batch: readonly OutLine[]; resolve: () => void }> = [];
  private holdWaiters: Array<() => void> = [];

  constructor(opts: { maxMessageBytes?: number } = {}) {
    this.maxMessageBytes = opts.maxMessageBytes;
  }

  get texts(): string[] {
    return this.lines.map((l) => l.text);
  }

  deliver(batch: readonly OutLine[]): Promise<void> {
    this.calls++;
    switch (this.mode) {
      case 'full':
        return Promise.reject(new SegError('SEG_ERR_SINK_FULL', 'recording sink: queue full'));
      case 'down':
        return Promise.reject(new SegError('SEG_ERR_SINK_UNAVAILABLE', 'recording sink: target down'));
      case 'closed':
        return Promise.reject(new SegError('SEG_ERR_SINK_CLOSED', 'recording sink: closed'));
      case 'hold':
        return new Promise<void>((resolve) => {
          this.held.push({ batch, resolve });
          for (const w of this.holdWaiters.splice(0)) w();
        });
      default:
        this.lines.push(...batch);
        return Promise.resolve();
    }
  }

  /** Resolves once at least `n` batches are being held. */
  async whenHolding(n = 1): Promise<void> {
    while (this.held.length < n) await new Promise<void>((r) => this.holdWaiters.push(r));
  }

  /** Accepts every held batch (in order) and goes back to `ok`. */
  release(): void {
    this.mode = 'ok';
    for (const h of this.held.splice(0)) {
      this.lines.push(...h.batch);
      h.resolve();
    }
  }

  stats(): SinkStats {
    return { queueDepth: this.held.reduce((n, h) => n + h.batch.length, 0), delivered: this.lines.length, dropped: 0, reconnects: this.reconnects };
  }

  close(_deadlineMs?: number): Promise<CloseReport> {
    this.release();
    return Promise.resolve({ delivered: this.lines.length, undelivered: 0 });
  }
}
