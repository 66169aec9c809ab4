/**
 * `segura.siem.v1.Formatter` (proto/segura/siem/v1/formatter.proto): records in, one line
 * or one structured error per record out, in order. `Format` answers one batch;
 * `FormatStream` answers a stream of batches in request order with bounded memory: at most
 * `--stream-window` requests are read ahead of the responses HTTP/2 has taken, after which
 * the server stops reading the stream (grpc-js then stops reading the HTTP/2 stream, and the
 * client's flow-control window closes). Lines are returned, not delivered, unless the
 * request sets `options.deliver`.
 */
import type { sendUnaryData, ServerDuplexStream, ServerUnaryCall } from '@grpc/grpc-js';
import { SegError } from '../../core/errors.js';
import type { RawRecord } from '../../core/record.js';
import type { OutLine } from '../../core/sink.js';
import type { EnvelopeName, FormatName } from '../../formats/formatter.js';
import type { ProfileName } from '../../normalize/normalizer.js';
import type { Pipeline, PipelineOverrides } from '../../pipeline/build.js';
import type { Outcome } from '../../pipeline/processor.js';
import { parseJsonText } from '../json-line.js';
import { deliverLines, secondsSince } from './batch.js';
import { internalError, invalidArgument, unavailable, type CallError } from './status.js';
import { structToJs } from './values.js';

const TRANSPORT = 'grpc-formatter';

// Enum numbers from formatter.proto; index 0 (UNSPECIFIED) means "server default".
const FORMATS: readonly (FormatName | undefined)[] = [undefined, 'cef', 'rfc5424', 'sensage'];
const ENVELOPES: readonly (EnvelopeName | undefined)[] = [undefined, 'none', 'rfc5424', 'rfc3164'];
const PROFILES: readonly (ProfileName | undefined)[] = [undefined, 'segura', 'strict'];

interface RecordMsg {
  id: string;
  payload?: 'json' | 'fields';
  json?: string;
  fields?: { fields?: Record<string, never> };
}

interface FormatRequestMsg {
  records: RecordMsg[];
  options?: { format?: number; envelope?: number; profile?: number; deliver?: boolean } | null;
  batchId: string;
}

interface ResultObj {
  id?: string;
  line?: string;
  error?: { code: string; field?: string; message: string };
  eventId?: string;
  severity?: string;
  host?: string;
}

interface FormatResponseObj {
  results: ResultObj[];
  batchId?: string;
  formatted: number;
  failed: number;
}

/** A formatted batch: the response, plus the lines to deliver when the caller asked. */
interface Prepared {
  readonly response: FormatResponseObj;
  readonly deliver: readonly OutLine[] | undefined;
}

/** Observers for tests and metrics: how many stream requests are being worked on. */
export interface StreamObserver {
  onStreamInFlight?(inFlight: number): void;
}

/** Lets the server finish open streams at shutdown. */
export interface StreamRegistry {
  add(drain: () => void): () => void;
}

export function formatterService(
  pipeline: Pipeline,
  opts: { streamWindow: number; streams: StreamRegistry; observer?: StreamObserver | undefined },
) {
  const maxRecordBytes = pipeline.config.input.maxLineBytes;

  return {
    Format(call: ServerUnaryCall<FormatRequestMsg, FormatResponseObj>, callback: sendUnaryData<FormatResponseObj>) {
      const started = performance.now();
      let prepared: Prepared;
      try {
        prepared = prepare(pipeline, call.request, maxRecordBytes);
      } catch (e) {
        callback(e instanceof SegError && e.code === 'SEG_ERR_CONFIG' ? invalidArgument(e.message) : internalError(e));
        return;
      }
      finish(pipeline, prepared, call).then(
        (err) => {
          pipeline.metrics.requestLatency(TRANSPORT, secondsSince(started));
          if (err === undefined) callback(null, prepared.response);
          else callback(err);
        },
        (e: unknown) => callback(internalError(e)),
      );
    },

    FormatStream(call: ServerDuplexStream<FormatRequestMsg, FormatResponseObj>) {
      new FormatStreamCall(pipeline, call, maxRecordBytes, opts).start();
    },
  };
}

