/**
 * Pieces every mode's runner shares: counting outcomes for the exit summary, delivering a
 * batch with retry on retryable sink errors (never skipping it), and turning SIGTERM/SIGINT
 * into one "stop" promise.
 */
import { SegError, isPermanent, toSegError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/log.js';
import { noMetrics, type Transport } from '../core/metrics.js';
import type { Config } from '../config/schema.js';
import type { OutLine } from '../core/sink.js';
import { buildPipeline, type Pipeline } from './build.js';
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
  /**
   * Calls `listener` once when a stop is requested (at once if it already was); returns a
   * function that unsubscribes. Unlike a `then` on whenStopped, this can be undone, so a
   * loop that waits for "input or stop" many times does not pile up reactions.
   */
  onStop(listener: () => void): () => void;
  /** Removes the signal handlers. */
  dispose(): void;
}

export function onStopSignals(onStop: (reason: string) => void = () => {}): Stopper {
  let stopped = false;
  let resolve!: () => void;
  const whenStopped = new Promise<void>((r) => (resolve = r));
  const listeners = new Set<() => void>();
  const stop = (reason: string) => {
    if (stopped) return;
    stopped = true;
    onStop(reason);
    resolve();
    for (const l of listeners) l();
    listeners.clear();
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
    onStop(listener) {
      if (stopped) {
        listener();
        return () => {};
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
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
  return retryDelivery(pipeline, stopper, () => pipeline.sink.deliver(lines));
}

/** deliverWithRetry for any delivery call (e.g. Sink.deliverEncoded): same retry and stop rules. */
export async function retryDelivery(pipeline: Pipeline, stopper: Stopper, attempt: () => Promise<void>): Promise<boolean> {
  let delay = 50;
  for (;;) {
    try {
      await attempt();
      return true;
    } catch (e) {
      const err = e instanceof SegError ? e : toSegError(e);
      if (isPermanent(err) || err.code === 'SEG_ERR_SINK_CLOSED') throw err;
      if (stopper.stopped) return false;
      pipeline.logger.log('warn', `sink not accepting lines, retrying in ${delay} ms: ${err.message}`, { code: err.code });
      await pause(delay, stopper);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

/** Waits `ms`, or until a stop is requested if that comes first. */
function pause(ms: number, stopper: Stopper): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(), ms);
    timer.unref();
    const unsubscribe = stopper.onStop(() => done());
    function done(): void {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    }
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/**
 * What a line-input runner (stdio, follow) sets up first: the logger, the pipeline, the
 * counters, and a stopper that SIGTERM/SIGINT and a reader gone from stdout (EPIPE) trigger.
 */
export function startLineRun(config: Config): { logger: Logger; pipeline: Pipeline; counters: RunCounters; stopper: Stopper } {
  const logger = createLogger(config.errors, config.logLevel);
  const pipeline = buildPipeline(config, { logger, metrics: noMetrics });
  const counters = new RunCounters();
  const stopper = onStopSignals((reason) => logger.log('info', `${reason}: finishing the current batch, then exiting`));
  pipeline.sink.onError?.((e) => {
    if (e.code === 'SEG_ERR_SINK_CLOSED') stopper.stop(e.message);
  });
  return { logger, pipeline, counters, stopper };
}
