/**
 * OTLP/gRPC `LogsService/Export` as the two OTLP shippers send it, against `segura-siem
 * serve --grpc` started with the command line their examples quote:
 *
 * - OpenTelemetry Collector (config-examples/otel-collector/config.yaml): filelog receiver +
 *   json_parser (parse_to: attributes), `otlp_grpc` exporter with `compression: gzip`. Each
 *   LogRecord: body = the raw line as a string, attributes = the parsed fields (JSON numbers
 *   become doubles: the parser decodes into float64) plus `log.file.name`, time_unix_nano 0
 *   (no timestamp operator), observed_time_unix_nano set. gzip frame, `grpc-encoding: gzip`.
 * - Fluent Bit `opentelemetry` output with `grpc: on` (config-examples/fluent-bit/otlp.yaml):
 *   body = kvlist of the whole record (ints as int, strings as string), no attributes,
 *   time_unix_nano = the record time; the frame is never compressed (plugins/
 *   out_opentelemetry/opentelemetry.c: flag 0, `te: trailers`, `user-agent: Fluent-Bit`).
 *
 * Every line reaches the sink (stdout here) and matches its record; a record that is no
 * record at all is reported in `partial_success`, not by failing the whole request.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  retarget,
  sampleRecords,
  serving,
  start,
  stop,
  waitFor,
  type Running,
} from './support.js';

const EXPORT = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
const REQUEST = 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest';
const RESPONSE = 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse';

type AnyValue = Record<string, unknown>;

/** AnyValue as the Collector's pdata builds it from json_parser output (numbers are float64). */
function collectorValue(v: unknown): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return { doubleValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(collectorValue) } };
  return { kvlistValue: { values: Object.entries(v as object).map(([key, x]) => ({ key, value: collectorValue(x) })) } };
}

/** AnyValue as Fluent Bit's msgpack → OTLP conversion builds it (integers stay integers). */
function fluentBitValue(v: unknown): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(fluentBitValue) } };
  return { kvlistValue: { values: Object.entries(v as object).map(([key, x]) => ({ key, value: fluentBitValue(x) })) } };
}

const NOW_NS = BigInt(Date.UTC(2026, 0, 19, 10, 45)) * 1_000_000n;

function collectorRequest(records: ReadonlyArray<Record<string, unknown>>, extra: AnyValue[] = []): Buffer {
  const logRecords = [
    ...records.map((r) => ({
      observedTimeUnixNano: NOW_NS.toString(),
      body: { stringValue: JSON.stringify(r) },
      attributes: [
        ...Object.entries(r).map(([key, v]) => ({ key, value: collectorValue(v) })),
        { key: 'log.file.name', value: { stringValue: 'events.json' } },
      ],
    })),
    ...extra.map((body) => ({ observedTimeUnixNano: NOW_NS.toString(), body })),
  ];
  return encodeMessage(REQUEST, { resourceLogs: [{ resource: {}, scopeLogs: [{ scope: {}, logRecords }] }] });
}

function fluentBitRequest(records: ReadonlyArray<Record<string, unknown>>): Buffer {
  const logRecords = records.map((r) => ({
    timeUnixNano: NOW_NS.toString(),
    body: fluentBitValue(r),
  }));
  return encodeMessage(REQUEST, { resourceLogs: [{ resource: {}, scopeLogs: [{ scope: {}, logRecords }] }] });
}

async function startFor(example: string): Promise<{ p: Running; port: number }> {
  await ensureBuilt();
  const port = await freePort();
  const p = start(retarget(exampleArgv(example, 'serve'), { grpc: `127.0.0.1:${port}`, sink: 'stdout' }, ['sink']));
  await serving(p);
  return { p, port };
}

