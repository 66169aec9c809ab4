/**
 * A direct decoder for ExportLogsServiceRequest, used as the LogsService request
 * deserializer. Fluent Bit sends each record as a kvlist body, two protobuf messages
 * (KeyValue, AnyValue) per field; building protobufjs message objects for them and then
 * converting those to plain values cost more than formatting the record. This walks the
 * bytes once with protobufjs' Reader and builds the plain values directly, keeping only
 * what the receiver reads: each LogRecord's body (with its kind) and its attributes (kept
 * as byte ranges, decoded only when the body is not itself a record). Resource and scope
 * are skipped. Field numbers are those of proto/opentelemetry/proto (see the headers there);
 * test/inputs/grpc/otlp-decode.test.ts compares the result with protobufjs' own decoding.
 * Wire format: https://protobuf.dev/programming-guides/encoding/ (tag = field << 3 | wire type).
 */
import protobuf from 'protobufjs';
import { int64ToJs, setField, type Int64 } from './values.js';

type Reader = protobuf.Reader;

/** Which AnyValue member a body holds (the oneof names of common.proto). */
export type BodyKind = 'stringValue' | 'boolValue' | 'intValue' | 'doubleValue' | 'arrayValue' | 'kvlistValue' | 'bytesValue';

export interface DecodedBody {
  readonly kind: BodyKind;
  /** kvlist → object, array → array, bytes → Uint8Array, scalars as themselves. */
  readonly value: unknown;
}

export interface DecodedLogRecord {
  /** Undefined when the record has no body, or an empty AnyValue. */
  readonly body: DecodedBody | undefined;
  /** Number of attributes (KeyValue entries) on the record. */
  readonly attributeCount: number;
  /** The attributes as a plain object (decoded on demand; a repeated key keeps the last value). */
  attributes(): Record<string, unknown>;
}

export interface DecodedExportRequest {
  readonly logRecords: DecodedLogRecord[];
}

// Tags (field number << 3 | wire type) of the fields read.
const TAG_RESOURCE_LOGS = (1 << 3) | 2; // ExportLogsServiceRequest.resource_logs
const TAG_SCOPE_LOGS = (2 << 3) | 2; // ResourceLogs.scope_logs
const TAG_LOG_RECORDS = (2 << 3) | 2; // ScopeLogs.log_records
const TAG_BODY = (5 << 3) | 2; // LogRecord.body
const TAG_ATTRIBUTES = (6 << 3) | 2; // LogRecord.attributes
const TAG_STRING = (1 << 3) | 2; // AnyValue.string_value
const TAG_BOOL = (2 << 3) | 0; // AnyValue.bool_value
const TAG_INT = (3 << 3) | 0; // AnyValue.int_value
const TAG_DOUBLE = (4 << 3) | 1; // AnyValue.double_value
const TAG_ARRAY = (5 << 3) | 2; // AnyValue.array_value
const TAG_KVLIST = (6 << 3) | 2; // AnyValue.kvlist_value
const TAG_BYTES = (7 << 3) | 2; // AnyValue.bytes_value
const TAG_VALUES = (1 << 3) | 2; // ArrayValue.values, KeyValueList.values
const TAG_KEY = (1 << 3) | 2; // KeyValue.key
const TAG_VALUE = (2 << 3) | 2; // KeyValue.value

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeExportRequest(bytes: Uint8Array): DecodedExportRequest {
  const r = protobuf.Reader.create(bytes);
  const logRecords: DecodedLogRecord[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === TAG_RESOURCE_LOGS) resourceLogs(r, subEnd(r), logRecords);
    else r.skipType(tag & 7);
  }
  return { logRecords };
}

/** Reads a LEN prefix and returns where the sub-message ends. */
function subEnd(r: Reader): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > r.len) throw new RangeError(`truncated message: ${len} bytes declared at offset ${r.pos}, ${r.len - r.pos} left`);
  return end;
}

function resourceLogs(r: Reader, end: number, out: DecodedLogRecord[]): void {
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === TAG_SCOPE_LOGS) scopeLogs(r, subEnd(r), out);
    else r.skipType(tag & 7);
  }
}

