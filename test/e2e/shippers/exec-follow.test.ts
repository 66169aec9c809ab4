/**
 * `segura-siem follow` started exactly the way the two exec-style examples start it:
 *
 * - Vector's `exec` source (config-examples/vector/exec-follow.yaml, src/sources/exec): the
 *   `command` argv run directly (no shell), stdin = /dev/null, `include_stderr: false` so only
 *   stdout lines become events; SIGTERM to the child on shutdown; respawn on exit.
 * - Fluent Bit's `exec` input (config-examples/fluent-bit/exec-follow.yaml, plugins/in_exec):
 *   the `command` string run by `/bin/sh -c` in its own process group (5.1+), stdin
 *   inherited, read with fgets() into `buf_size` bytes (a longer line would be split into
 *   several records), and SIGTERM to the whole process group on shutdown.
 *
 * The example's paths are moved into a temp dir; everything else is the example's own argv.
 * Proves: every record appended to the file comes out once, as one line, on stdout only
 * (diagnostics never mix in); no line is longer than the example's buffer (Fluent Bit
 * `buf_size`, Vector `maximum_buffer_size_bytes`); a stop and restart resumes from the saved
 * position without repeating or losing a record.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { shellWords } from '../../config-examples/config-parsers.js';
import { CLI, ROOT, ensureBuilt, expectLineFor, jsonLines, sampleRecords, tempDir, waitFor } from './support.js';

const PROGRAM = /(^|\/)segura-siem(\.js)?$/;

/** The example's words with segura-siem → node + bundle, and every absolute path after it moved into `dir`. */
function localize(words: readonly string[], dir: string): { argv: string[]; followed: string; errors: string | undefined } {
  const at = words.findIndex((w) => PROGRAM.test(w));
  expect(at, 'the command runs segura-siem').toBeGreaterThanOrEqual(0);
  const args = words.slice(at + 1).map((w) => (w.startsWith('/') ? join(dir, basename(w)) : w));
  expect(args[0]).toBe('follow');
  const followed = args.find((w, i) => i > 0 && !w.startsWith('-') && !args[i - 1]!.startsWith('--'))!;
  const e = args.indexOf('--errors');
  // Words before the program stay (`exec` in a Fluent Bit command replaces the shell).
  return { argv: [...words.slice(0, at), process.execPath, CLI, ...args], followed, errors: e >= 0 ? args[e + 1] : undefined };
}

function logText(p: { stderr: string }, errors: string | undefined): string {
  if (errors === undefined) return p.stderr;
  try {
    return readFileSync(errors, 'utf8');
  } catch {
    return '';
  }
}

interface Child {
  stdout: string;
  stderr: string;
  exited: Promise<number | string>;
  term(): void;
}

function run(argv: readonly string[], opts: { shell: boolean; group: boolean }): Child {
  const [cmd, ...rest] = opts.shell ? ['/bin/sh', '-c', argv.map(shQuote).join(' ')] : argv;
  const child = spawn(cmd!, rest, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.group });
  const c: Child = {
    stdout: '',
    stderr: '',
    exited: new Promise((r) => child.on('close', (code, signal) => r(code ?? signal ?? -1))),
    term: () => (opts.group ? process.kill(-child.pid!, 'SIGTERM') : child.kill('SIGTERM')),
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (c.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (c.stderr += d));
  return c;
}

function shQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const ndjson = (records: ReadonlyArray<Record<string, unknown>>) => records.map((r) => `${JSON.stringify(r)}\n`).join('');

/**
 * Starts the follower, waits until it has fixed its position in the file, appends `records`,
 * and waits until the run has written `expected` lines in total.
 */