describe('OpenTelemetry Collector otlp_grpc exporter → segura-siem serve --grpc', () => {
  const EXAMPLE = 'config-examples/otel-collector/config.yaml';
  const collector = parseYaml(readFileSync(join(ROOT, EXAMPLE), 'utf8')) as {
    exporters: Record<string, { endpoint: string; compression: string }>;
    service: { pipelines: Record<string, { exporters: string[] }> };
  };
  const exporterName = Object.values(collector.service.pipelines)[0]!.exporters[0]!;
  const exporter = collector.exporters[exporterName]!;
  let s: { p: Running; port: number };

  beforeAll(async () => {
    // The exporter is the OTLP/gRPC one, pointed at the port the quoted command line opens.
    expect(exporterName).toMatch(/^otlp_grpc(\/|$)/);
    const argv = exampleArgv(EXAMPLE, 'serve');
    expect(exporter.endpoint).toBe(argv[argv.indexOf('--grpc') + 1]);
    s = await startFor(EXAMPLE);
  }, 120_000);
  afterAll(async () => {
    if (s !== undefined) expect(await stop(s.p)).toBe(0);
  });

  it(`Export with compression: ${exporter.compression}: string body + attributes, one line per record`, async () => {
    expect(['gzip', 'none']).toContain(exporter.compression);
    const records = sampleRecords();
    const reply = await grpcUnary(s.port, EXPORT, collectorRequest(records), {
      encoding: exporter.compression === 'gzip' ? 'gzip' : 'identity',
      userAgent: 'OTel-Collector/0.144.0 grpc-go/1.70.0',
    });
    expect(reply.status, reply.message).toBe(0);
    expect(decodeMessage(RESPONSE, reply.messages[0] ?? Buffer.alloc(0))['partialSuccess'] ?? {}).toEqual({});
    const lines = await waitFor(() => (s.p.lines().length >= records.length ? s.p.lines() : undefined), () => `${records.length} lines; got ${s.p.stdout()}`);
    expect(lines).toHaveLength(records.length);
    lines.forEach((line, i) => expectLineFor(line, records[i]!));
    // The Collector's own attribute (log.file.name) is shipper metadata, not an event field.
    for (const line of lines) expect(line).not.toContain('events.json');
  });

  it('reports a log record that holds no Segura record through partial_success, and formats the rest', async () => {
    const records = sampleRecords(2);
    const before = s.p.lines().length;
    const reply = await grpcUnary(s.port, EXPORT, collectorRequest(records, [{ intValue: 42 }]), { encoding: 'gzip' });
    expect(reply.status).toBe(0);
    const response = decodeMessage(RESPONSE, reply.messages[0]!);
    expect(response['partialSuccess']).toMatchObject({ rejectedLogRecords: 1 });
    const lines = await waitFor(() => (s.p.lines().length >= before + 2 ? s.p.lines().slice(before) : undefined), () => '2 lines');
    expect(lines).toHaveLength(2);
    lines.forEach((line, i) => expectLineFor(line, records[i]!));
  });
});

describe('Fluent Bit opentelemetry output (grpc: on) → segura-siem serve --grpc', () => {
  const EXAMPLE = 'config-examples/fluent-bit/otlp.yaml';
  const fb = parseYaml(readFileSync(join(ROOT, EXAMPLE), 'utf8')) as { pipeline: { outputs: Array<Record<string, unknown>> } };
  const output = fb.pipeline.outputs.find((o) => o['name'] === 'opentelemetry')!;
  let s: { p: Running; port: number };

  beforeAll(async () => {
    const argv = exampleArgv(EXAMPLE, 'serve');
    expect(`${String(output['host'])}:${String(output['port'])}`).toBe(argv[argv.indexOf('--grpc') + 1]);
    expect(String(output['grpc'])).toBe('on');
    s = await startFor(EXAMPLE);
  }, 120_000);
  afterAll(async () => {
    if (s !== undefined) expect(await stop(s.p)).toBe(0);
  });

  it('kvlist body holding the record, uncompressed frame: one line per record', async () => {
    const records = sampleRecords();
    const reply = await grpcUnary(s.port, EXPORT, fluentBitRequest(records), { userAgent: 'Fluent-Bit' });
    expect(reply.status, reply.message).toBe(0);
    const lines = await waitFor(() => (s.p.lines().length >= records.length ? s.p.lines() : undefined), () => `${records.length} lines; got ${s.p.stdout()}`);
    expect(lines).toHaveLength(records.length);
    lines.forEach((line, i) => expectLineFor(line, records[i]!));
  });
});
