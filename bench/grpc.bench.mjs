#!/usr/bin/env node
// Throughput, batch latency and RSS of `segura-siem serve --grpc` (the bundled CLI as a
// child process, stdout sink redirected to /dev/null) for:
//   - Formatter/FormatStream: one stream, batches of 500 records, WINDOW batches in flight,
//     with a client HTTP/2 receive window of 8 MiB (what grpc-go and hyper/tonic clients
//     reach by themselves; grpc-js needs 'grpc-node.flow_control_window') and of 64 KiB
//     (grpc-js's default: the 250 KB responses then wait for window updates);
//   - LogsService/Export: unary calls of 500 records (Fluent Bit shape: kvlist bodies),
//     CONCURRENCY calls in flight, every line delivered to the sink before the answer.
// Requests are encoded once up front and sent as raw bytes, and responses are only
// counted (every 50th is decoded and checked), so the client spends little CPU. When
// taskset exists the server is pinned to CPU 0 and this client to CPU 1.
//   npm run build && node bench/grpc.bench.mjs [SECONDS=8] [WINDOW=8] [CONCURRENCY=4]
// SEGURA_SIEM_CLI overrides the bundle to run (default dist/segura-siem.js);
// SEGURA_SIEM_NODE_ARGS adds node flags to the server (e.g. "--cpu-prof").
import { existsSync, openSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { canPin, measureWindow, percentile, procStatusMb, startServe } from './serve-harness.mjs';
import { cpus } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

const SECONDS = Number(process.argv[2] ?? 8);
const WINDOW = Number(process.argv[3] ?? 8);
const CONCURRENCY = Number(process.argv[4] ?? 4);
const BATCH = 500;
const WARMUP_MS = 2000;
const cli = process.env.SEGURA_SIEM_CLI ?? 'dist/segura-siem.js';
if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);

// ------------------------------------------------------------------ inputs
const eventsFile = 'bench/out/events-20000.ndjson';
if (!existsSync(eventsFile)) execFileSync('node', ['bench/gen-events.mjs', eventsFile, '20000'], { stdio: 'inherit' });
const lines = readFileSync(eventsFile, 'utf8').split('\n').filter((l) => l !== '');

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => (target.startsWith('google/') ? target : `proto/${target}`);
root.loadSync(['segura/siem/v1/formatter.proto', 'opentelemetry/proto/collector/logs/v1/logs_service.proto']);
const FormatRequest = root.lookupType('segura.siem.v1.FormatRequest');
const FormatResponse = root.lookupType('segura.siem.v1.FormatResponse');
const ExportRequest = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
const ExportResponse = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse');

const batchCount = Math.floor(lines.length / BATCH);
const batchOf = (b) => lines.slice(b * BATCH, (b + 1) * BATCH);
const formatRequests = Array.from({ length: batchCount }, (_, b) =>
  Buffer.from(FormatRequest.encode(FormatRequest.fromObject({ batchId: String(b), records: batchOf(b).map((json) => ({ json })) })).finish()),
);

function anyValue(v) {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  return { kvlistValue: { values: Object.entries(v).map(([key, value]) => ({ key, value: anyValue(value) })) } };
}
const exportRequests = Array.from({ length: batchCount }, (_, b) =>
  Buffer.from(
    ExportRequest.encode(
      ExportRequest.fromObject({
        resourceLogs: [{ scopeLogs: [{ logRecords: batchOf(b).map((l) => ({ timeUnixNano: Date.now() * 1e6, body: anyValue(JSON.parse(l)) })) }] }],
      }),
    ).finish(),
  ),
);

// ------------------------------------------------------------------ server
const devNull = openSync('/dev/null', 'w');
const { child, pid: serverPid, serving } = await startServe(cli, ['serve', '--grpc', '127.0.0.1:0', '--stream-window', String(Math.max(16, WINDOW))], devNull);
const address = serving.grpc;
const procStatus = (key) => procStatusMb(serverPid, key);

