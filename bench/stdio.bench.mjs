#!/usr/bin/env node
// Throughput and peak RSS of `segura-siem stdio` on a 1,000,000-record file, per format,
// next to the trivial baseline (bench/baseline.mjs) on the same file. Each run is pinned to
// one core with taskset when available; stdout goes to /dev/null.
//   npm run build && node bench/stdio.bench.mjs [COUNT=1000000] [FORMATS=cef,cef+rfc5424,cef+rfc3164,rfc5424,sensage]
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync } from 'node:fs';
import { cpus } from 'node:os';

const count = Number(process.argv[2] ?? 1_000_000);
const formats = (process.argv[3] ?? 'cef,cef+rfc5424,cef+rfc3164,rfc5424,sensage').split(',');
mkdirSync('bench/out', { recursive: true });
const file = `bench/out/events-${count}.ndjson`;
if (!existsSync(file)) execFileSync('node', ['bench/gen-events.mjs', file, String(count)], { stdio: 'inherit' });
const hasTaskset = existsSync('/usr/bin/taskset');
const hasTime = existsSync('/usr/bin/time');

/** Runs `node args…` < file > /dev/null; returns seconds and peak RSS in MB. */
function run(args) {
  return new Promise((resolve, reject) => {
    const input = openSync(file, 'r');
    const output = openSync('/dev/null', 'w');
    let cmd = 'node';
    let argv = args;
    if (hasTime) [cmd, argv] = ['/usr/bin/time', ['-f', 'MAXRSS_KB=%M', cmd, ...argv]];
    if (hasTaskset) [cmd, argv] = ['taskset', ['-c', '0', cmd, ...argv]];
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, { stdio: [input, output, 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      closeSync(input);
      closeSync(output);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`));
      const m = /MAXRSS_KB=(\d+)/.exec(stderr);
      resolve({ seconds, rssMb: m ? Number(m[1]) / 1024 : NaN, stderr });
    });
  });
}

function flagsFor(spec) {
  const [format, envelope] = spec.split('+');
  return ['--format', format, ...(envelope ? ['--envelope', envelope] : [])];
}

console.log(`machine: ${cpus()[0].model}, ${cpus().length} cores, node ${process.version}; ${count} records; pinned to one core: ${hasTaskset}`);
const base = await run(['bench/baseline.mjs']);
const baseRate = count / base.seconds;
console.log(`baseline (split + JSON.parse + constant line): ${Math.round(baseRate).toLocaleString('en')} records/s, peak RSS ${base.rssMb.toFixed(0)} MB`);
for (const spec of formats) {
  const r = await run(['dist/segura-siem.js', 'stdio', ...flagsFor(spec), '--log-level', 'error']);
  const rate = count / r.seconds;
  console.log(`stdio --format ${spec.padEnd(12)} ${Math.round(rate).toLocaleString('en').padStart(9)} records/s (${(rate / baseRate * 100).toFixed(0)}% of baseline), peak RSS ${r.rssMb.toFixed(0)} MB`);
}
