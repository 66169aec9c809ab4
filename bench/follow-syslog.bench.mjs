#!/usr/bin/env node
// Throughput and peak RSS of `segura-siem follow FILE --from beginning` delivering to a
// syslog+tcp sink with octet-counting framing (RFC 6587 §3.4.1), against a listener in this
// process that parses and counts the frames. It stops by itself once every record arrived.
// The child is pinned to one core with taskset when available; its peak RSS is VmHWM from
// /proc/<pid>/status, read just before it is told to stop.
//   npm run build && node bench/follow-syslog.bench.mjs [COUNT=1000000] [FORMAT=cef+rfc5424] [BATCH_LINES=500]
// SEGURA_SIEM_CLI overrides the bundle to run (default dist/segura-siem.js).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';

const count = Number(process.argv[2] ?? 1_000_000);
const [format, envelope] = (process.argv[3] ?? 'cef+rfc5424').split('+');
const batchLines = process.argv[4] ?? '500';
const cli = process.env.SEGURA_SIEM_CLI ?? 'dist/segura-siem.js';

mkdirSync('bench/out', { recursive: true });
const file = `bench/out/events-${count}.ndjson`;
if (!existsSync(file)) execFileSync('node', ['bench/gen-events.mjs', file, String(count)], { stdio: 'inherit' });
const state = `bench/out/follow-state-${process.pid}.json`;
rmSync(state, { force: true });

/** Counts octet-counted frames (`MSG-LEN SP MSG`) on one connection; anything else is an error. */
function frameCounter(onFrame) {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      const sp = buf.indexOf(0x20, pos);
      if (sp < 0 || sp - pos > 9) {
        if (sp - pos > 9) throw new Error(`bad frame header at ${pos}`);
        break;
      }
      const len = Number(buf.toString('latin1', pos, sp));
      if (!Number.isInteger(len) || len <= 0) throw new Error(`bad MSG-LEN "${buf.toString('latin1', pos, sp)}"`);
      if (buf.length < sp + 1 + len) break;
      onFrame(buf, sp + 1, len);
      pos = sp + 1 + len;
    }
    pending = buf.subarray(pos);
    if (pending.length > 0) pending = Buffer.from(pending);
  };
}

function peakRssMb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

let frames = 0;
let bytes = 0;
let firstAt = 0n;
let lastAt = 0n;
let sample = '';
let allArrived;
const arrived = new Promise((r) => (allArrived = r));
const server = createServer((socket) => {
  const feed = frameCounter((buf, start, len) => {
    if (frames === 0) {
      firstAt = process.hrtime.bigint();
      sample = buf.toString('utf8', start, start + Math.min(len, 160));
    }
    frames++;
    bytes += len;
    if (frames === count) {
      lastAt = process.hrtime.bigint();
      allArrived();
    }
  });
  socket.on('data', (d) => {
    try {
      feed(d);
    } catch (e) {
      console.error(`listener: ${e.message}`);
      process.exit(1);
    }
  });
  socket.on('error', () => {});
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

const args = [cli, 'follow', file, '--state', state, '--from', 'beginning', '--batch-lines', batchLines,
  '--sink', `syslog+tcp://127.0.0.1:${port}`, '--framing', 'octet', '--format', format,
  ...(envelope ? ['--envelope', envelope] : []), '--log-level', 'error'];
const pinned = existsSync('/usr/bin/taskset');
const [cmd, argv] = pinned ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
const t0 = process.hrtime.bigint();
const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
let stderr = '';
child.stderr.on('data', (d) => (stderr += d));
const exited = new Promise((r) => child.on('close', (code, signal) => r({ code, signal })));
const early = exited.then((r) => {
  if (frames < count) {
    console.error(`follow exited early (${JSON.stringify(r)}) after ${frames} of ${count} frames:\n${stderr.slice(-2000)}`);
    process.exit(1);
  }
});

await arrived;
const rss = peakRssMb(child.pid);
child.kill('SIGTERM');
const { code } = await exited;
await early;
server.close();
rmSync(state, { force: true });

const total = Number(lastAt - t0) / 1e9;
const steady = Number(lastAt - firstAt) / 1e9;
console.log(`machine: ${cpus()[0].model}, ${cpus().length} cores, node ${process.version}; pinned to one core: ${pinned}`);
console.log(`follow ${file} -> syslog+tcp octet, --format ${format}${envelope ? ` --envelope ${envelope}` : ''}, --batch-lines ${batchLines}`);
console.log(`${count.toLocaleString('en')} records (${(bytes / 1e6).toFixed(1)} MB of messages) in ${total.toFixed(2)} s from spawn to the last frame: ` +
  `${Math.round(count / total).toLocaleString('en')} records/s (${Math.round(count / steady).toLocaleString('en')} records/s from the first frame); ` +
  `peak RSS ${rss.toFixed(0)} MB; exit code on SIGTERM ${code}`);
console.log(`first frame: ${sample}${sample.length >= 160 ? '…' : ''}`);
