/**
 * Pipeline-shaped test doubles for the Forward server: a processor that turns a record into a
 * line (or a permanent error when the record says so), a sink whose deliver() the test opens,
 * refuses or lets through, and a pipeline that records failures, metrics and logs.
 */
import { defaultConfig, type ServeConfig } from '../../plugin/config/schema.js';
import { SegError } from '../../plugin/core/errors.js';
import { createMemoryLogger } from '../../plugin/core/log.js';
import type { Metrics } from '../../plugin/core/metrics.js';
import type { RawRecord } from '../../plugin/core/record.js';
import type { CloseReport, OutLine, Sink, SinkStats } from '../../plugin/core/sink.js';
import type { ForwardPipeline } from '../../plugin/inputs/forward/forward-connection.js';
import type { Outcome, Processor } from '../../plugin/pipeline/processor.js';

/** `{msg}` → line `msg=<msg>`; a record with `fail: true` fails with SEG_ERR_FIELD. */
export function fakeProcessor(): Processor & { seen: RawRecord[] } {
  const seen: RawRecord[] = [];
  return {
    seen,
    process(raw: RawRecord): Outcome {
      seen.push(raw);
      if (raw.data.fail === true) {
        return { ok: false, origin: raw.origin, error: new SegError('SEG_ERR_FIELD', `${raw.origin}: cannot format`, { field: 'fail' }) };
      }
      return {
        ok: true,
        line: {
          text: `msg=${String(raw.data.msg)}`,
          eventId: raw.data.id === undefined ? undefined : String(raw.data.id),
          severity: raw.data.sev === undefined ? undefined : String(raw.data.sev),
          host: raw.data.host === undefined ? undefined : String(raw.data.host),
        },
      };
    },
  };
}

/** One deliver() call, settled by the test when the sink is gated. */
export interface DeliverCall {
  readonly lines: readonly OutLine[];
  resolve(): void;
  reject(e: SegError): void;
  readonly settled: Promise<'resolved' | 'rejected'>;
}

export type SinkMode = 'accept' | 'gate' | 'reject';

/** A sink that records every batch; `mode` decides whether deliver() resolves, waits or rejects. */
export class RecordingSink implements Sink {
  readonly name = 'recording';
  readonly maxMessageBytes = undefined;
  readonly calls: DeliverCall[] = [];
  mode: SinkMode = 'accept';
  private callWaiters: Array<() => void> = [];

  get delivered(): OutLine[] {
    return this.calls.flatMap((c) => c.lines);
  }

  deliver(batch: readonly OutLine[]): Promise<void> {
    let resolve!: () => void;
    let reject!: (e: SegError) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const settled = promise.then(
      () => 'resolved' as const,
      () => 'rejected' as const,
    );
    this.calls.push({ lines: [...batch], resolve, reject, settled });
    const w = this.callWaiters;
    this.callWaiters = [];
    for (const f of w) f();
    if (this.mode === 'accept') resolve();
    if (this.mode === 'reject') reject(new SegError('SEG_ERR_SINK_UNAVAILABLE', 'recording sink is down'));
    return promise;
  }

  /** Waits until deliver() was called `n` times in total. */
  async call(n: number): Promise<DeliverCall> {
    while (this.calls.length < n) await new Promise<void>((r) => this.callWaiters.push(r));
    return this.calls[n - 1]!;
  }

  close(): Promise<CloseReport> {
    return Promise.resolve({ delivered: this.delivered.length, undelivered: 0 });
  }

  stats(): SinkStats {
    return { queueDepth: 0, delivered: this.delivered.length, dropped: 0, reconnects: 0 };
  }
}

export interface MetricCall {
  readonly kind: keyof Metrics;
  readonly args: readonly unknown[];
}

export function recordingMetrics(): Metrics & { calls: MetricCall[]; total(kind: keyof Metrics): number } {
  const calls: MetricCall[] = [];
  const rec =
    (kind: keyof Metrics) =>
    (...args: unknown[]) =>
      calls.push({ kind, args });
  return {
    calls,
    recordsIn: rec('recordsIn'),
    recordsOut: rec('recordsOut'),
    recordsFailed: rec('recordsFailed'),
    requestLatency: rec('requestLatency'),
    diagnostics: rec('diagnostics'),
    /** Sum of the count argument (last) of every call of `kind`. */
    total(kind) {
      return calls.filter((c) => c.kind === kind).reduce((n, c) => n + Number(c.args[c.args.length - 1]), 0);
    },
  };
}

export type FailedOutcome = Extract<Outcome, { ok: false }>;

export interface FakePipeline extends ForwardPipeline {
  readonly processor: ReturnType<typeof fakeProcessor>;
  readonly sink: RecordingSink;
  readonly logger: ReturnType<typeof createMemoryLogger>;
  readonly metrics: ReturnType<typeof recordingMetrics>;
  readonly failures: FailedOutcome[];
}

export function fakePipeline(): FakePipeline {
  const failures: FailedOutcome[] = [];
  return {
    processor: fakeProcessor(),
    sink: new RecordingSink(),
    logger: createMemoryLogger(),
    metrics: recordingMetrics(),
    failures,
    reportFailure(_transport, outcome) {
      failures.push(outcome);
    },
  };
}

/** Log entries whose message contains `text`. */
export function logged(p: { logger: { entries: Array<Record<string, unknown>> } }, text: string): Array<Record<string, unknown>> {
  return p.logger.entries.filter((e) => String(e.msg).includes(text));
}

/** `serve` settings for a Forward server on an ephemeral loopback port (or `forward` given). */
export function serveConfig(overrides: Partial<ServeConfig> = {}): ServeConfig {
  return { ...defaultConfig().serve, forward: '127.0.0.1:0', ...overrides };
}

/** The port of a `HOST:PORT` address. */
export function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}
