/**
 * Runs the real bundled CLI (`dist/segura-siem.js`, built by `npm test`'s pretest) as a child
 * process, the way shippers run it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
export const CLI = resolve(ROOT, 'dist/segura-siem.js');

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does it in pretest)`);
}

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  assertBuilt();
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  // The child may exit (e.g. on EPIPE) while we still write; that is not a test error.
  child.stdin.on('error', () => {});
  return child;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion with `input` on stdin. */
export function runCli(args: readonly string[], input: string | Buffer = '', env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawnCli(args, env);
  return collect(child, () => child.stdin.end(input));
}

export function collect(child: ChildProcessWithoutNullStreams, start: () => void = () => {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
    start();
  });
}

/** Parses the JSON log lines a run wrote to stderr (or an --errors file). */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Resolves with the first stdout/stderr data matching `re` (bounded by `ms`). */
export function waitForOutput(stream: NodeJS.ReadableStream, re: RegExp, ms = 10_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`no output matching ${re} within ${ms} ms; saw: ${seen.slice(-500)}`));
    }, ms);
    const onData = (d: Buffer | string) => {
      seen += d.toString();
      const m = re.exec(seen);
      if (m) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolvePromise(m[0]);
      }
    };
    stream.on('data', onData);
  });
}
