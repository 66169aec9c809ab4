/**
 * The contracts themselves: the embedded copy the server parses is what proto/ holds
 * (scripts/gen-protos.mjs --check), and the third-party definitions keep the upstream wire
 * numbers (a wrong number silently drops data). The expected numbers are the published
 * ones: opentelemetry-proto v1 logs/common, vector's event.proto, grpc health.proto.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import { PROTO_DIR } from './support.js';

const ROOT = resolve(__dirname, '../../..');

function load(file: string): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('google/') ? target : `${PROTO_DIR}/${target}`);
  return root.loadSync(file, { keepCase: true });
}

function numbers(root: protobuf.Root, type: string): Record<string, number> {
  const t = root.lookupType(type);
  return Object.fromEntries(t.fieldsArray.map((f) => [f.name, f.id]));
}

describe('proto contracts', () => {
  it('the embedded proto sources are up to date with proto/', () => {
    // Throws (exit 1) with a message when plugin/inputs/grpc/generated/proto-sources.ts is stale.
    execFileSync(process.execPath, ['scripts/gen-protos.mjs', '--check'], { cwd: ROOT, stdio: 'pipe' });
  });

  it('OTLP logs messages carry the upstream field numbers', () => {
    const root = load('opentelemetry/proto/collector/logs/v1/logs_service.proto');
    expect(numbers(root, 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest')).toEqual({ resource_logs: 1 });
    expect(numbers(root, 'opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess')).toEqual({ rejected_log_records: 1, error_message: 2 });
    expect(numbers(root, 'opentelemetry.proto.logs.v1.ResourceLogs')).toEqual({ resource: 1, scope_logs: 2, schema_url: 3 });
    expect(numbers(root, 'opentelemetry.proto.logs.v1.ScopeLogs')).toEqual({ scope: 1, log_records: 2, schema_url: 3 });
    expect(numbers(root, 'opentelemetry.proto.logs.v1.LogRecord')).toEqual({
      time_unix_nano: 1, observed_time_unix_nano: 11, severity_number: 2, severity_text: 3, body: 5, attributes: 6,
      dropped_attributes_count: 7, flags: 8, trace_id: 9, span_id: 10, event_name: 12,
    });
    expect(numbers(root, 'opentelemetry.proto.common.v1.AnyValue')).toEqual({
      string_value: 1, bool_value: 2, int_value: 3, double_value: 4, array_value: 5, kvlist_value: 6, bytes_value: 7,
    });
    expect(numbers(root, 'opentelemetry.proto.common.v1.KeyValue')).toEqual({ key: 1, value: 2 });
    expect(root.lookupType('opentelemetry.proto.logs.v1.LogRecord').fields['time_unix_nano']!.type).toBe('fixed64');
  });

  it('Vector messages carry the upstream field numbers and SERVING is 0', () => {
    const root = load('vector/vector.proto');
    expect(numbers(root, 'event.EventWrapper')).toEqual({ log: 1, metric: 2, trace: 3 });
    expect(numbers(root, 'event.Log')).toEqual({ fields: 1, value: 2 });
    expect(numbers(root, 'event.Value')).toEqual({ raw_bytes: 1, timestamp: 2, integer: 4, float: 5, boolean: 6, map: 7, array: 8, null: 9 });
    expect(numbers(root, 'vector.PushEventsRequest')).toEqual({ events: 1 });
    expect(root.lookupEnum('vector.ServingStatus').values).toEqual({ SERVING: 0, NOT_SERVING: 1 });
    expect(root.lookupService('vector.Vector').methodsArray.map((m) => m.name)).toEqual(['PushEvents', 'HealthCheck']);
  });

  it('grpc.health.v1 has the standard statuses and methods', () => {
    const root = load('grpc/health/v1/health.proto');
    expect(root.lookupEnum('grpc.health.v1.HealthCheckResponse.ServingStatus').values).toEqual({
      UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3,
    });
    const methods = root.lookupService('grpc.health.v1.Health').methodsArray;
    expect(methods.map((m) => [m.name, m.responseStream === true])).toEqual([['Check', false], ['Watch', true], ['List', false]]);
  });
});
