/**
 * `segura-siem follow` delivering to a syslog+tcp sink (the real CLI, a real listener on
 * 127.0.0.1): while the SIEM is down the batch is retried, never skipped, and the saved
 * position does not move; once the SIEM is up every record arrives once, in order, octet
 * framed, and the position moves to the end of the file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, jsonLines, spawnCli } from '../helpers/cli.js';
import { startStreamListener, type StreamListener } from '../helpers/syslog-listener.js';

const record = (id: number) =>
  JSON.stringify({ event_id: '16', type: 'session-started', msg: `rec ${id}`, suser: 'stlee', timestamp: '2026-01-19T10:41:00Z' });

let dir: string;
let listener: StreamListener | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seg-follow-syslog-'));
});

afterEach(async () => {
  await listener?.close();
  listener = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A port nothing listens on (for now): bound, then released. */
async function freePort(): Promise<number> {
  const probe = await startStreamListener({ framing: 'octet' });
  const port = probe.port;
  await probe.close();
  return port;
}

describe('segura-siem follow → syslog+tcp (real process, real listener)', () => {
  it('holds the position while the SIEM is down, then delivers every record once, in order', async () => {
    const file = join(dir, 'audit.json');
    const state = join(dir, 'follow.state');
    const count = 120;
    writeFileSync(file, Array.from({ length: count }, (_, i) => record(i + 1) + '\n').join(''));
    const port = await freePort();

    const child = spawnCli([
      'follow', file, '--state', state, '--from', 'beginning', '--batch-lines', '25', '--poll-interval', '20',
      '--sink', `syslog+tcp://127.0.0.1:${port}`, '--framing', 'octet', '--reconnect-min', '20', '--reconnect-max', '100',
    ]);
    const done = collect(child);
    const savedOffset = () => (JSON.parse(readFileSync(state, 'utf8')) as { offset: number }).offset;
    let stderr = '';
    child.stderr.on('data', (d: Buffer | string) => (stderr += d.toString()));

    // The sink has tried and failed to connect: the first batch is stuck, the position is not.
    // The sink has tried and failed to connect, and the follower has read the file and handed
    // the first batch over (it logged where it starts; the file is all there): the batch is
    // stuck, and the saved position stays at the start.
    await until(() => stderr.includes('ECONNREFUSED') && stderr.includes('from its beginning'), 'a refused connection and the start');
    await until(() => stderr.split('ECONNREFUSED').length > 2 && existsSync(state), 'a second refused connection');
    expect(savedOffset()).toBe(0);

    listener = await startStreamListener({ framing: 'octet', port });
    await listener.waitFor(count);
    await until(() => savedOffset() === statSync(file).size, 'the saved position at the end');

    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(listener.errors).toEqual([]);
    expect(listener.messages.map((m) => Number(/msg=rec (\d+)/.exec(m)?.[1]))).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(jsonLines(r.stderr).find((e) => e['msg'] === 'summary')).toMatchObject({ mode: 'follow', records: count, lines: count, undelivered: 0 });
  });
});
