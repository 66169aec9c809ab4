/**
 * `segura-siem follow` as shippers run it: the real bundled CLI as a child process, stdout
 * sink, a steady writer appending records with ids, and rotation, truncation, crashes and
 * restarts in between. The output is counted by id: every record exactly once, except the
 * documented replay of at most one batch after a SIGKILL.
 */
import { closeSync, copyFileSync, ftruncateSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, jsonLines, spawnCli, type CliResult } from '../helpers/cli.js';

const record = (id: number) =>
  JSON.stringify({ event_id: '16', type: 'session-started', msg: `rec ${id}`, suser: 'stlee', timestamp: '2026-01-19T10:41:00Z' });

/** Appends records with increasing ids through one open descriptor, like a logger does. */
class Writer {
  next = 1;
  private fd: number;
  constructor(private readonly path: string) {
    this.fd = openSync(path, 'a');
  }
  write(n: number): void {
    let s = '';
    for (let i = 0; i < n; i++) s += record(this.next++) + '\n';
    writeSync(this.fd, s);
  }
  /** Appends until id `last` in small bursts, yielding between them so the follower interleaves. */
  async steadyUntil(last: number, burst = 25): Promise<void> {
    while (this.next <= last) {
      this.write(Math.min(burst, last - this.next + 1));
      await sleep(2);
    }
  }
  /** What logrotate's postrotate HUP makes a logger do: reopen the path. */
  reopen(): void {
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
  }
  /** Logrotate copytruncate: copy, then truncate the file the logger still has open (O_APPEND). */
  copyTruncate(to: string): void {
    copyFileSync(this.path, to);
    ftruncateSync(this.fd, 0);
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** A running `follow` child with its output split into ids as it arrives. */
class Follow {
  readonly ids: number[] = [];
  readonly done: Promise<CliResult>;
  private rest = '';
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    this.done = collect(child);
    child.stdout.on('data', (d: string) => {
      const text = this.rest + d;
      const end = text.lastIndexOf('\n');
      this.rest = text.slice(end + 1); // a line cut by SIGKILL is not counted
      for (const line of text.slice(0, end + 1).split('\n')) {
        const m = /msg=rec (\d+)/.exec(line);
        if (m) this.ids.push(Number(m[1]));
      }
    });
  }
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<CliResult> {
    this.child.kill(signal);
    return this.done;
  }
}

let dir: string;
let file: string;
let state: string;
const children: Follow[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seg-follow-e2e-'));
  file = join(dir, 'audit.json');
  state = join(dir, 'follow.state');
});

