/**
 * What every gRPC service does with a batch: run each record through the processor (one
 * line or one accounted error per record), then hand the lines to the sink and answer only
 * once the sink accepted all of them. A call whose deadline passed or that the client
 * cancelled before delivery starts hands nothing to the sink; lines already handed over
 * are delivered (a sink cannot take lines back), so a client retry may duplicate them:
 * delivery is at-least-once.
 */
import { SegError, toSegError } from '../../core/errors.js';
import type { Transport } from '../../core/metrics.js';
import type { RawRecord } from '../../core/record.js';
import type { OutLine } from '../../core/sink.js';
import type { Pipeline } from '../../pipeline/build.js';
import type { Outcome, Processor } from '../../pipeline/processor.js';
import { sinkErrorStatus, unavailable, type CallError } from './status.js';

export type Failure = Extract<Outcome, { ok: false }>;

/** A record converted from the wire, or the reason it could not be. */
export type Converted = RawRecord | Failure;

/** Builds the failure for a record that could not even be converted to a RawRecord. */
export function conversionFailure(origin: string, e: unknown): Failure {
  const error = e instanceof SegError ? e : toSegError(e);
  return { ok: false, origin, error };
}

export interface ProcessedBatch {
  readonly lines: OutLine[];
  readonly failed: number;
  /** The first few failure messages, for a response's error summary. */
  readonly firstErrors: string[];
}

const ERROR_SUMMARY_LIMIT = 3;

/** Processes converted records in order; failures are logged and counted by the pipeline. */
export function processConverted(
  pipeline: Pipeline,
  transport: Transport,
  processor: Processor,
  records: readonly Converted[],
): ProcessedBatch {
  const lines: OutLine[] = [];
  const firstErrors: string[] = [];
  let failed = 0;
  for (const rec of records) {
    const outcome: Outcome = 'ok' in rec ? rec : processor.process(rec);
    if (outcome.ok) {
      lines.push(outcome.line);
      continue;
    }
    failed++;
    if (firstErrors.length < ERROR_SUMMARY_LIMIT) firstErrors.push(describe(outcome));
    pipeline.reportFailure(transport, outcome);
  }
  return { lines, failed, firstErrors };
}

/** `origin: CODE message`, without repeating an origin the message already names. */
function describe(f: Failure): string {
  const msg = f.error.message.startsWith(`${f.origin}:`) ? f.error.message.slice(f.origin.length + 1).trimStart() : f.error.message;
  return `${f.origin}: ${f.error.code} ${msg}`;
}

/** The part of a grpc-js server call delivery looks at. */
export interface CallState {
  readonly cancelled: boolean;
}

/**
 * Hands `lines` to the sink. Resolves undefined when every line was accepted, or the status
 * to answer with. Sink failures are counted as failed records with the sink's reason.
 */
export async function deliverLines(
  pipeline: Pipeline,
  transport: Transport,
  lines: readonly OutLine[],
  call: CallState,
  opts: { fullIsUnavailable: boolean },
): Promise<CallError | undefined> {
  if (lines.length === 0) return undefined;
  if (call.cancelled) {
    // The client gave up (deadline, cancel): it will retry, so deliver nothing now.
    return unavailable('call cancelled before delivery; nothing was delivered');
  }
  try {
    await pipeline.sink.deliver(lines);
  } catch (e) {
    const err = e instanceof SegError ? e : toSegError(e);
    pipeline.metrics.recordsFailed(transport, err.code, lines.length);
    pipeline.logger.log('warn', `${transport}: sink refused ${lines.length} lines; the client will retry: ${err.message}`, {
      code: err.code,
    });
    return sinkErrorStatus(err, opts);
  }
  pipeline.metrics.recordsOut(transport, lines.length);
  return undefined;
}

/** Seconds since `startedMs` (a performance.now() reading). */
export function secondsSince(startedMs: number): number {
  return (performance.now() - startedMs) / 1000;
}
