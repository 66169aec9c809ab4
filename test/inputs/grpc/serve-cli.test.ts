/**
 * The bundled CLI (`dist/segura-siem.js serve`, built by pretest) as a sidecar, copied alone
 * into an empty directory: no proto/ and no node_modules beside it, so it proves the
 * contracts are embedded in the bundle. Formatter, Vector push to the stdout sink, health
 * on the probe port, /metrics, and SIGTERM: Watch sees NOT_SERVING, then the process exits 0.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { assertBuilt, CLI } from '../../helpers/cli.js';
import { Clients, insecure, seguraRecord, unary } from './support.js';

let child: ChildProcessWithoutNullStreams;
let stdout = '';
let stderr = '';
let serving: { grpc: string; health: string; metrics: string };
let exited: Promise<number | null>;

beforeAll(async () => {
  assertBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'segura-siem-bundle-'));
  copyFileSync(CLI, join(dir, 'segura-siem.js'));
  writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}\n');
  child = spawn(process.execPath, [join(dir, 'segura-siem.js'), 'serve', '--grpc', '127.0.0.1:0', '--health', '127.0.0.1:0', '--metrics', '127.0.0.1:0'], {
    cwd: dir,
  });
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  serving = await new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      const line = stderr.split('\n').find((l) => l.includes('"msg":"serving"'));
      if (line !== undefined) resolve(JSON.parse(line));
    });
    child.on('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
  });
});

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
});

describe('segura-siem serve (bundled)', () => {
  it('formats, delivers Vector pushes to stdout, reports health and metrics, and drains on SIGTERM', async () => {
    const formatter = new (Clients.Formatter())(serving.grpc, insecure());
    const vector = new (Clients.Vector())(serving.grpc, insecure());
    const probe = new (Clients.Health())(serving.health, insecure());
    try {
      const res = await unary<{ results: Array<{ line?: string; error?: { code: string } }> }>(formatter, 'Format', {
        records: [{ json: JSON.stringify(seguraRecord(1)) }, { json: '{' }],
      });
      expect(res.results[0]!.line).toMatch(/^CEF:0\|MT4\|Segura\|[^|]*\|16\|.*msg=session 1/);
      expect(res.results[1]!.error!.code).toBe('SEG_ERR_JSON');

      const str = (s: string) => ({ rawBytes: Buffer.from(s) });
      await unary(vector, 'PushEvents', {
        events: [{ log: { fields: { event_id: str('16'), msg: str('via vector'), spid: { integer: '9007199254740993' } } } }],
      });
      expect(stdout).toContain('msg=via vector');
      // int64 beyond 2^53 keeps its digits even without long.js beside the bundle.
      expect(stdout).toContain('9007199254740993');

      expect((await unary<{ status: number }>(probe, 'Check', { service: '' })).status).toBe(1);
      const metrics = await new Promise<string>((resolve, reject) => {
        const [host, port] = serving.metrics.split(':');
        request({ host, port: Number(port), path: '/metrics' }, (r) => {
          let body = '';
          r.setEncoding('utf8').on('data', (c: string) => (body += c));
          r.on('end', () => resolve(body));
        }).on('error', reject).end();
      });
      expect(metrics).toContain('segura_siem_records_in_total{transport="grpc-formatter"} 2');
      expect(metrics).toContain('segura_siem_records_out_total{transport="vector"} 1');

      const w = (probe as unknown as { Watch(r: unknown): grpc.ClientReadableStream<{ status?: number }> }).Watch({ service: '' });
      const seen: number[] = [];
      w.on('error', () => {});
      const sawNotServing = new Promise<void>((resolve) =>
        w.on('data', (m: { status?: number }) => {
          seen.push(m.status ?? 0);
          if (m.status === 2) resolve();
        }),
      );
      while (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGTERM');
      await sawNotServing;
      expect(seen).toEqual([1, 2]);
      expect(await exited).toBe(0);
      expect(stderr).toContain('"msg":"summary"');
    } finally {
      for (const c of [formatter, vector, probe]) c.close();
    }
  });
});
