/**
 * opentelemetry.proto.collector.logs.v1.LogsService/Export with a grpc-js client built from
 * our OTLP protos: the three body shapes Fluent Bit and the Collector send, partial_success
 * for poison records, UNAVAILABLE while the sink cannot take lines. Compression is checked
 * on the wire with a raw HTTP/2 client: a gzip-compressed message is accepted, a zstd one is
 * refused with UNIMPLEMENTED naming what to send instead.
 */
import { connect } from 'node:http2';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { Clients, failure, insecure, PROTO_DIR, seguraRecord, startTestServer, unary, type TestServer } from './support.js';

interface ExportResponse {
  partialSuccess?: { rejectedLogRecords?: string; errorMessage?: string };
}

type AnyValue = Record<string, unknown>;
const s = (v: string): AnyValue => ({ stringValue: v });

function toAny(v: unknown): AnyValue {
  if (typeof v === 'string') return s(v);
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(toAny) } };
  return { kvlistValue: { values: kv(v as Record<string, unknown>) } };
}

function kv(o: Record<string, unknown>): Array<{ key: string; value: AnyValue }> {
  return Object.entries(o).map(([key, value]) => ({ key, value: toAny(value) }));
}

function request(logRecords: unknown[], resourceAttributes: Record<string, unknown> = {}) {
  return {
    resourceLogs: [{ resource: { attributes: kv(resourceAttributes) }, scopeLogs: [{ scope: { name: 'fluent-bit' }, logRecords }] }],
  };
}

let srv: TestServer;
let client: grpc.Client;

beforeAll(async () => {
  srv = await startTestServer();
  client = new (Clients.Logs())(srv.handle.address, insecure());
});

afterAll(async () => {
  client.close();
  await srv.handle.shutdown(1000);
});

describe('LogsService/Export', () => {
  it('reads the three body shapes; resource attributes and kvlist-shape attributes are not copied', async () => {
    const res = await unary<ExportResponse>(
      client,
      'Export',
      request(
        [
          // 1. Fluent Bit: the record as a kvlist body.
          { timeUnixNano: '1768819260000000000', body: toAny(seguraRecord(1)), attributes: kv({ 'log.file.name': 'a.log' }) },
          // 2. Collector filelog: the JSON line as a string body.
          { body: s(JSON.stringify(seguraRecord(2))) },
          // 3. Collector json_parser: free-text body, fields in attributes.
          { body: s('session 3 (raw text)'), attributes: kv({ event_id: '16', type: 'session-started', suser: 'bob' }) },
          // 3 again, with msg among the attributes: the attribute wins.
          { body: s('ignored body'), attributes: kv({ event_id: '16', msg: 'session 4' }) },
        ],
        { 'host.name': 'pod-7', 'k8s.namespace.name': 'pam' },
      ),
    );
    expect(res.partialSuccess).toBeUndefined();
    const lines = srv.sink.texts;
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('msg=session 1');
    expect(lines[0]).not.toContain('a.log');
    expect(lines[1]).toContain('msg=session 2');
    expect(lines[2]).toContain('msg=session 3 (raw text)');
    expect(lines[2]).toContain('suser=bob');
    expect(lines[3]).toContain('msg=session 4');
    for (const line of lines) {
      expect(line).toMatch(/^CEF:0\|MT4\|Segura\|[^|]*\|16\|/);
      expect(line).not.toContain('pod-7');
    }
    srv.sink.lines.length = 0;
  });

  it('reports poison records in partial_success and delivers the rest', async () => {
    const res = await unary<ExportResponse>(
      client,
      'Export',
      request([
        { body: s('{"event_id": "16", "msg": "cut') },
        { body: toAny(seguraRecord(5)) },
        { body: { intValue: 12 } },
        { body: s('free text and no attributes') },
        {},
      ]),
    );
    expect(res.partialSuccess?.rejectedLogRecords).toBe('4');
    expect(res.partialSuccess?.errorMessage).toContain('otlp#0: SEG_ERR_JSON');
    expect(res.partialSuccess?.errorMessage).toContain('otlp#2: SEG_ERR_NOT_OBJECT');
    expect(srv.sink.texts).toHaveLength(1);
    expect(srv.sink.texts[0]).toContain('msg=session 5');
    srv.sink.lines.length = 0;
  });

  it('answers OK for an empty request, as the OTLP spec asks', async () => {
    const res = await unary<ExportResponse>(client, 'Export', { resourceLogs: [] });
    expect(res.partialSuccess).toBeUndefined();
  });

  it('answers UNAVAILABLE (retryable for OTLP) whether the sink is full or down, then OK once it recovers', async () => {
    for (const mode of ['full', 'down'] as const) {
      srv.sink.mode = mode;
      const err = await failure(unary(client, 'Export', request([{ body: toAny(seguraRecord(6)) }])));
      expect(err.code).toBe(grpc.status.UNAVAILABLE);
    }
    expect(srv.sink.lines).toHaveLength(0);
    srv.sink.mode = 'ok';
    await unary(client, 'Export', request([{ body: toAny(seguraRecord(6)) }]));
    expect(srv.sink.texts).toHaveLength(1);
    srv.sink.lines.length = 0;
  });

  it('accepts gzip from a grpc-js client configured to compress', async () => {
    const gz = new (Clients.Logs())(srv.handle.address, insecure(), { 'grpc.default_compression_algorithm': 2 });
    try {
      await unary(gz, 'Export', request([{ body: toAny(seguraRecord(7)) }]));
    } finally {
      gz.close();
    }
    expect(srv.sink.texts[0]).toContain('msg=session 7');
    srv.sink.lines.length = 0;
  });
});

