/**
 * Turns one complete msgpack frame from a Forward client into a request: a heartbeat, or a
 * tag plus the entries of one of the four event modes of Forward protocol v1 (Message,
 * Forward, PackedForward, CompressedPackedForward), plus the `chunk` option that asks for an
 * ack. Request-level problems (malformed msgpack, unknown mode, bad options) throw
 * SEG_ERR_PROTOCOL and cost the client its connection; entry-level problems are left to
 * `entryToRawRecord`, which fails just that record, so one bad record cannot wedge a chunk
 * in an endless retry loop.
 */
import { gunzipSync } from 'node:zlib';
import { SegError } from '../../core/errors.js';
import type { RawRecord } from '../../core/record.js';
import { ForwardEventTime, createForwardDecoder, describe, isPlainMap, textOf } from '../../framing/forward-protocol.js';

export type ForwardMode = 'message' | 'forward' | 'packed' | 'compressed';

export type ForwardRequest =
  | { readonly kind: 'heartbeat' }
  | {
      readonly kind: 'events';
      readonly mode: ForwardMode;
      readonly tag: string;
      /** Entries as decoded: `[time, record]` or `[[time, metadata], record]`, not yet checked. */
      readonly entries: readonly unknown[];
      /** The `chunk` option: when present the client waits for `{"ack": chunk}`. */
      readonly chunk: string | undefined;
    };

const HEARTBEAT: ForwardRequest = { kind: 'heartbeat' };

/** Fluent Bit's `fluent_signal` option: 0 = logs; 1 metrics, 2 traces, 3 blobs, 4 profiles. */
const SIGNAL_LOGS = 0;

export class ForwardRequestDecoder {
  /**
   * Raw strings: str values arrive as bytes and are decoded (strictly) where they are used.
   * PackedForward may carry its entry stream as str (Fluentd's out_forward does), which a
   * UTF-8 decode would destroy; and decoding record values natively is faster than the
   * library's JavaScript UTF-8 decoder.
   */
  private readonly decoder = createForwardDecoder(true);

  /** `maxDecompressedBytes`: cap on the gunzipped entries of one CompressedPackedForward request. */
  constructor(private readonly maxDecompressedBytes: number) {}

  decode(frame: Uint8Array): ForwardRequest {
    let value: unknown;
    try {
      value = this.decoder.decode(frame);
    } catch (e) {
      if (e instanceof SegError) throw e;
      throw protocol(`request is not valid msgpack (${(e as Error).message})`);
    }
    if (value === null) return HEARTBEAT; // spec "Fluentd Forward Client": nil is a heartbeat
    if (!Array.isArray(value)) {
      throw protocol(`request is a ${describe(value)}, not an array (JSON requests are not supported)`);
    }
    return this.fromArray(value);
  }

  private fromArray(request: unknown[]): ForwardRequest {
    if (request.length < 2) throw protocol(`request array has ${request.length} elements`);
    const tag = textOf(request[0]);
    if (tag === undefined) throw protocol(`tag is ${describe(request[0])}, expected str`);
    const second = request[1];
    const message = typeof second === 'number' || second instanceof ForwardEventTime;
    if (!message && !Array.isArray(second) && !(second instanceof Uint8Array)) {
      throw protocol(`unknown event mode: the second element is ${describe(second)} (expected array, bin/str, or time)`);
    }
    // Message: [tag, time, record, option?]; the others: [tag, entries, option?].
    const optionAt = message ? 3 : 2;
    if (request.length > optionAt + 1 || (message && request.length < 3)) {
      throw protocol(`request array has ${request.length} elements (expected [tag, entries, option?] or [tag, time, record, option?])`);
    }
    const options = readOptions(request[optionAt]);
    if (second instanceof Uint8Array) return this.packed(tag, second, options);
    if (options.compressed !== undefined) {
      throw protocol(`option compressed="${options.compressed}" needs the entries as bin (CompressedPackedForward)`);
    }
    if (message) return events('message', tag, [[second, request[2]]], options);
    return events('forward', tag, second as unknown[], options);
  }

  private packed(tag: string, stream: Uint8Array, options: Options): ForwardRequest {
    if (options.compressed === undefined) return events('packed', tag, [...this.decodeMulti(stream)], options);
    if (options.compressed !== 'gzip') {
      throw protocol(`option compressed="${options.compressed}" is not supported (only gzip; set compress gzip or none on the client)`);
    }
    return events('compressed', tag, [...this.decodeMulti(this.gunzip(stream))], options);
  }

