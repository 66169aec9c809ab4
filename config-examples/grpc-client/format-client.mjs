#!/usr/bin/env node
// A small client for segura-siem's gRPC Formatter: reads Segura JSON records (one per line)
// from a file or stdin, sends them in batches on one FormatStream, and prints each
// formatted line to stdout in input order; records that cannot be formatted are reported
// on stderr with their line number. Built from proto/segura/siem/v1/formatter.proto with
// @grpc/grpc-js and @grpc/proto-loader.
//
//   node format-client.mjs [--address 127.0.0.1:50051] [--format cef|rfc5424|sensage]
//       [--envelope none|rfc5424|rfc3164] [--profile segura|strict] [--deliver]
//       [--batch 500] [--in-flight 8] [--ca ca.pem [--cert client.pem --key client.key]]
//       [--proto-dir DIR] [FILE]
//
// Exit status: 0 all records formatted, 3 some records were refused, 1 the call failed.
import { createReadStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    address: { type: 'string', default: '127.0.0.1:50051' },
    format: { type: 'string' },
    envelope: { type: 'string' },
    profile: { type: 'string' },
    deliver: { type: 'boolean', default: false },
    batch: { type: 'string', default: '500' },
    'in-flight': { type: 'string', default: '8' },
    ca: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    'proto-dir': { type: 'string', default: join(dirname(fileURLToPath(import.meta.url)), '../../proto') },
  },
});

// Enum values are the names in formatter.proto; unset means "the server's configuration".
const enumName = (prefix, v) => (v === undefined ? undefined : `${prefix}_${v.toUpperCase()}`);
const options = {
  format: enumName('FORMAT', opt.format),
  envelope: enumName('ENVELOPE', opt.envelope),
  profile: enumName('PROFILE', opt.profile),
  deliver: opt.deliver,
};

const definition = loadSync('segura/siem/v1/formatter.proto', { includeDirs: [opt['proto-dir']], enums: String, oneofs: true });
const { Formatter } = grpc.loadPackageDefinition(definition).segura.siem.v1;
const credentials =
  opt.ca === undefined
    ? grpc.credentials.createInsecure()
    : grpc.credentials.createSsl(readFileSync(opt.ca), opt.key && readFileSync(opt.key), opt.cert && readFileSync(opt.cert));
// grpc-js reads with a 64 KiB HTTP/2 window by default, less than one response of 500
// lines: a wider window lets responses flow without waiting for window updates.
const client = new Formatter(opt.address, credentials, { 'grpc-node.flow_control_window': 8 * 1024 * 1024 });

// `| head` closes stdout early: stop quietly.
process.stdout.on('error', (e) => process.exit(e.code === 'EPIPE' ? 0 : 1));

const batchSize = Number(opt.batch);
const maxInFlight = Number(opt['in-flight']);
const call = client.FormatStream();
let inFlight = 0;
let refused = 0;
let wake = () => {};

call.on('data', (res) => {
  for (const r of res.results) {
    if (r.outcome === 'line') process.stdout.write(`${r.line}\n`);
    else {
      refused++;
      // The message names the record by its id ("line 12: invalid JSON ...").
      process.stderr.write(`${r.error.code}${r.error.field ? ` (${r.error.field})` : ''}: ${r.error.message}\n`);
    }
  }
  inFlight--;
  wake();
});
const finished = new Promise((resolve, reject) => {
  call.on('error', reject);
  call.on('status', (s) => (s.code === grpc.status.OK ? resolve() : reject(new Error(s.details))));
});

// Send batches, at most `maxInFlight` unanswered at a time (the server reads at most
// --stream-window ahead anyway; waiting here keeps this client's memory bounded too).
async function send(records) {
  while (inFlight >= maxInFlight) await new Promise((r) => (wake = r));
  inFlight++;
  if (!call.write({ records, options })) await new Promise((r) => call.once('drain', r));
}

const input = positionals[0] === undefined ? process.stdin : createReadStream(positionals[0]);
let batch = [];
let lineNo = 0;
for await (const line of createInterface({ input, crlfDelay: Infinity })) {
  lineNo++;
  if (line.trim() === '') continue;
  batch.push({ id: `line ${lineNo}`, json: line });
  if (batch.length >= batchSize) {
    await send(batch);
    batch = [];
  }
}
if (batch.length > 0) await send(batch);
call.end();

try {
  await finished;
  process.exitCode = refused > 0 ? 3 : 0;
} catch (e) {
  process.stderr.write(`format-client: ${e.message}\n`);
  process.exitCode = 1;
} finally {
  client.close();
}