// ------------------------------------------------------------------ measurement
/** Runs `drive({ shouldStop, onBatch })` for WARMUP + SECONDS; counts batches after the warm-up. */
async function measure(name, drive) {
  const w = await measureWindow(serverPid, {
    warmupMs: WARMUP_MS,
    seconds: SECONDS,
    drive: ({ shouldStop, done }) => drive({ shouldStop, onBatch: (ms) => done(BATCH, ms) }),
  });
  return {
    name,
    'records/s': Math.round(w.records / w.elapsed),
    'p50 batch ms': +percentile(w.latencies, 50).toFixed(2),
    'p99 batch ms': +percentile(w.latencies, 99).toFixed(2),
    'server CPU %': Math.round((w.cpu / w.elapsed) * 100),
    'records per server CPU-s': Math.round(w.records / w.cpu),
    'server RSS MB (peak)': Math.round(w.peakRss),
  };
}

const identity = (b) => b;
/** `windowBytes`: the client's HTTP/2 receive window (grpc-js default: 64 KiB). */
const makeClient = (windowBytes) =>
  new grpc.Client(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    ...(windowBytes === undefined ? {} : { 'grpc-node.flow_control_window': windowBytes }),
  });
const CLIENT_WINDOW = 8 * 1024 * 1024;

const formatStream = (client) => ({ shouldStop, onBatch }) => {
  return new Promise((resolve, reject) => {
    const call = client.makeBidiStreamRequest('/segura.siem.v1.Formatter/FormatStream', identity, identity);
    const sentAt = [];
    let next = 0;
    let received = 0;
    const send = () => {
      sentAt.push(performance.now());
      call.write(formatRequests[next++ % formatRequests.length]);
    };
    call.on('data', (bytes) => {
      onBatch(performance.now() - sentAt.shift());
      if (received++ % 50 === 0) {
        const r = FormatResponse.decode(bytes);
        if (r.results.length !== BATCH || r.formatted + r.failed !== BATCH) reject(new Error(`bad response ${JSON.stringify(r).slice(0, 200)}`));
      }
      if (shouldStop()) {
        if (sentAt.length === 0) call.end();
      } else send();
    });
    call.on('error', reject);
    call.on('status', (s) => (s.code === 0 ? resolve() : reject(new Error(s.details))));
    for (let i = 0; i < WINDOW; i++) send();
  });
};

const exportCalls = (client) => ({ shouldStop, onBatch }) => {
  let next = 0;
  const worker = () =>
    new Promise((resolve, reject) => {
      const one = () => {
        if (shouldStop()) return resolve();
        const started = performance.now();
        client.makeUnaryRequest('/opentelemetry.proto.collector.logs.v1.LogsService/Export', identity, identity, exportRequests[next++ % exportRequests.length], (err, bytes) => {
          if (err) return reject(err);
          const r = ExportResponse.decode(bytes);
          if (r.partialSuccess && Number(r.partialSuccess.rejectedLogRecords) > 0) return reject(new Error(r.partialSuccess.errorMessage));
          onBatch(performance.now() - started);
          one();
        });
      };
      one();
    });
  return Promise.all(Array.from({ length: CONCURRENCY }, worker));
};

const tuned = makeClient(CLIENT_WINDOW);
const plain = makeClient(undefined);
const results = [];
results.push(await measure(`FormatStream ×${BATCH}, ${WINDOW} in flight, client window 8 MiB`, formatStream(tuned)));
results.push(await measure(`FormatStream ×${BATCH}, ${WINDOW} in flight, client window 64 KiB`, formatStream(plain)));
results.push(await measure(`Export ×${BATCH}, ${CONCURRENCY} calls in flight`, exportCalls(tuned)));
tuned.close();
plain.close();
const hwm = procStatus('VmHWM');
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));

console.log(`segura-siem serve gRPC bench — ${SECONDS}s per case after ${WARMUP_MS / 1000}s warm-up, ${cpus().length} CPUs${canPin ? ', server pinned to CPU 0, client to CPU 1' : ''}`);
console.table(results);
console.log(`server peak RSS over the whole run (VmHWM): ${Math.round(hwm)} MB`);