  /** Spec "CompressedPackedForward Mode": the stream may be several concatenated gzip members. */
  private gunzip(bytes: Uint8Array): Uint8Array {
    try {
      return gunzipSync(bytes, { maxOutputLength: this.maxDecompressedBytes });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw protocol(`gzip entries decompress to more than ${this.maxDecompressedBytes} bytes`);
      }
      throw protocol(`gzip entries are not valid gzip (${err.message})`);
    }
  }

  private *decodeMulti(bytes: Uint8Array): Generator<unknown> {
    try {
      yield* this.decoder.decodeMulti(bytes);
    } catch (e) {
      throw protocol(`PackedForward entry stream is not valid msgpack (${(e as Error).message})`);
    }
  }
}

function events(mode: ForwardMode, tag: string, entries: readonly unknown[], options: Options): ForwardRequest {
  return { kind: 'events', mode, tag, entries, chunk: options.chunk };
}

interface Options {
  chunk: string | undefined;
  compressed: string | undefined;
}

/** Spec "Option": `chunk`, `size`, `compressed`; Fluent Bit adds `fluent_signal` and `metadata`. */
function readOptions(value: unknown): Options {
  if (value === undefined || value === null) return { chunk: undefined, compressed: undefined };
  if (!isPlainMap(value)) throw protocol(`option is ${describe(value)}, expected a map`);
  let chunk: string | undefined;
  if (value.chunk !== undefined && value.chunk !== null) {
    chunk = textOf(value.chunk);
    if (chunk === undefined) throw protocol(`option chunk is ${describe(value.chunk)}, expected str`);
  }
  let compressed: string | undefined;
  if (value.compressed !== undefined && value.compressed !== null) {
    compressed = textOf(value.compressed) ?? describe(value.compressed);
  }
  const signal = value.fluent_signal;
  if (signal !== undefined && signal !== null && signal !== SIGNAL_LOGS) {
    throw protocol(`fluent_signal ${String(signal)} is not a log chunk (metrics, traces, blobs and profiles are not supported; route only logs here)`);
  }
  return { chunk, compressed };
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const MAX_RECORD_DEPTH = 64;

/**
 * Checks one entry and returns its record. Accepts `[time, record]` and Fluent Bit v5's
 * `[[time, metadata], record]` (metadata is ignored), time as integer or EventTime. Record
 * values, str or bin, must be valid UTF-8 and become strings. Throws a permanent SegError for
 * this record only.
 */
export function entryToRawRecord(entry: unknown, origin: string): RawRecord {
  if (!Array.isArray(entry) || entry.length !== 2) {
    throw new SegError('SEG_ERR_PROTOCOL', `${origin}: entry is ${describeEntry(entry)}, not [time, record]`);
  }
  const head: unknown = entry[0];
  const time: unknown = Array.isArray(head) ? head[0] : head;
  if (typeof time !== 'number' && !(time instanceof ForwardEventTime)) {
    throw new SegError('SEG_ERR_PROTOCOL', `${origin}: entry time is ${describe(time)}, expected an integer or EventTime`);
  }
  const record: unknown = entry[1];
  if (!isPlainMap(record)) throw new SegError('SEG_ERR_NOT_OBJECT', `${origin}: record is ${describe(record)}, not a map`);
  binToText(record, origin, 0);
  return { origin, data: record };
}

function describeEntry(entry: unknown): string {
  return Array.isArray(entry) ? `an array of ${entry.length}` : describe(entry);
}

/** Replaces str/bin values (bytes, at any depth) by their UTF-8 text, in place. */
function binToText(container: Record<string, unknown> | unknown[], origin: string, depth: number): void {
  if (depth > MAX_RECORD_DEPTH) throw new SegError('SEG_ERR_FIELD', `${origin}: record nested deeper than ${MAX_RECORD_DEPTH} levels`);
  const keys = Array.isArray(container) ? undefined : Object.keys(container);
  const count = keys === undefined ? (container as unknown[]).length : keys.length;
  for (let i = 0; i < count; i++) {
    const key = keys === undefined ? i : keys[i]!;
    const value = (container as Record<string | number, unknown>)[key];
    if (typeof value !== 'object' || value === null) continue;
    if (value instanceof Uint8Array) {
      (container as Record<string | number, unknown>)[key] = decodeUtf8(value, origin, String(key));
    } else if (Array.isArray(value) || isPlainMap(value)) {
      binToText(value, origin, depth + 1);
    }
  }
}

function decodeUtf8(bytes: Uint8Array, origin: string, field: string): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    throw new SegError('SEG_ERR_UTF8', `${origin}: field ${field}: value is not valid UTF-8`, { field });
  }
}

function protocol(message: string): SegError {
  return new SegError('SEG_ERR_PROTOCOL', message);
}
