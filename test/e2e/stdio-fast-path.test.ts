/**
 * End to end, the line fast path changes nothing a reader can see: the built CLI given 20,000
 * bench records (plus a few bad and odd lines) writes the same stdout bytes and the same
 * stderr reports (times aside) with the fast paths on (`stdio`, input as a regular file and
 * as a pipe, so lines also span read chunks) as with them off (`--max-bytes` far above every
 * line, which turns off the byte and line fast paths without cutting anything).
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertBuilt, CLI, jsonLines, ROOT } from '../helpers/cli.js';

const RECORDS = 20_000;
const MAX_BYTES = 1_000_000;

/** Lines the fast path must decline, among the bench records: the ordinary path reports them. */
const ODD_LINES = [
  '{not json',
  '[1,2]',
  '',
  '   \r',
  '\ufeff{"event_id":"16","msg":"after a BOM","timestamp":"2026-01-19T10:41:00Z"}',
  '{"event_id":"16","msg":"trailing blank   ","suser":"x\\u0000y","timestamp":"2026-01-19T10:41:00"}',
  '{"event_id":"16","name":"bad|name\\n","msg":"repaired header","severity":"High"}',
  '{"event_id":"16","msg":{"nested":true},"dpt":"70000"}',
  '{"event_id":"16","severity":"loud"}',
  '{"event_id":"16","msg":"named twice","event_id":"17","dport":22,"dpt":23}',
];

interface Output {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the CLI with stdin from `file`, as a regular file or piped. */
function runOn(file: string, args: readonly string[], how: 'file' | 'pipe'): Promise<Output> {
  assertBuilt();
  const fd = how === 'file' ? openSync(file, 'r') : undefined;
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: [fd ?? 'pipe', 'pipe', 'pipe'] });
  if (fd !== undefined) closeSync(fd);
  else child.stdin!.end(readFileSync(file));
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
  });
}

/** The stderr reports without their times. */
const reports = (stderr: string): Array<Record<string, unknown>> =>
  jsonLines(stderr).map((e) => {
    const { time: _time, ...rest } = e;
    return rest;
  });

describe('stdio with and without the line fast path (real process)', () => {
  it('writes the same bytes and reports the same errors for 20,000 bench records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fast-path-e2e-'));
    const generated = join(dir, 'events.ndjson');
    execFileSync(process.execPath, [join(ROOT, 'bench/gen-events.mjs'), generated, String(RECORDS)], { stdio: 'ignore' });
    const records = readFileSync(generated, 'utf8').split('\n').slice(0, -1);
    expect(records).toHaveLength(RECORDS);
    // The odd lines spread through the file (one of them with invalid UTF-8), then the rest.
    const lines: Array<string | Buffer> = [];
    records.forEach((r, i) => {
      lines.push(r);
      if (i % 2000 === 1000) lines.push(ODD_LINES[((i / 2000) | 0) % ODD_LINES.length]!);
    });
    const input = join(dir, 'input.ndjson');
    writeFileSync(
      input,
      Buffer.concat([
        ...lines.map((l) => Buffer.from(`${l}\n`)),
        Buffer.from('{"event_id":"16","msg":"'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}\n'),
      ]),
    );

    const [fast, piped, slow] = await Promise.all([
      runOn(input, ['stdio'], 'file'),
      runOn(input, ['stdio'], 'pipe'),
      runOn(input, ['stdio', '--max-bytes', String(MAX_BYTES)], 'file'),
    ]);
    for (const run of [fast, piped, slow]) expect(run.code).toBe(0);

    // Every record line fits far below the budget: --max-bytes cut nothing, so the lines must match.
    const outLines = slow.stdout.toString('utf8').split('\n').slice(0, -1);
    expect(Math.max(...outLines.map((l) => Buffer.byteLength(l)))).toBeLessThan(MAX_BYTES / 10);
    expect(outLines.length).toBeGreaterThan(RECORDS);

    expect(fast.stdout.equals(slow.stdout)).toBe(true);
    expect(piped.stdout.equals(slow.stdout)).toBe(true);
    const slowReports = reports(slow.stderr);
    expect(reports(fast.stderr)).toEqual(slowReports);
    expect(reports(piped.stderr)).toEqual(slowReports);
    // The reports are there: errors for the bad lines, a warning per repair, the summary.
    expect(slowReports.filter((r) => r['level'] === 'error').map((r) => r['code'])).toEqual(
      expect.arrayContaining(['SEG_ERR_JSON', 'SEG_ERR_NOT_OBJECT', 'SEG_ERR_UTF8', 'SEG_ERR_FIELD']),
    );
    expect(slowReports.some((r) => r['level'] === 'warn')).toBe(true);
    expect(slowReports.at(-1)).toMatchObject({ msg: 'summary', failed: 4 });
  });
});
