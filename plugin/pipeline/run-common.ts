/**
 * Pieces every mode's runner shares: counting outcomes for the exit summary, delivering a
 * batch with retry on retryable sink errors (never skipping it), and turning SIGTERM/SIGINT
 * into one "stop" promise.
 */
import { SegError, isPermanent, toSegError } from '../core/errors.js';
import type { Transport } from '../core/metrics.js';
import type { OutLine } from '../core/sink.js';
import type { Pipeline } from './build.js';
import type { Outcome } from './processor.js';

/** Counts for the summary a runner logs at exit. */
export class RunCounters {
  records = 0;
  lines = 0;
  failed = 0;
  undelivered = 0;
  readonly failedByReason: Record<string, number> = {};

  countFailure(code: string): void {
    this.failed++;
    this.failedByReason[code] = (this.failedByReason[code] ?? 0) + 1;
  }

  summary(): Record<string, unknown> {
    return {
      records: this.records,
      lines: this.lines,
      failed: this.failed,
      failedByReason: this.failedByReason,
      undelivered: this.undelivered,
    };
  }
}

/**
 * Runs records through the processor: lines are collected in order, failures are reported
 * and counted. Returns the lines to deliver.
 */
export function processBatch(
  pipeline: Pipeline,
  transport: Transport,
  outcomes: Iterable<Outcome>,
  counters: RunCounters,
  extra?: (origin: string) => Record<string, unknown>,
): OutLine[] {
  const lines: OutLine[] = [];
  for (const o of outcomes) {
    counters.records++;
    if (o.ok) lines.push(o.line);
    else {
      counters.countFailure(o.error.code);
      pipeline.reportFailure(transport, o, extra?.(o.origin));
    }
  }
  return lines;
}

export interface Stopper {
  readonly stopped: boolean;
  /** Resolves when a stop was requested. */
  readonly whenStopped: Promise<void>;
  stop(reason: string): void;
  /** Removes the signal handlers. */
  dispose(): void;
}

export function onStopSignals(onStop: (reason: string) => void = () => {}): Stopper {
  let stopped = false;
  let resolve!: () => void;
  const whenStopped = new Promise<void>((r) => (resolve = r));
  const stop = (reason: string) => {
    if (stopped) return;
    stopped = true;
    onStop(reason);
    resolve();
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  return {
    get stopped() {
      return stopped;
    },
    whenStopped,
    stop,
    dispose() {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
    },
  };
}

/**
 * Delivers `lines`, retrying retryable sink errors with capped back-off until they are
 * delivered or a stop is requested. Resolves true when delivered, false when it gave up
 * because of the stop; rejects on a permanent sink error (e.g. stdout reader gone).
 */
export async function deliverWithRetry(pipeline: Pipeline, lines: readonly OutLine[], stopper: Stopper): Promise<boolean> {
  if (lines.length === 0) return true;
  let delay = 50;
  for (;;) {
    try {
      await pipeline.sink.deliver(lines);
      return true;
    } catch (e) {
      const err = e instanceof SegError ? e : toSegError(e);
      if (isPermanent(err) || err.code === 'SEG_ERR_SINK_CLOSED') throw err;
      if (stopper.stopped) return false;
      pipeline.logger.log('warn', `sink not accepting lines, retrying in ${delay} ms: ${err.message}`, { code: err.code });
      await Promise.race([sleep(delay), stopper.whenStopped]);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
