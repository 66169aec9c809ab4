import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLAGS, flagsForMode } from '../../plugin/config/flags.js';
import { assertBuilt, CLI, collect, jsonLines, ROOT, runCli, spawnCli, waitForOutput } from '../helpers/cli.js';

const sample = readFileSync(join(ROOT, 'config-examples/sample-events.ndjson'), 'utf8');
const sampleRecords = sample.split('\n').filter((l) => l.trim() !== '');
const good = (i: number) => JSON.stringify({ event_id: '16', type: 'session-started', msg: `session ${i}`, suser: 'stlee', timestamp: '2026-01-19T10:41:00Z' });

/** Values that exercise every escaping and repair rule of the CEF writer. */
const HOSTILE = ['a=b', 'C:\\Temp\\', 'pipe | here', 'line1\nline2', 'cr\r\nlf', 'tab\there', 'trailing  ', '   ', '', 'ação 李小龍 \u{1F600}', 'lone \ud800 half', 'nel\u0085 ls\u2028', 'x suser=admin'];

/** About 1.6 MB of records (more than one 1 MiB read), with hostile values, unknown keys and repaired headers. */
function mixedInput(): Buffer {
  const types = [['16', 'session-started'], ['13', 'password-request'], ['102', 'master-key-recovery-failed'], ['336.501', 'report-schedule-updated'], ['7', undefined]] as const;
  const lines: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const [id, type] = types[i % types.length]!;
    const v = (k: number) => HOSTILE[(i + k) % HOSTILE.length]!;
    lines.push(JSON.stringify({
      event_id: id, type, name: i % 97 === 0 ? 'bad|name\n' : undefined, severity: i % 31 === 0 ? 'High' : undefined,
      msg: `record ${i} ${v(0)} ${'z'.repeat(i % 200)}`, suser: v(1), sname: v(2), cs1: v(3), cs2: i, dst: i % 9 === 0 ? '2001:db8::1' : `10.0.${i % 250}.1`,
      dpt: i % 50, 'weird key.é': v(4), requestMethod: 'POST', timestamp: new Date(Date.UTC(2026, 0, 19, 10, 41) + i * 997).toISOString(),
      product_version: '3.27.0-4',
    }));
  }
  return Buffer.from(lines.join('\n') + '\n');
}

/** Runs the CLI with stdin from `input` (a file path: the child reads a regular file) and returns stdout bytes. */
function runBytes(args: readonly string[], input: { file: string } | { pipe: Buffer }): Promise<Buffer> {
  assertBuilt();
  const fd = 'file' in input ? openSync(input.file, 'r') : undefined;
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: [fd ?? 'pipe', 'pipe', 'ignore'] });
  if (fd !== undefined) closeSync(fd);
  if ('pipe' in input) child.stdin!.end(input.pipe);
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (d: Buffer) => chunks.push(d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`exit ${code}`))));
  });
}

