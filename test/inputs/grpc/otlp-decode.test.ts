/**
 * The direct ExportLogsServiceRequest decoder against protobufjs: random requests (nested
 * kvlist/array bodies, every scalar kind, int64 beyond 2^53, bytes, attributes, and the
 * resource, scope, time, severity and trace fields the decoder must skip) are encoded from
 * the .proto files on disk, decoded both ways, and must give the same bodies and attributes.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { decodeExportRequest } from '../../../plugin/inputs/grpc/otlp-decode.js';
import { PROTO_DIR } from './support.js';

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => (target.startsWith('google/') ? target : `${PROTO_DIR}/${target}`);
root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto');
const Req = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const key = fc.oneof(text, fc.constantFrom('__proto__', 'msg', 'event_id', ''));

type Any = Record<string, unknown>;
const { anyValue } = fc.letrec<{ anyValue: Any; kv: Any }>((tie) => ({
  anyValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ stringValue: text }),
    fc.record({ boolValue: fc.boolean() }),
    fc.record({ intValue: int64.map(String) }),
    fc.record({ doubleValue: fc.double() }),
    fc.record({ bytesValue: fc.uint8Array({ maxLength: 8 }) }),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie('anyValue'), { maxLength: 3 }) }) }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(tie('kv'), { maxLength: 4 }) }) }),
    fc.constant({}),
  ),
  kv: fc.record({ key, value: tie('anyValue') }, { requiredKeys: ['key'] }),
}));
const kv = fc.record({ key, value: anyValue }, { requiredKeys: ['key'] });

const logRecord = fc.record(
  {
    timeUnixNano: int64.map((n) => String(n < 0n ? -n : n)),
    severityNumber: fc.integer({ min: 0, max: 24 }),
    severityText: text,
    body: anyValue,
    attributes: fc.array(kv, { maxLength: 3 }),
    traceId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    flags: fc.nat(),
  },
  { requiredKeys: [] },
);

const request = fc.record({
  resourceLogs: fc.array(
    fc.record({
      resource: fc.record({ attributes: fc.array(kv, { maxLength: 2 }) }),
      scopeLogs: fc.array(fc.record({ scope: fc.record({ name: text }), logRecords: fc.array(logRecord, { maxLength: 3 }) }), { maxLength: 2 }),
      schemaUrl: text,
    }),
    { maxLength: 2 },
  ),
});

// ---- the reference: protobufjs' decoded objects turned into plain values, independently

function int64Plain(v: unknown): unknown {
  const n = BigInt(String(v));
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

function bytesPlain(b: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return Buffer.from(b).toString('base64');
  }
}

function plain(v: Any | null | undefined): unknown {
  if (v == null) return null;
  if (v['stringValue'] !== undefined) return v['stringValue'];
  if (v['boolValue'] !== undefined) return v['boolValue'];
  if (v['intValue'] !== undefined) return int64Plain(v['intValue']);
  if (v['doubleValue'] !== undefined) return v['doubleValue'];
  if (v['bytesValue'] !== undefined) return bytesPlain(v['bytesValue'] as Uint8Array);
  if (v['arrayValue'] !== undefined) return ((v['arrayValue'] as Any)['values'] as Any[] | undefined ?? []).map(plain);
  if (v['kvlistValue'] !== undefined) return kvPlain((v['kvlistValue'] as Any)['values'] as Any[] | undefined);
  return null;
}

function kvPlain(values: Any[] | undefined): Record<string, unknown> {
  return Object.fromEntries((values ?? []).map((e) => [String(e['key'] ?? ''), plain(e['value'] as Any)]));
}

function bodyKind(v: Any | undefined): string | undefined {
  if (v === undefined) return undefined;
  return ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'].find((k) => v[k] !== undefined);
}

describe('decodeExportRequest', () => {
  it('gives the same bodies and attributes as protobufjs', () => {
    fc.assert(
      fc.property(request, (req) => {
        const bytes = Buffer.from(Req.encode(Req.fromObject(req)).finish());
        const reference = Req.toObject(Req.decode(bytes), { longs: String, oneofs: false }) as Any;
        const expected = ((reference['resourceLogs'] as Any[] | undefined) ?? []).flatMap((rl) =>
          ((rl['scopeLogs'] as Any[] | undefined) ?? []).flatMap((sl) => (sl['logRecords'] as Any[] | undefined) ?? []),
        );
        const got = decodeExportRequest(bytes).logRecords;
        expect(got).toHaveLength(expected.length);
        got.forEach((lr, i) => {
          const exp = expected[i]!;
          const body = exp['body'] as Any | undefined;
          const kind = bodyKind(body);
          expect(lr.body?.kind).toBe(kind);
          if (kind === 'bytesValue') expect(Buffer.from(lr.body!.value as Uint8Array)).toEqual(Buffer.from(body!['bytesValue'] as Uint8Array));
          else if (kind !== undefined) expect(lr.body!.value).toEqual(plain(body));
          const attrs = (exp['attributes'] as Any[] | undefined) ?? [];
          expect(lr.attributeCount).toBe(attrs.length);
          expect(lr.attributes()).toEqual(kvPlain(attrs));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a "__proto__" key as a field, as JSON.parse does', () => {
    const bytes = Buffer.from(
      Req.encode(
        Req.fromObject({
          resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { kvlistValue: { values: [{ key: '__proto__', value: { kvlistValue: { values: [{ key: 'x', value: { intValue: 1 } }] } } }] } } }] }] }],
        }),
      ).finish(),
    );
    const value = decodeExportRequest(bytes).logRecords[0]!.body!.value as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect((value as { x?: unknown }).x).toBeUndefined();
  });

  it('rejects a truncated message', () => {
    const bytes = Buffer.from(Req.encode(Req.fromObject({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'hello' } }] }] }] })).finish());
    expect(() => decodeExportRequest(bytes.subarray(0, bytes.length - 3))).toThrow(RangeError);
  });
});
