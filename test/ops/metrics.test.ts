/**
 * The Prometheus metrics, scraped over HTTP from a real /metrics listener while real gRPC
 * calls run through the pipeline: records in/out/failed by transport and reason, request
 * latency counts, and the sink's queue depth and reconnects read at scrape time.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusMetrics, type MetricsServer, type PrometheusMetrics } from '../../plugin/ops/metrics.js';
import { Clients, failure, insecure, seguraRecord, startTestServer, unary, type TestServer } from '../inputs/grpc/support.js';

function get(address: string, path: string): Promise<{ status: number; type: string; body: string }> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    request({ host, port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    })
      .on('error', reject)
      .end();
  });
}

/** The value of one sample line (`name{labels} value`), or undefined. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

let metrics: PrometheusMetrics;
let srv: TestServer;
let http: MetricsServer;

beforeAll(async () => {
  metrics = createPrometheusMetrics();
  srv = await startTestServer({}, { metrics });
  http = await metrics.serve('127.0.0.1:0', () => srv.sink.stats());
});

afterAll(async () => {
  await http.close();
  await srv.handle.shutdown(1000);
});

describe('Prometheus metrics', () => {
  it('counts records in, out and failed by transport and reason, and request latency', async () => {
    const formatter = new (Clients.Formatter())(srv.handle.address, insecure());
    const logs = new (Clients.Logs())(srv.handle.address, insecure());
    const otlp = (n: number) => ({
      resourceLogs: [{ scopeLogs: [{ logRecords: Array.from({ length: n }, (_, i) => ({ body: { stringValue: JSON.stringify(seguraRecord(i)) } })) }] }],
    });
    try {
      await unary(formatter, 'Format', { records: [{ json: JSON.stringify(seguraRecord(1)) }, { json: 'x' }, { json: JSON.stringify(seguraRecord(2)) }] });
      await unary(logs, 'Export', otlp(4));
      srv.sink.mode = 'down';
      await failure(unary(logs, 'Export', otlp(5)));
      srv.sink.mode = 'ok';
    } finally {
      formatter.close();
      logs.close();
    }
    const res = await get(http.address, '/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    const b = res.body;
    expect(sample(b, 'segura_siem_records_in_total{transport="grpc-formatter"}')).toBe(3);
    expect(sample(b, 'segura_siem_records_out_total{transport="grpc-formatter"}')).toBe(2);
    expect(sample(b, 'segura_siem_records_failed_total{transport="grpc-formatter",reason="SEG_ERR_JSON"}')).toBe(1);
    expect(sample(b, 'segura_siem_records_in_total{transport="otlp"}')).toBe(9);
    expect(sample(b, 'segura_siem_records_out_total{transport="otlp"}')).toBe(4);
    expect(sample(b, 'segura_siem_records_failed_total{transport="otlp",reason="SEG_ERR_SINK_UNAVAILABLE"}')).toBe(5);
    expect(sample(b, 'segura_siem_request_duration_seconds_count{transport="grpc-formatter"}')).toBe(1);
    expect(sample(b, 'segura_siem_request_duration_seconds_count{transport="otlp"}')).toBe(2);
    expect(sample(b, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('reads the sink queue depth, delivered and reconnects at scrape time', async () => {
    srv.sink.reconnects = 3;
    srv.sink.mode = 'hold';
    const logs = new (Clients.Logs())(srv.handle.address, insecure());
    const pending = unary(logs, 'Export', {
      resourceLogs: [{ scopeLogs: [{ logRecords: [1, 2, 3].map((i) => ({ body: { stringValue: JSON.stringify(seguraRecord(i)) } })) }] }],
    });
    try {
      await srv.sink.whenHolding();
      const during = (await get(http.address, '/metrics')).body;
      expect(sample(during, 'segura_siem_sink_queue_depth')).toBe(3);
      expect(sample(during, 'segura_siem_sink_reconnects_total')).toBe(3);
      srv.sink.reconnects = 5;
      srv.sink.release();
      await pending;
      const after = (await get(http.address, '/metrics')).body;
      expect(sample(after, 'segura_siem_sink_queue_depth')).toBe(0);
      expect(sample(after, 'segura_siem_sink_reconnects_total')).toBe(5);
      expect(sample(after, 'segura_siem_sink_delivered_total')).toBe(srv.sink.lines.length);
    } finally {
      logs.close();
    }
  });

  it('answers 404 elsewhere', async () => {
    expect((await get(http.address, '/')).status).toBe(404);
  });
});
