import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLAGS, flagsForMode } from '../../plugin/config/flags.js';
import { collect, jsonLines, ROOT, runCli, spawnCli, waitForOutput } from '../helpers/cli.js';

const sample = readFileSync(join(ROOT, 'config-examples/sample-events.ndjson'), 'utf8');
const sampleRecords = sample.split('\n').filter((l) => l.trim() !== '');
const good = (i: number) => JSON.stringify({ event_id: '16', type: 'session-started', msg: `session ${i}`, suser: 'stlee', timestamp: '2026-01-19T10:41:00Z' });

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
