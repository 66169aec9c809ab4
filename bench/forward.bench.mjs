#!/usr/bin/env node
// Throughput, request latency and RSS of the Fluent Forward loop through the bundled CLI:
//   sender (Fluent Bit–shaped out_forward, require_ack_response) → `segura-siem serve
//   --forward` → format (CEF) → forward:// sink → local receiver (acks every chunk).
// The sender behaves like Fluent Bit's out_forward with require_ack_response: one request
// of BATCH records in flight per connection, the next only after the ack, CONNECTIONS
// connections (Fluent Bit `workers`). Entries use Fluent Bit v5's default shape
// [[EventTime, {}], record]. An ack on leg 1 arrives only after the receiver acked the lines
// on leg 2, so records/s counts end-to-end delivered records. Requests are encoded up front.
// When taskset exists the server is pinned to CPU 0 and this process to CPU 1.
//   npm run build && node bench/forward.bench.mjs [SECONDS=8] [CONNECTIONS=2] [BATCH=500]
// SEGURA_SIEM_CLI overrides the bundle to run (default dist/segura-siem.js);
// SEGURA_SIEM_NODE_ARGS adds node flags to the server (e.g. "--cpu-prof").
import { execFileSync } from 'node:child_process';
import { canPin, measureWindow, percentile, procStatusMb, startServe } from './serve-harness.mjs';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus } from 'node:os';
import { gzipSync } from 'node:zlib';
import { decodeMultiStream, encode, ExtData } from '@msgpack/msgpack';

const SECONDS = Number(process.argv[2] ?? 8);
const CONNECTIONS = Number(process.argv[3] ?? 2);
const BATCH = Number(process.argv[4] ?? 500);
const WARMUP_MS = 2000;
const cli = process.env.SEGURA_SIEM_CLI ?? 'dist/segura-siem.js';
if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);

// ------------------------------------------------------------------ inputs
const eventsFile = 'bench/out/events-20000.ndjson';
if (!existsSync(eventsFile)) execFileSync('node', ['bench/gen-events.mjs', eventsFile, '20000'], { stdio: 'inherit' });
const records = readFileSync(eventsFile, 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l));
const batchCount = Math.floor(records.length / BATCH);

function eventTime(ms) {
  const data = new Uint8Array(8);
  const view = new DataView(data.buffer);
  view.setUint32(0, Math.floor(ms / 1000));
  view.setUint32(4, (ms % 1000) * 1e6);
  return new ExtData(0, data);
}
const now = Date.now();
const entriesOf = (b) => records.slice(b * BATCH, (b + 1) * BATCH).map((r, i) => [[eventTime(now + i), {}], r]);
const chunkId = () => randomBytes(16).toString('base64');
const forwardRequests = Array.from({ length: batchCount }, (_, b) => encode(['segura.raw', entriesOf(b), { chunk: chunkId(), size: BATCH, fluent_signal: 0 }]));
const gzipRequests = Array.from({ length: batchCount }, (_, b) => {
  const stream = Buffer.concat(entriesOf(b).map((e) => encode(e)));
  return encode(['segura.raw', gzipSync(stream), { chunk: chunkId(), size: BATCH, compressed: 'gzip', fluent_signal: 0 }]);
});

// ------------------------------------------------------------------ receiver (leg 2)
let receivedRecords = 0;
const receiver = createServer(async (socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  try {
    for await (const request of decodeMultiStream(socket)) {
      receivedRecords += request[1].length;
      socket.write(encode({ ack: request[2].chunk }));
    }
  } catch {
    // the server went away at the end of the run
  }
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const receiverPort = receiver.address().port;

// ------------------------------------------------------------------ server
const { child, pid: serverPid, serving } = await startServe(cli, ['serve', '--forward', '127.0.0.1:0', '--sink', `forward://127.0.0.1:${receiverPort}`]);
const forwardAddress = serving.forward;
const [host, port] = [forwardAddress.slice(0, forwardAddress.lastIndexOf(':')), Number(forwardAddress.slice(forwardAddress.lastIndexOf(':') + 1))];
const procStatus = (key) => procStatusMb(serverPid, key);

// ------------------------------------------------------------------ sender (leg 1)
/** One Fluent Bit–like connection: a request, wait for its ack, the next request. */
function sender(requests, offset, { shouldStop, onAck }) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => send());
    socket.setNoDelay(true);
    let next = offset;
    let sentAt = 0;
    let expected;
    const send = () => {
      const request = requests[next++ % requests.length];
      expected = request;
      sentAt = performance.now();
      socket.write(request);
    };
    socket.on('error', reject);
    (async () => {
      for await (const response of decodeMultiStream(socket)) {
        if (typeof response?.ack !== 'string') throw new Error(`unexpected response ${JSON.stringify(response)}`);
        onAck(performance.now() - sentAt, expected);
        if (shouldStop()) {
          socket.end();
          return;
        }
        send();
      }
    })().then(resolve, reject);
  });
}

async function measure(name, requests) {
  let received0 = 0;
  let received = 0;
  const w = await measureWindow(serverPid, {
    warmupMs: WARMUP_MS,
    seconds: SECONDS,
    drive: ({ shouldStop, done }) => {
      const hooks = { shouldStop, onAck: (ms) => done(BATCH, ms) };
      return Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => sender(requests, i * 7, hooks)));
    },
    onOpen: () => (received0 = receivedRecords),
    onClose: () => (received = receivedRecords - received0),
  });
  return {
    name,
    'records/s (acked end to end)': Math.round(w.records / w.elapsed),
    'records/s at receiver': Math.round(received / w.elapsed),
    'p50 request ms': +percentile(w.latencies, 50).toFixed(2),
    'p99 request ms': +percentile(w.latencies, 99).toFixed(2),
    'server CPU %': Math.round((w.cpu / w.elapsed) * 100),
    'records per server CPU-s': Math.round(w.records / w.cpu),
    'server RSS MB (peak)': Math.round(w.peakRss),
  };
}

const results = [];
results.push(await measure(`Forward mode, ${BATCH} records/request, ${CONNECTIONS} connections`, forwardRequests));
results.push(await measure(`CompressedPackedForward (gzip), ${BATCH} records/request, ${CONNECTIONS} connections`, gzipRequests));
const hwm = procStatus('VmHWM');
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
receiver.close();

console.log(
  `segura-siem serve --forward → forward:// bench — ${SECONDS}s per case after ${WARMUP_MS / 1000}s warm-up, ${cpus().length} CPUs${canPin ? ', server pinned to CPU 0, sender and receiver to CPU 1' : ''}`,
);
console.table(results);
console.log(`server peak RSS (VmHWM): ${Math.round(hwm)} MB`);
console.log(JSON.stringify({ bench: 'forward', results, serverVmHwmMb: Math.round(hwm) }));
