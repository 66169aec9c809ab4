#!/usr/bin/env node
// Runs every bench in turn (npm run bench builds first) and prints their figures.
// Each bench is its own process so one's memory never counts against another's.
import { execFileSync } from 'node:child_process';

const benches = [
  ['stdio, every format, 1,000,000 records', ['bench/stdio.bench.mjs']],
  ['follow → syslog+tcp octet framing, 1,000,000 records', ['bench/follow-syslog.bench.mjs']],
  ['gRPC FormatStream and OTLP Export, 8 s each', ['bench/grpc.bench.mjs']],
  ['Fluent Forward in → format → Forward out, 8 s', ['bench/forward.bench.mjs']],
];
for (const [title, args] of benches) {
  console.log(`\n== ${title}`);
  execFileSync(process.execPath, args, { stdio: 'inherit' });
}
