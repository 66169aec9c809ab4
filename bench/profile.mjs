#!/usr/bin/env node
// Where `segura-siem stdio` spends its time: runs the CLI once under `node --cpu-prof` on an
// NDJSON file (stdout to /dev/null) and prints the functions with the most self time, then
// the same grouped by source file, so a hot path is visible without a profiler UI.
//   npm run build && node bench/profile.mjs [FILE=bench/out/events-200000.ndjson] [TOP=30] [-- extra stdio flags]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dash = process.argv.indexOf('--');
const args = dash < 0 ? process.argv.slice(2) : process.argv.slice(2, dash);
const extra = dash < 0 ? [] : process.argv.slice(dash + 1);
const file = args[0] ?? 'bench/out/events-200000.ndjson';
const top = Number(args[1] ?? 30);
const bundle = process.env.SEGURA_SIEM_BUNDLE ?? 'dist/segura-siem.js';

const dir = mkdtempSync(join(tmpdir(), 'segura-prof-'));
const input = openSync(file, 'r');
const output = openSync('/dev/null', 'w');
const run = spawnSync('node', ['--cpu-prof', `--cpu-prof-dir=${dir}`, bundle, 'stdio', '--log-level', 'error', ...extra], {
  stdio: [input, output, 'inherit'],
});
closeSync(input);
closeSync(output);
if (run.status !== 0) throw new Error(`segura-siem exited ${run.status}`);
const profileFile = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (profileFile === undefined) throw new Error('no .cpuprofile written');
const profile = JSON.parse(readFileSync(join(dir, profileFile), 'utf8'));
rmSync(dir, { recursive: true, force: true });

// Self time per node = samples that landed on it × the mean sampling interval.
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
const totalSamples = profile.samples.length;
const totalMs = (profile.endTime - profile.startTime) / 1000;
const byFunction = new Map();
const byFile = new Map();
for (const node of profile.nodes) {
  const n = counts.get(node.id) ?? 0;
  if (n === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? url.split('/').pop() : '';
  const fn = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + n);
  const group = where || functionName;
  byFile.set(group, (byFile.get(group) ?? 0) + n);
}
const show = (title, map, limit) => {
  console.log(`\n${title}`);
  for (const [name, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    const ms = (n / totalSamples) * totalMs;
    console.log(`${((n / totalSamples) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${name}`);
  }
};
console.log(`profile of ${bundle} stdio ${extra.join(' ')} < ${file}: ${totalMs.toFixed(0)} ms, ${totalSamples} samples`);
show('self time by function', byFunction, top);
show('self time by file', byFile, 10);