describe('segura-siem stdio (real process)', () => {
  it('prints one CEF line per bundled sample record, in order, and exits 0', async () => {
    const r = await runCli(['stdio'], sample);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').slice(0, -1);
    expect(lines).toHaveLength(sampleRecords.length);
    for (const line of lines) expect(line).toMatch(/^CEF:0\|MT4\|Segura\|/);
    const summary = jsonLines(r.stderr).find((e) => e['msg'] === 'summary');
    expect(summary).toMatchObject({ mode: 'stdio', records: sampleRecords.length, lines: sampleRecords.length, failed: 0 });
  });

  it('answers a record written alone before stdin is closed (prompt flush)', async () => {
    const child = spawnCli(['stdio']);
    const done = collect(child);
    child.stdin.write(good(1) + '\n');
    const first = await waitForOutput(child.stdout, /CEF:0[^\n]*\n/);
    expect(first).toContain('msg=session 1');
    child.stdin.write(good(2) + '\n');
    expect(await waitForOutput(child.stdout, /CEF:0[^\n]*session 2[^\n]*\n/)).toContain('msg=session 2');
    child.stdin.end();
    expect((await done).code).toBe(0);
  });

  it('reports each bad line as a JSON error with its line number and keeps going', async () => {
    const input = Buffer.concat([
      Buffer.from(`${good(1)}\n{not json\n[1,2]\n`),
      Buffer.from('{"msg":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`"}\n${'x'.repeat(200)}\n${good(6)}\n`),
    ]);
    const r = await runCli(['stdio', '--max-line-bytes', '150'], input);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, -1).map((l) => /msg=([^ ]*( \d+)?)/.exec(l)?.[1])).toEqual(['session 1', 'session 6']);
    const errors = jsonLines(r.stderr).filter((e) => e['level'] === 'error');
    expect(errors.map((e) => [e['line'], e['code']])).toEqual([
      [2, 'SEG_ERR_JSON'],
      [3, 'SEG_ERR_NOT_OBJECT'],
      [4, 'SEG_ERR_UTF8'],
      [5, 'SEG_ERR_LINE_TOO_LONG'],
    ]);
    const summary = jsonLines(r.stderr).find((e) => e['msg'] === 'summary');
    expect(summary).toMatchObject({ records: 6, lines: 2, failed: 4 });
  });

  it('writes errors to --errors FILE (Fluentd discards stderr) and nothing to stderr', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'seg-stdio-')), 'errors.log');
    const r = await runCli(['stdio', '--errors', file], `${good(1)}\nnope\n`);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    const logged = jsonLines(readFileSync(file, 'utf8'));
    expect(logged.find((e) => e['level'] === 'error')).toMatchObject({ line: 2, code: 'SEG_ERR_JSON' });
    expect(logged.find((e) => e['msg'] === 'summary')).toMatchObject({ records: 2, lines: 1, failed: 1 });
  });

  it('stops reading stdin while stdout is not read (bounded memory), then finishes everything', async () => {
    const child = spawnCli(['stdio']);
    child.stdout.pause();
    const n = 200_000;
    const payload = Buffer.from(Array.from({ length: n }, (_, i) => good(i)).join('\n') + '\n');
    const accepted = child.stdin.write(payload);
    await new Promise((r) => setTimeout(r, 300));
    // The child has stopped consuming: most of the payload is still queued on our side.
    expect(accepted).toBe(false);
    expect(child.stdin.writableLength).toBeGreaterThan(payload.length / 2);
    child.stdin.end();
    let count = 0;
    child.stdout.on('data', (d: Buffer) => {
      for (const b of d) if (b === 0x0a) count++;
    });
    child.stdout.resume();
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(count).toBe(n);
  });

  it('exits cleanly when the reader goes away (EPIPE)', async () => {
    const child = spawnCli(['stdio']);
    const done = collect(child);
    child.stdin.write(good(1) + '\n');
    await waitForOutput(child.stdout, /\n/);
    child.stdout.destroy();
    for (let i = 0; i < 2000 && !child.stdin.destroyed; i++) child.stdin.write(good(i) + '\n');
    child.stdin.end();
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/fatal|Unhandled|at .*\.js:\d+/);
  });

  it('drains and exits 0 on SIGTERM, logging a summary', async () => {
    const child = spawnCli(['stdio']);
    const done = collect(child);
    child.stdin.write(`${good(1)}\n${good(2)}\n`);
    await waitForOutput(child.stdout, /session 2[^\n]*\n/);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    expect(jsonLines(r.stderr).find((e) => e['msg'] === 'summary')).toMatchObject({ records: 2, lines: 2 });
  });

  it('writes the same bytes on the byte fast path as on the string path, from a file or a pipe', async () => {
    const input = mixedInput();
    const file = join(mkdtempSync(join(tmpdir(), 'seg-stdio-')), 'in.ndjson');
    writeFileSync(file, input);
    // --max-bytes far above any line takes the string path (a budget needs the rendered string).
    const [bytesFromFile, bytesFromPipe, stringPath] = await Promise.all([
      runBytes(['stdio'], { file }),
      runBytes(['stdio'], { pipe: input }),
      runBytes(['stdio', '--max-bytes', '10000000'], { file }),
    ]);
    const lines = bytesFromFile.toString('utf8').split('\n');
    expect(lines).toHaveLength(4001);
    expect(lines[0]).toMatch(/^CEF:0\|MT4\|Segura\|3\.27\.0-4\|16\|/);
    expect(bytesFromPipe.equals(bytesFromFile)).toBe(true);
    expect(stringPath.equals(bytesFromFile)).toBe(true);
  });

  it('documents every flag of each mode in --help', async () => {
    for (const mode of ['stdio', 'follow', 'serve'] as const) {
      const r = await runCli([mode, '--help']);
      expect(r.code).toBe(0);
      for (const f of flagsForMode(mode)) expect(r.stdout, `${mode} --${f.name}`).toContain(`--${f.name}`);
    }
    const top = await runCli(['--help']);
    expect(top.stdout).toContain('Modes:');
    expect(FLAGS.length).toBeGreaterThan(40);
  });

  it('reports a config problem found while building the pipeline as a config error (exit 2)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'seg-stdio-')), 'bad-alias.yaml');
    writeFileSync(file, 'normalize:\n  aliases:\n    userLogin: notAKey\n');
    const r = await runCli(['stdio', '--config', file], good(1) + '\n');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('alias userLogin → notAKey');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 with a clear message on a bad flag, before reading input', async () => {
    const r = await runCli(['stdio', '--format', 'xml'], good(1) + '\n');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--format: expected one of cef|rfc5424|sensage, got "xml"');
  });
});
