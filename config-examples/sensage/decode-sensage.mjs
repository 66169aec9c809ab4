#!/usr/bin/env node
/**
 * Reference decoder for segura-siem's Sensage layout (this project's layout, not Segura's):
 * reads lines from stdin and writes one JSON object per line to stdout, with the column
 * names from columns.tsv (or --columns a,b,c when the output used --sensage-columns), every
 * value unescaped, and the `extra` column also split into `extra_fields`. It shows, in
 * runnable form, exactly what a SenSage collector/PTL must do with each line:
 *   1. split the line on TAB (a value never contains a raw TAB, CR or LF);
 *   2. in each value, replace \\ \t \n \r by backslash, TAB, LF, CR (no other escape exists);
 *   3. optionally split `extra` into key=value pairs: a key is [A-Za-z][A-Za-z0-9]*, pairs
 *      are separated by one space, and inside a value \\ \= \n \r stand for \ = LF CR
 *      (a raw "=" only ever follows a key).
 * Usage: node decode-sensage.mjs [--columns name,name,...] < events.tsv > events.jsonl
 * Exits with status 1 and a message naming the line on the first malformed line.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const COLUMN_ESCAPES = { '\\': '\\', t: '\t', n: '\n', r: '\r' };
const EXTRA_ESCAPES = { '\\': '\\', '=': '=', n: '\n', r: '\r' };
const KEY_AT = /^[A-Za-z][A-Za-z0-9]*=/;

function defaultColumns() {
  const text = readFileSync(new URL('./columns.tsv', import.meta.url), 'utf8');
  return text.split('\n').slice(1).filter((l) => l !== '').map((l) => l.split('\t')[1]);
}

function unescapeWith(table, s, what) {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') {
      out += s[i];
      continue;
    }
    const decoded = table[s[i + 1]];
    if (decoded === undefined) throw new Error(`invalid escape in ${what} at ${i}`);
    out += decoded;
    i++;
  }
  return out;
}

/** Splits CEF-extension pairs: `k1=v1 k2=v 2` → [['k1','v1'],['k2','v 2']] (values unescaped). */
export function parseExtra(text) {
  const pairs = [];
  let pos = 0;
  while (pos < text.length) {
    const key = KEY_AT.exec(text.slice(pos));
    if (key === null) throw new Error(`expected key= in extra at ${pos}`);
    const start = pos + key[0].length;
    let end = start;
    while (end < text.length && !(text[end] === ' ' && KEY_AT.test(text.slice(end + 1)))) {
      if (text[end] === '=') throw new Error(`unescaped = in extra at ${end}`);
      end += text[end] === '\\' ? 2 : 1;
    }
    pairs.push([key[0].slice(0, -1), unescapeWith(EXTRA_ESCAPES, text.slice(start, end), 'extra')]);
    pos = end + 1;
  }
  return pairs;
}

export function decodeLine(line, columns) {
  const values = line.split('\t');
  if (values.length !== columns.length) throw new Error(`expected ${columns.length} columns, got ${values.length}`);
  const row = {};
  columns.forEach((name, i) => {
    row[name] = unescapeWith(COLUMN_ESCAPES, values[i], `column ${name}`);
  });
  if ('extra' in row) row.extra_fields = Object.fromEntries(parseExtra(row.extra));
  return row;
}

async function main() {
  const flag = process.argv.indexOf('--columns');
  const columns = flag > 0 ? process.argv[flag + 1].split(',') : defaultColumns();
  let n = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    n++;
    try {
      process.stdout.write(`${JSON.stringify(decodeLine(line, columns))}\n`);
    } catch (e) {
      process.stderr.write(`line ${n}: ${e.message}\n`);
      process.exit(1);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