/** Formats a whole batch synchronously. Throws SEG_ERR_CONFIG for an unknown option value. */
function prepare(pipeline: Pipeline, req: FormatRequestMsg, maxRecordBytes: number): Prepared {
  const overrides = readOptions(req.options);
  const processor = pipeline.processorFor(overrides);
  const records = req.records;
  pipeline.metrics.recordsIn(TRANSPORT, records.length);
  const results: ResultObj[] = new Array(records.length);
  const deliver = req.options?.deliver === true ? ([] as OutLine[]) : undefined;
  let failed = 0;
  for (let i = 0; i < records.length; i++) {
    const rec = records[i]!;
    const origin = rec.id === '' ? `record #${i}` : rec.id;
    let outcome: Outcome;
    try {
      outcome = processor.process(toRaw(rec, origin, maxRecordBytes));
    } catch (e) {
      outcome = { ok: false, origin, error: e instanceof SegError ? e : new SegError('SEG_ERR_INTERNAL', String(e)) };
    }
    results[i] = toResult(rec.id, outcome);
    if (outcome.ok) deliver?.push(outcome.line);
    else {
      failed++;
      pipeline.reportFailure(TRANSPORT, outcome, rec.id === '' ? { index: i } : { id: rec.id });
    }
  }
  const response: FormatResponseObj = { results, formatted: records.length - failed, failed };
  if (req.batchId !== '') response.batchId = req.batchId;
  return { response, deliver };
}

function readOptions(o: FormatRequestMsg['options']): PipelineOverrides {
  if (o == null) return {};
  return {
    format: pick(FORMATS, o.format, 'format'),
    envelope: pick(ENVELOPES, o.envelope, 'envelope'),
    profile: pick(PROFILES, o.profile, 'profile'),
  };
}

function pick<T>(table: readonly (T | undefined)[], n: number | undefined, what: string): T | undefined {
  if (n === undefined || n === 0) return undefined;
  if (n > 0 && n < table.length) return table[n];
  throw new SegError('SEG_ERR_CONFIG', `options.${what}: unknown value ${n}`);
}

function toRaw(rec: RecordMsg, origin: string, maxRecordBytes: number): RawRecord {
  if (rec.payload === 'json') {
    const text = rec.json!;
    // A UTF-8 byte is at least one UTF-16 unit and at most three: measure only when it matters.
    if (text.length * 3 > maxRecordBytes && Buffer.byteLength(text) > maxRecordBytes) {
      throw new SegError('SEG_ERR_LINE_TOO_LONG', `${origin}: ${Buffer.byteLength(text)} bytes, over the limit of ${maxRecordBytes}`);
    }
    return parseJsonText(text, origin);
  }
  if (rec.payload === 'fields') return { origin, data: structToJs(rec.fields!) };
  throw new SegError('SEG_ERR_NOT_OBJECT', `${origin}: the record has neither json nor fields`);
}

function toResult(id: string, outcome: Outcome): ResultObj {
  const r: ResultObj = {};
  if (id !== '') r.id = id;
  if (outcome.ok) {
    const line = outcome.line;
    r.line = line.text;
    if (line.eventId !== undefined) r.eventId = line.eventId;
    if (line.severity !== undefined) r.severity = line.severity;
    if (line.host !== undefined) r.host = line.host;
  } else {
    const e = outcome.error;
    r.error = e.field === undefined ? { code: e.code, message: e.message } : { code: e.code, field: e.field, message: e.message };
  }
  return r;
}

/** Delivers when asked to; resolves the status to answer with (undefined = OK). */
function finish(pipeline: Pipeline, prepared: Prepared, call: { cancelled: boolean }): Promise<CallError | undefined> {
  if (prepared.deliver === undefined) {
    pipeline.metrics.recordsOut(TRANSPORT, prepared.response.formatted);
    return Promise.resolve(undefined);
  }
  return deliverLines(pipeline, TRANSPORT, prepared.deliver, call, { fullIsUnavailable: false });
}

/**
 * One FormatStream call. Requests are formatted as they arrive; responses are written in
 * request order (a request with `deliver` waits for the sink, and later responses wait for
 * it). `inFlight` counts requests read but whose response HTTP/2 has not yet taken; reading
 * pauses at the window and resumes when a response is taken.
 */
