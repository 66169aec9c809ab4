#!/usr/bin/env node
// The trivial baseline for the stdio bench: split lines, JSON.parse each, write a constant
// line per record. Whatever segura-siem does on top of this is the cost of the real work.
import { createInterface } from 'node:readline';

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
const CONSTANT = 'CEF:0|MT4|Segura|3.27.0-4|0|baseline|5|msg=constant\n';
let buffer = '';
for await (const line of rl) {
  JSON.parse(line);
  buffer += CONSTANT;
  if (buffer.length > 65536) {
    if (!process.stdout.write(buffer)) await new Promise((r) => process.stdout.once('drain', r));
    buffer = '';
  }
}
process.stdout.write(buffer);