describe('request compression on the wire', () => {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('google/') ? target : `${PROTO_DIR}/${target}`);
  root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto');
  const Req = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');

  /** One gRPC message frame: flag byte, 4-byte length, payload (gRPC over HTTP/2 spec). */
  function frame(payload: Buffer, compressed: boolean): Buffer {
    const head = Buffer.alloc(5);
    head.writeUInt8(compressed ? 1 : 0, 0);
    head.writeUInt32BE(payload.length, 1);
    return Buffer.concat([head, payload]);
  }

  function rawCall(encoding: string, body: Buffer): Promise<{ status: string | undefined; message: string; accept: string | undefined }> {
    return new Promise((resolve, reject) => {
      const session = connect(`http://${srv.handle.address}`);
      session.on('error', reject);
      const req = session.request({
        ':method': 'POST',
        ':path': '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-encoding': encoding,
      });
      let headers: Record<string, unknown> = {};
      req.on('response', (h) => (headers = h));
      req.on('trailers', (t) => (headers = { ...headers, ...t }));
      req.on('data', () => {});
      req.on('end', () => {
        session.close();
        resolve({
          status: headers['grpc-status'] as string | undefined,
          message: decodeURIComponent(String(headers['grpc-message'] ?? '')),
          accept: headers['grpc-accept-encoding'] as string | undefined,
        });
      });
      req.end(body);
    });
  }

  it('decompresses a gzip message frame', async () => {
    const msg = Buffer.from(Req.encode(Req.fromObject(request([{ body: toAny(seguraRecord(8)) }]))).finish());
    const res = await rawCall('gzip', frame(gzipSync(msg), true));
    expect(res.status).toBe('0');
    expect(srv.sink.texts[0]).toContain('msg=session 8');
    srv.sink.lines.length = 0;
  });

  it('refuses zstd with UNIMPLEMENTED, naming gzip and none, and delivers nothing', async () => {
    const msg = Buffer.from(Req.encode(Req.fromObject(request([{ body: toAny(seguraRecord(9)) }]))).finish());
    const res = await rawCall('zstd', frame(msg, true));
    expect(res.status).toBe(String(grpc.status.UNIMPLEMENTED));
    expect(res.message).toContain('"zstd"');
    expect(res.message).toContain('gzip');
    expect(res.message).toContain('none');
    expect(res.accept).toBe('identity,gzip,deflate');
    expect(srv.sink.lines).toHaveLength(0);
  });
});
