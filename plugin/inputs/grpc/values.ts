/**
 * Turns structured values we receive into plain JSON-like values, the shape every other
 * input hands to normalize: Vector's `event.Value` (strings as UTF-8 bytes, timestamps,
 * int64) and `google.protobuf.Struct` (our Formatter's structured records). Objects are
 * decoded protobufjs messages, so a oneof's virtual property names the member that is set.
 * (OTLP values are decoded straight from the wire by otlp-decode.ts.) Failures throw a
 * SegError naming the field path.
 */
import { SegError } from '../../core/errors.js';

/** What protobufjs gives for int64/fixed64: a number, or a Long when long.js is loaded. */
export type Int64 = number | { toNumber(): number; toString(): string } | string;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** int64 → number when it fits a double exactly, else its decimal text (never rounded). */
export function int64ToJs(v: Int64): number | string {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  const n = v.toNumber();
  return Number.isSafeInteger(n) ? n : v.toString();
}

function int64ToNumber(v: Int64): number {
  return typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : v.toNumber();
}

/**
 * Sets `obj[key] = value` as an own property even for the key `__proto__` (which plain
 * assignment would turn into a prototype change), matching what JSON.parse produces.
 */
export function setField(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** UTF-8 bytes → string; invalid UTF-8 is a permanent error naming the field. */
export function decodeUtf8(bytes: Uint8Array, field: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new SegError('SEG_ERR_UTF8', `field "${field}" is not valid UTF-8`, { field });
  }
}

/**
 * A protobuf Timestamp as RFC 3339 UTC text with all nine fraction digits
 * (`2024-05-01T12:00:00.123456789Z`), so no precision is lost before normalize reads it.
 */
export function timestampToIso(ts: { seconds?: Int64 | null; nanos?: number | null }): string {
  const seconds = ts.seconds == null ? 0 : int64ToNumber(ts.seconds);
  const nanos = ts.nanos ?? 0;
  const base = new Date(seconds * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${base.slice(0, 19)}.${String(nanos).padStart(9, '0')}Z`;
}

// ---------------------------------------------------------------- Vector event.Value

interface VectorValue {
  kind?: string;
  rawBytes?: Uint8Array;
  timestamp?: { seconds?: Int64; nanos?: number };
  integer?: Int64;
  float?: number;
  boolean?: boolean;
  map?: { fields?: Record<string, VectorValue> };
  array?: { items?: VectorValue[] };
}

/** One Vector value → JSON-like value. `path` names it in errors (`user.name`). */
export function vectorValueToJs(v: VectorValue | null | undefined, path: string): unknown {
  if (v == null) return null;
  switch (v.kind) {
    case 'rawBytes':
      return decodeUtf8(v.rawBytes!, path);
    case 'timestamp':
      return timestampToIso(v.timestamp!);
    case 'integer':
      return int64ToJs(v.integer!);
    case 'float':
      return v.float;
    case 'boolean':
      return v.boolean;
    case 'map':
      return vectorMapToJs(v.map!.fields, path);
    case 'array':
      return (v.array!.items ?? []).map((item, i) => vectorValueToJs(item, `${path}[${i}]`));
    default:
      return null; // `null` member, or no member set
  }
}

/** A Vector `map<string, Value>` → plain object. */
export function vectorMapToJs(fields: Record<string, VectorValue> | undefined, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (fields === undefined) return out;
  for (const key of Object.keys(fields)) {
    setField(out, key, vectorValueToJs(fields[key], path === '' ? key : `${path}.${key}`));
  }
  return out;
}

// ---------------------------------------------------------------- google.protobuf.Struct

interface StructValue {
  kind?: string;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: { fields?: Record<string, StructValue> };
  listValue?: { values?: StructValue[] };
}

function structValueToJs(v: StructValue | null | undefined): unknown {
  if (v == null) return null;
  switch (v.kind) {
    case 'numberValue':
      return v.numberValue;
    case 'stringValue':
      return v.stringValue;
    case 'boolValue':
      return v.boolValue;
    case 'structValue':
      return structToJs(v.structValue!);
    case 'listValue':
      return (v.listValue!.values ?? []).map(structValueToJs);
    default:
      return null;
  }
}

/** A decoded google.protobuf.Struct → plain object. */
export function structToJs(s: { fields?: Record<string, StructValue> }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = s.fields;
  if (fields === undefined) return out;
  for (const key of Object.keys(fields)) setField(out, key, structValueToJs(fields[key]));
  return out;
}