afterEach(async () => {
  for (const c of children.splice(0)) if (c.child.exitCode === null && c.child.signalCode === null) await c.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function follow(...extra: string[]): Follow {
  const f = new Follow(spawnCli(['follow', file, '--state', state, '--poll-interval', '20', '--log-level', 'info', ...extra]));
  children.push(f);
  return f;
}

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Waits for the child to have chosen its start position (it saves it at once). */
function started(): Promise<void> {
  return until(() => {
    try {
      return statSync(state).size > 0;
    } catch {
      return false;
    }
  }, 'the state file');
}

function savedState(): { offset: number; ino: string; path: string } {
  return JSON.parse(readFileSync(state, 'utf8')) as { offset: number; ino: string; path: string };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('segura-siem follow (real process, stdout sink)', () => {
  it('rename rotation and copytruncate under a steady writer: every record once, exit 0 on SIGTERM', async () => {
    writeFileSync(file, '');
    const writer = new Writer(file);
    const f = follow('--from', 'end', '--batch-lines', '50');
    await started();

    await writer.steadyUntil(400);
    // Rename rotation; the logger writes a few more lines to the old file before it reopens.
    renameSync(file, `${file}.1`);
    writer.write(15);
    writer.reopen();
    await writer.steadyUntil(800);
    // copytruncate loses whatever the follower had not read at the instant of the truncation
    // (those lines are only in the copy); a logger pausing for the rotation avoids that.
    await until(() => f.ids.length === 800, 'lines 1-800 before the copytruncate');
    writer.copyTruncate(`${file}.2`);
    await writer.steadyUntil(1200);
    writer.close();
    await until(() => f.ids.length >= 1200, 'lines 1-1200');

    const r = await f.stop('SIGTERM');
    expect(r.code).toBe(0);
    expect(f.ids).toEqual(range(1, 1200));
    // The state file points at the end of what was emitted: the end of the current file.
    const st = savedState();
    expect(st.offset).toBe(statSync(file).size);
    expect(st.ino).toBe(String(statSync(file).ino));
    const logs = jsonLines(r.stderr);
    expect(logs.some((e) => String(e['msg']).includes('rotated'))).toBe(true);
    expect(logs.some((e) => String(e['msg']).includes('truncated'))).toBe(true);
    expect(logs.find((e) => e['msg'] === 'summary')).toMatchObject({ mode: 'follow', records: 1200, lines: 1200, failed: 0 });
  });

  it('SIGTERM mid-stream saves exactly what was emitted; a restart continues with no loss and no repeat', async () => {
    writeFileSync(file, '');
    const writer = new Writer(file);
    const a = follow('--from', 'beginning', '--batch-lines', '20');
    const writing = writer.steadyUntil(600, 10);
    await until(() => a.ids.length >= 150, '150 lines from the first run');
    const ra = await a.stop('SIGTERM');
    expect(ra.code).toBe(0);
    // The saved offset is the byte after the line of the last id the first run emitted.
    const last = a.ids.at(-1)!;
    const text = readFileSync(file, 'utf8');
    const lineStart = text.indexOf(record(last));
    expect(savedState().offset).toBe(lineStart + record(last).length + 1);

    await writing;
    const b = follow('--from', 'end', '--batch-lines', '20');
    await until(() => b.ids.length >= 600 - a.ids.length, 'the rest');
    expect((await b.stop('SIGTERM')).code).toBe(0);
    expect([...a.ids, ...b.ids]).toEqual(range(1, 600));
    writer.close();
  });

  it('after SIGKILL mid-stream a restart loses nothing and repeats at most one batch', async () => {
    const batch = 40;
    writeFileSync(file, '');
    const writer = new Writer(file);
    const a = follow('--from', 'beginning', '--batch-lines', String(batch));
    const writing = writer.steadyUntil(1000, 10);
    await until(() => a.ids.length >= 300, '300 lines from the first run');
    const ra = await a.stop('SIGKILL');
    expect(ra.signal).toBe('SIGKILL');

    const b = follow('--from', 'end', '--batch-lines', String(batch));
    await writing;
    await until(() => new Set([...a.ids, ...b.ids]).size === 1000, 'every id');
    expect((await b.stop('SIGTERM')).code).toBe(0);

    const all = [...a.ids, ...b.ids];
    const repeated = all.length - new Set(all).size;
    expect(repeated).toBeLessThanOrEqual(batch);
    // Each run emitted its lines in order; the second starts where the saved position was.
    expect(a.ids).toEqual(range(1, a.ids.length));
    expect(b.ids).toEqual(range(b.ids[0]!, 1000));
    expect(b.ids[0]!).toBeGreaterThanOrEqual(a.ids.length - batch + 1);
    writer.close();
  });

  it('reports bad lines with file and line number and carries on', async () => {
    writeFileSync(file, `${record(1)}\n{not json\n${'x'.repeat(300)}\n${record(2)}\n`);
    const f = follow('--from', 'beginning', '--max-line-bytes', '200');
    await until(() => f.ids.length === 2, 'both good records');
    const r = await f.stop('SIGTERM');
    expect(r.code).toBe(0);
    const errors = jsonLines(r.stderr).filter((e) => e['level'] === 'error');
    expect(errors.map((e) => [e['file'], e['line'], e['code']])).toEqual([
      [file, 2, 'SEG_ERR_JSON'],
      [file, 3, 'SEG_ERR_LINE_TOO_LONG'],
    ]);
    expect(errors[0]!['msg']).toMatch(new RegExp(`^${file}:2: invalid JSON`));
  });

  it('exits 0 when the reader of its stdout goes away (EPIPE)', async () => {
    writeFileSync(file, '');
    const writer = new Writer(file);
    const f = follow('--from', 'beginning', '--batch-lines', '10');
    writer.write(5);
    await until(() => f.ids.length === 5, 'the first lines');
    f.child.stdout.destroy();
    // Keep writing until the child notices the closed pipe.
    const writing = (async () => {
      while (f.child.exitCode === null && writer.next < 5000) {
        writer.write(10);
        await sleep(5);
      }
    })();
    const r = await f.done;
    await writing;
    expect(r.code).toBe(0);
    expect(jsonLines(r.stderr).find((e) => e['msg'] === 'summary')).toMatchObject({ mode: 'follow' });
    writer.close();
  });

  it('refuses to start without --state (exit 2)', async () => {
    const r = await collect(spawnCli(['follow', join(dir, 'x.json')]));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--state FILE is required');
  });
});