async function roundTrip(
  argv: readonly string[],
  opts: { shell: boolean; group: boolean },
  paths: { followed: string; errors: string | undefined },
  records: ReadonlyArray<Record<string, unknown>>,
  expected: number,
): Promise<{ child: Child; lines: string[] }> {
  const child = run(argv, opts);
  // "following ... from its end" / "resuming ... at byte": the position is fixed from here on.
  await waitFor(
    () => (/"msg":"(following|resuming|now reading)/.test(logText(child, paths.errors)) ? true : undefined),
    () => `the follower to start; log: ${logText(child, paths.errors).slice(-800)}`,
  );
  appendFileSync(paths.followed, ndjson(records));
  const lines = await waitFor(
    () => {
      const all = child.stdout.split('\n').slice(0, -1);
      return all.length >= expected ? all : undefined;
    },
    () => `${expected} lines; stdout: ${child.stdout.slice(-800)} log: ${logText(child, paths.errors).slice(-800)}`,
  );
  return { child, lines };
}

describe.each([
  ['Vector exec source', 'config-examples/vector/exec-follow.yaml'],
  ['Fluent Bit exec input', 'config-examples/fluent-bit/exec-follow.yaml'],
] as const)('%s → segura-siem follow', (shipper, example) => {
  beforeAll(ensureBuilt, 120_000);

  it('ships each appended record once, as one stdout line, and resumes after a restart', async () => {
    const doc = parseYaml(readFileSync(join(ROOT, example), 'utf8')) as Record<string, any>;
    let words: string[];
    let opts: { shell: boolean; group: boolean };
    let bufSize = Infinity;
    if (shipper.startsWith('Vector')) {
      const source = Object.values(doc['sources'] as Record<string, any>).find((s) => s['type'] === 'exec')!;
      expect(source['mode']).toBe('streaming');
      expect(source['include_stderr']).toBe(false);
      words = source['command'] as string[];
      opts = { shell: false, group: false };
      // A line longer than maximum_buffer_size_bytes would be split into several events.
      bufSize = Number(source['maximum_buffer_size_bytes'] ?? 1_000_000);
    } else {
      const input = (doc['pipeline']['inputs'] as Array<Record<string, any>>).find((i) => i['name'] === 'exec')!;
      expect(String(input['threaded'])).toMatch(/^(on|true)$/i);
      expect(String(input['oneshot'])).toMatch(/^(on|true)$/i);
      bufSize = parseSize(String(input['buf_size']));
      words = shellWords(String(input['command']));
      opts = { shell: true, group: true };
    }

    const dir = tempDir('seg-exec-');
    const { argv, followed, errors } = localize(words, dir);
    writeFileSync(followed, ''); // the file exists and is empty: "end" = "beginning"
    const paths = { followed, errors };
    const first = sampleRecords(8);
    const bad = { event_id: '16', severity: 'catastrophic', msg: 'never formatted' };

    const a = await roundTrip(argv, opts, paths, [...first.slice(0, 4), bad, ...first.slice(4)], first.length);
    expect(a.lines).toHaveLength(first.length);
    a.lines.forEach((line, i) => expectLineFor(line, first[i]!));
    for (const line of a.lines) expect(Buffer.byteLength(line) + 1).toBeLessThan(bufSize);
    // The bad record is reported in the log, never on stdout.
    await waitFor(() => (jsonLines(logText(a.child, errors)).some((e) => e['level'] === 'error') ? true : undefined), () => 'the error report');
    a.child.term();
    await a.child.exited;
    expect(jsonLines(logText(a.child, errors)).find((e) => e['msg'] === 'summary')).toMatchObject({ mode: 'follow', records: first.length + 1, lines: first.length, failed: 1 });

    // Written while the follower is stopped: picked up on restart, nothing repeated.
    const second = sampleRecords(11).slice(8);
    appendFileSync(followed, ndjson(second.slice(0, 2)));
    const b = await roundTrip(argv, opts, paths, second.slice(2), second.length);
    expect(b.lines).toHaveLength(second.length);
    b.lines.forEach((line, i) => expectLineFor(line, second[i]!));
    b.child.term();
    await b.child.exited;
  });
});

/** Fluent Bit sizes: `256k`, `1M`, `4096`. */
function parseSize(text: string): number {
  const m = /^(\d+)\s*([kKmM]?)[bB]?$/.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text}`);
  return Number(m[1]) * ({ '': 1, k: 1024, m: 1024 * 1024 }[m[2]!.toLowerCase() as '' | 'k' | 'm'] ?? 1);
}