function scopeLogs(r: Reader, end: number, out: DecodedLogRecord[]): void {
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === TAG_LOG_RECORDS) out.push(logRecord(r, subEnd(r)));
    else r.skipType(tag & 7);
  }
}

function logRecord(r: Reader, end: number): DecodedLogRecord {
  let body: DecodedBody | undefined;
  let attrRanges: number[] | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === TAG_BODY) {
      body = anyValue(r, subEnd(r));
    } else if (tag === TAG_ATTRIBUTES) {
      const e = subEnd(r);
      (attrRanges ??= []).push(r.pos, e);
      r.pos = e;
    } else r.skipType(tag & 7);
  }
  return new LazyLogRecord(body, r.buf, attrRanges);
}

class LazyLogRecord implements DecodedLogRecord {
  constructor(
    readonly body: DecodedBody | undefined,
    private readonly buf: Uint8Array,
    private readonly attrRanges: number[] | undefined,
  ) {}

  get attributeCount(): number {
    return this.attrRanges === undefined ? 0 : this.attrRanges.length / 2;
  }

  attributes(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.attrRanges === undefined) return out;
    const r = protobuf.Reader.create(this.buf);
    for (let i = 0; i < this.attrRanges.length; i += 2) {
      r.pos = this.attrRanges[i]!;
      keyValue(r, this.attrRanges[i + 1]!, out);
    }
    return out;
  }
}

/** AnyValue: the last member present wins (protobuf's oneof rule); none → undefined. */
function anyValue(r: Reader, end: number): DecodedBody | undefined {
  let kind: BodyKind | undefined;
  let value: unknown;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case TAG_STRING:
        kind = 'stringValue';
        value = r.string();
        break;
      case TAG_BOOL:
        kind = 'boolValue';
        value = r.bool();
        break;
      case TAG_INT:
        kind = 'intValue';
        value = int64ToJs(r.int64() as unknown as Int64);
        break;
      case TAG_DOUBLE:
        kind = 'doubleValue';
        value = r.double();
        break;
      case TAG_ARRAY:
        kind = 'arrayValue';
        value = arrayValue(r, subEnd(r));
        break;
      case TAG_KVLIST:
        kind = 'kvlistValue';
        value = keyValueList(r, subEnd(r));
        break;
      case TAG_BYTES:
        kind = 'bytesValue';
        value = r.bytes();
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  r.pos = end;
  return kind === undefined ? undefined : { kind, value };
}

/**
 * A nested AnyValue straight to its plain value (no kind wrapper): bytes become UTF-8 text,
 * or base64 when they are not UTF-8; an empty AnyValue is null.
 */
function plainValue(r: Reader, end: number): unknown {
  let value: unknown = null;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case TAG_STRING:
        value = r.string();
        break;
      case TAG_BOOL:
        value = r.bool();
        break;
      case TAG_INT:
        value = int64ToJs(r.int64() as unknown as Int64);
        break;
      case TAG_DOUBLE:
        value = r.double();
        break;
      case TAG_ARRAY:
        value = arrayValue(r, subEnd(r));
        break;
      case TAG_KVLIST:
        value = keyValueList(r, subEnd(r));
        break;
      case TAG_BYTES:
        value = bytesToText(r.bytes());
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  r.pos = end;
  return value;
}

function bytesToText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  }
}

function arrayValue(r: Reader, end: number): unknown[] {
  const out: unknown[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === TAG_VALUES) out.push(plainValue(r, subEnd(r)));
    else r.skipType(tag & 7);
  }
  return out;
}

function keyValueList(r: Reader, end: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === TAG_VALUES) keyValue(r, subEnd(r), out);
    else r.skipType(tag & 7);
  }
  return out;
}

function keyValue(r: Reader, end: number, into: Record<string, unknown>): void {
  let key = '';
  let value: unknown = null;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === TAG_KEY) key = r.string();
    else if (tag === TAG_VALUE) value = plainValue(r, subEnd(r));
    else r.skipType(tag & 7);
  }
  r.pos = end;
  setField(into, key, value);
}
