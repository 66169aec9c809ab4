/**
 * Vector's `vector` sink (config-examples/vector/vector-sink.yaml) against `segura-siem serve
 * --grpc`, started with the command line that example quotes (addresses pointed at the
 * test's sockets). What the sink sends, per vectordotdev/vector src/sinks/vector and
 * lib/vector-core/src/event/proto.rs:
 * - at start-up `/vector.Vector/HealthCheck` (empty request) when healthcheck is enabled;
 * - `/vector.Vector/PushEvents` with one EventWrapper{log} per event: the event's keys in
 *   `fields`, strings as `raw_bytes`, integers as `integer`, and a `metadata_full` (field 4)
 *   this receiver does not declare and must skip;
 * - with `compression: gzip`, the message gzip-compressed, flag 1, `grpc-encoding: gzip`.
 * The example's sink delivers to a syslog receiver; the test listens there and checks every
 * line against its record with the independent CEF decoder. zstd (which Vector offers) is
 * refused with UNIMPLEMENTED, a status Vector does not retry, and delivers nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT,
  decodeMessage,
  encodeMessage,
  ensureBuilt,
  exampleArgv,
  expectLineFor,
  freePort,
  grpcUnary,
  lineReceiver,
  retarget,
  sampleRecords,
  serving,
  start,
  stop,
  waitFor,
  type Running,
} from './support.js';

const EXAMPLE = 'config-examples/vector/vector-sink.yaml';
const vectorConfig = parseYaml(readFileSync(join(ROOT, EXAMPLE), 'utf8')) as {
  sinks: Record<string, { type: string; compression: string; routing: { endpoints: string[] } }>;
};
const sink = Object.values(vectorConfig.sinks).find((s) => s.type === 'vector')!;

/** A Vector Value for a JSON value (lib/vector-core/src/event/proto.rs encode_value). */
function vectorValue(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return { rawBytes: Buffer.from(v, 'utf8') };
  if (typeof v === 'number') return Number.isInteger(v) ? { integer: v } : { float: v };
  if (typeof v === 'boolean') return { boolean: v };
  if (v === null) return { null: 0 };
  if (Array.isArray(v)) return { array: { items: v.map(vectorValue) } };
  return { map: { fields: Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, vectorValue(x)])) } };
}

/** PushEventsRequest bytes, each Log followed by an undeclared field 4 as real Vector sends. */
function pushEventsRequest(records: ReadonlyArray<Record<string, unknown>>): Buffer {
  const w = protobuf.Writer.create();
  for (const r of records) {
    const log = encodeMessage('event.Log', { fields: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, vectorValue(v)])) });
    // metadata_full (field 4): a Metadata message; its content is opaque to a receiver.
    const metadata = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(Buffer.from([0x3a, 0x00])).uint32((2 << 3) | 2).string('segura_records').finish();
    const logWithMeta = Buffer.concat([log, protobuf.Writer.create().uint32((4 << 3) | 2).bytes(metadata).finish()]);
    const wrapper = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(logWithMeta).finish();
    w.uint32((1 << 3) | 2).bytes(wrapper);
  }
  return Buffer.from(w.finish());
}

describe('Vector `vector` sink → segura-siem serve --grpc', () => {
  let p: Running;
  let grpcPort: number;
  let siem: Awaited<ReturnType<typeof lineReceiver>>;

  beforeAll(async () => {
    await ensureBuilt();
    siem = await lineReceiver();
    grpcPort = await freePort();
    const argv = exampleArgv(EXAMPLE, 'serve');
    // The example's endpoint is the port its segura-siem command line listens on.
    const listen = argv[argv.indexOf('--grpc') + 1]!;
    expect(sink.routing.endpoints).toEqual([`http://${listen}`]);
    p = start(retarget(argv, { grpc: `127.0.0.1:${grpcPort}`, sink: `syslog+tcp://127.0.0.1:${siem.port}`, framing: 'lf' }, ['sink']));
    await serving(p);
  }, 120_000);

  afterAll(async () => {
    if (p !== undefined) expect(await stop(p)).toBe(0);
    await siem?.close();
  });

  it('answers the start-up HealthCheck with SERVING (= 0 in vector.proto)', async () => {
    const reply = await grpcUnary(grpcPort, '/vector.Vector/HealthCheck', Buffer.alloc(0), { userAgent: 'tonic/0.12' });
    expect(reply.status).toBe(0);
    expect(decodeMessage('vector.HealthCheckResponse', reply.messages[0]!, { defaults: true })).toEqual({ status: 'SERVING' });
  });

  it(`PushEvents with compression: ${sink.compression} delivers one line per event, in order`, async () => {
    expect(['gzip', 'none']).toContain(sink.compression);
    const records = sampleRecords();
    const before = siem.lines.length;
    const reply = await grpcUnary(grpcPort, '/vector.Vector/PushEvents', pushEventsRequest(records), {
      encoding: sink.compression === 'gzip' ? 'gzip' : 'identity',
      userAgent: 'tonic/0.12',
    });
    expect(reply.status, reply.message).toBe(0);
    // OK means the sink accepted every line; they are on their way to the receiver.
    const got = await waitFor(() => (siem.lines.length >= before + records.length ? siem.lines.slice(before) : undefined), () => `${records.length} lines; got ${siem.lines.length - before}`);
    expect(got).toHaveLength(records.length);
    got.forEach((line, i) => expectLineFor(line, records[i]!));
    // The example's segura-siem renders CEF inside an RFC 5424 header.
    for (const line of got) expect(line).toMatch(/^<\d{1,3}>1 \S+ \S+ \S+ \S+ \S+ - CEF:0\|/);
  });

  it('refuses zstd (which Vector offers) with UNIMPLEMENTED, a status Vector does not retry', async () => {
    const before = siem.lines.length;
    const reply = await grpcUnary(grpcPort, '/vector.Vector/PushEvents', pushEventsRequest(sampleRecords(1)), {
      encoding: 'zstd',
      compressedBody: Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00]),
      userAgent: 'tonic/0.12',
    });
    expect(reply.status).toBe(12);
    // Nothing from that request reaches the SIEM: push another event (lines keep their order
    // on the one connection) and see it arrive alone.
    const r = sampleRecords(2)[1]!;
    expect((await grpcUnary(grpcPort, '/vector.Vector/PushEvents', pushEventsRequest([r]))).status).toBe(0);
    const got = await waitFor(() => (siem.lines.length > before ? siem.lines.slice(before) : undefined), () => 'a line');
    expect(got).toHaveLength(1);
    expectLineFor(got[0]!, r);
  });
});