class FormatStreamCall {
  private inFlight = 0;
  private paused = false;
  /** Responses wait here while an earlier request is still being delivered. */
  private tail: Promise<void> = Promise.resolve();
  /** Steps queued on `tail` and not finished yet. */
  private queued = 0;
  private halfClosed = false;
  private stopped = false;
  private draining = false;
  private unregister: () => void = () => {};

  constructor(
    private readonly pipeline: Pipeline,
    private readonly call: ServerDuplexStream<FormatRequestMsg, FormatResponseObj>,
    private readonly maxRecordBytes: number,
    private readonly opts: { streamWindow: number; streams: StreamRegistry; observer?: StreamObserver | undefined },
  ) {}

  start(): void {
    this.unregister = this.opts.streams.add(() => this.drain());
    this.call.on('data', (req: FormatRequestMsg) => this.onRequest(req));
    this.call.on('end', () => {
      this.halfClosed = true;
      this.maybeEnd();
    });
    this.call.on('cancelled', () => this.stop());
    this.call.on('error', () => this.stop());
  }

  private onRequest(req: FormatRequestMsg): void {
    if (this.stopped || this.draining) return;
    this.inFlight++;
    this.opts.observer?.onStreamInFlight?.(this.inFlight);
    if (this.inFlight >= this.opts.streamWindow && !this.paused) {
      this.paused = true;
      this.call.pause();
    }
    const started = performance.now();
    let prepared: Prepared;
    try {
      prepared = prepare(this.pipeline, req, this.maxRecordBytes);
    } catch (e) {
      const err = e instanceof SegError && e.code === 'SEG_ERR_CONFIG' ? invalidArgument(e.message) : internalError(e);
      this.enqueue(() => this.fail(err));
      return;
    }
    if (prepared.deliver === undefined) {
      this.pipeline.metrics.recordsOut(TRANSPORT, prepared.response.formatted);
      this.enqueue(() => this.respond(prepared.response, started));
      return;
    }
    this.enqueueAsync(async () => {
      if (this.stopped) return;
      const err = await deliverLines(this.pipeline, TRANSPORT, prepared.deliver!, this.call, { fullIsUnavailable: false });
      if (err === undefined) this.respond(prepared.response, started);
      else this.fail(err);
    });
  }

  /** Runs `step` now when nothing is queued or running, else after everything queued before it. */
  private enqueue(step: () => void): void {
    if (this.queued === 0) {
      step();
      return;
    }
    this.queued++;
    this.tail = this.tail.then(() => {
      this.queued--;
      step();
    });
  }

  private enqueueAsync(step: () => Promise<void>): void {
    this.queued++;
    this.tail = this.tail
      .then(step)
      .catch((e: unknown) => this.fail(internalError(e)))
      .finally(() => {
        this.queued--;
        this.maybeEnd();
      });
  }

  private respond(response: FormatResponseObj, started: number): void {
    if (this.stopped) return;
    this.call.write(response, () => this.onTaken(started));
  }

  /** A response was taken by HTTP/2: one fewer in flight; read again below the window. */
  private onTaken(started: number): void {
    this.inFlight--;
    this.pipeline.metrics.requestLatency(TRANSPORT, secondsSince(started));
    if (this.paused && this.inFlight < this.opts.streamWindow && !this.draining && !this.stopped) {
      this.paused = false;
      this.call.resume();
    }
    this.maybeEnd();
  }

  private fail(err: CallError): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unregister();
    this.call.emit('error', err);
  }

  private stop(): void {
    this.stopped = true;
    this.unregister();
  }

  /** Ends the call once the client half-closed (OK) or the server is draining (UNAVAILABLE) and nothing is left. */
  private maybeEnd(): void {
    if (this.stopped || this.inFlight > 0 || this.queued > 0) return;
    if (this.halfClosed) {
      this.stopped = true;
      this.unregister();
      this.call.end();
    } else if (this.draining) {
      this.fail(unavailable('server shutting down: every request that got a response was processed; send the rest again'));
    }
  }

  /** Shutdown: stop reading, answer what was read, then end the call. */
  private drain(): void {
    if (this.stopped) return;
    this.draining = true;
    if (!this.paused) {
      this.paused = true;
      this.call.pause();
    }
    this.maybeEnd();
  }
}
