/**
 * vector.Vector as Vector's `vector` sink calls it. Requests are encoded here from a
 * test-only copy of the upstream event messages, including the Log metadata fields our own
 * proto leaves out, exactly as Vector fills them (lib/vector-core/src/event/proto.rs):
 * object roots in `fields`, other roots in `value` with a dummy {".": null}, strings as
 * raw bytes. Then: OK only after the sink accepted every line; UNAVAILABLE /
 * RESOURCE_EXHAUSTED while it cannot; poison records counted, not retried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { Clients, failure, insecure, startTestServer, unary, type TestServer } from './support.js';

// The wire contract as Vector writes it (field numbers from vectordotdev/vector
// lib/vector-core/proto/event.proto), with Log.metadata / metadata_full present.
const VECTOR_SIDE = `
syntax = "proto3";
package event;
message EventWrapper { oneof event { Log log = 1; Metric metric = 2; } }
message Log { map<string, Value> fields = 1; Value value = 2; Value metadata = 3; Metadata metadata_full = 4; }
message Metadata { Value value = 1; }
message Metric { string name = 1; }
message ValueMap { map<string, Value> fields = 1; }
message ValueArray { repeated Value items = 1; }
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message Value { oneof kind { bytes raw_bytes = 1; Timestamp timestamp = 2; int64 integer = 4; double float = 5;
  bool boolean = 6; ValueMap map = 7; ValueArray array = 8; int32 null = 9; } }
message PushEventsRequest { repeated EventWrapper events = 1; }
`;
const root = protobuf.parse(VECTOR_SIDE, { keepCase: true }).root;
const PushEventsRequest = root.lookupType('event.PushEventsRequest');

type V = Record<string, unknown>;
const str = (s: string): V => ({ raw_bytes: Buffer.from(s, 'utf8') });
const int = (n: number): V => ({ integer: n });
const map = (fields: Record<string, V>): V => ({ map: { fields } });

/** A log event the way Vector encodes an object root. */
function objectEvent(fields: Record<string, V>): V {
  return { log: { fields, metadata: map({}), metadata_full: { value: map({ vector: map({}) }) } } };
}

/** A log event the way Vector encodes a non-object root. */
function rootEvent(value: V): V {
  return { log: { fields: { '.': { null: 0 } }, value } };
}

function segura(i: number): Record<string, V> {
  return {
    event_id: str('16'),
    type: str('session-started'),
    msg: str(`session ${i}`),
    suser: str('stlee'),
    spid: int(4242),
    timestamp: { timestamp: { seconds: 1768819260, nanos: 0 } },
    source_type: str('file'),
  };
}

let srv: TestServer;
let raw: grpc.Client;

function push(events: V[], opts: grpc.CallOptions = {}): Promise<unknown> {
  const bytes = Buffer.from(PushEventsRequest.encode(PushEventsRequest.fromObject({ events })).finish());
  return new Promise((resolve, reject) => {
    raw.makeUnaryRequest(
      '/vector.Vector/PushEvents',
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      new grpc.Metadata(),
      opts,
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
}

beforeAll(async () => {
  srv = await startTestServer();
  raw = new grpc.Client(srv.handle.address, insecure());
});

afterAll(async () => {
  raw.close();
  await srv.handle.shutdown(1000);
});

describe('vector.Vector/PushEvents', () => {
  it('formats object-root events with byte strings, and answers only after the sink accepted every line', async () => {
    srv.sink.mode = 'hold';
    let answered = false;
    const call = push([objectEvent(segura(1)), objectEvent(segura(2))]).then(() => (answered = true));
    await srv.sink.whenHolding();
    expect(answered).toBe(false);
    expect(srv.sink.lines).toHaveLength(0);
    srv.sink.release();
    await call;
    expect(srv.sink.texts).toHaveLength(2);
    expect(srv.sink.texts[0]).toMatch(/^CEF:0\|MT4\|Segura\|[^|]*\|16\|/);
    expect(srv.sink.texts[0]).toContain('msg=session 1');
    expect(srv.sink.texts[0]).toContain('spid=4242');
    expect(srv.sink.texts[1]).toContain('msg=session 2');
    srv.sink.lines.length = 0;
  });

  it('reads a non-object root from value: a JSON string is parsed, anything else is refused without failing the call', async () => {
    const before = srv.logger.entries.length;
    await push([
      rootEvent(str(JSON.stringify({ event_id: '16', msg: 'root string' }))),
      rootEvent(int(7)),
      objectEvent({ ...segura(3), msg: { raw_bytes: Buffer.from([0x66, 0xff, 0xfe]) } }),
      { metric: { name: 'cpu' } },
      objectEvent(segura(4)),
    ]);
    expect(srv.sink.texts).toHaveLength(2);
    expect(srv.sink.texts[0]).toContain('msg=root string');
    expect(srv.sink.texts[1]).toContain('msg=session 4');
    const reports = srv.logger.entries.slice(before).filter((e) => e['level'] === 'error');
    expect(reports.map((e) => [e['origin'], e['code']])).toEqual([
      ['vector#1', 'SEG_ERR_NOT_OBJECT'],
      ['vector#2', 'SEG_ERR_UTF8'],
      ['vector#3', 'SEG_ERR_PROTOCOL'],
    ]);
    srv.sink.lines.length = 0;
  });

  it('answers UNAVAILABLE while the sink is down and RESOURCE_EXHAUSTED while it is full, then OK once it recovers', async () => {
    srv.sink.mode = 'down';
    expect((await failure(push([objectEvent(segura(5))]))).code).toBe(grpc.status.UNAVAILABLE);
    srv.sink.mode = 'full';
    expect((await failure(push([objectEvent(segura(5))]))).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(srv.sink.lines).toHaveLength(0);
    srv.sink.mode = 'ok';
    await push([objectEvent(segura(5))]);
    expect(srv.sink.texts).toHaveLength(1);
    srv.sink.lines.length = 0;
  });

  it('accepts a gzip-compressed request', async () => {
    const gz = new grpc.Client(srv.handle.address, insecure(), { 'grpc.default_compression_algorithm': 2 });
    const bytes = Buffer.from(PushEventsRequest.encode(PushEventsRequest.fromObject({ events: [objectEvent(segura(6))] })).finish());
    try {
      await new Promise((resolve, reject) =>
        gz.makeUnaryRequest('/vector.Vector/PushEvents', (b: Buffer) => b, (b: Buffer) => b, bytes, (err, res) =>
          err ? reject(err) : resolve(res),
        ),
      );
    } finally {
      gz.close();
    }
    expect(srv.sink.texts).toHaveLength(1);
    expect(srv.sink.texts[0]).toContain('msg=session 6');
    srv.sink.lines.length = 0;
  });
});

describe('vector.Vector/HealthCheck', () => {
  it('answers SERVING (0 in Vector\'s enum) and NOT_SERVING (1) once the server is stopping', async () => {
    const s = await startTestServer();
    const c = new (Clients.Vector())(s.handle.address, insecure());
    try {
      const serving = await unary<{ status?: number }>(c, 'HealthCheck', {});
      expect(serving.status ?? 0).toBe(0);
      s.handle.setNotServing();
      const stopping = await unary<{ status?: number }>(c, 'HealthCheck', {});
      expect(stopping.status).toBe(1);
    } finally {
      c.close();
      await s.handle.shutdown(1000);
    }
  });
});
