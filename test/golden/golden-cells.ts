/**
 * The golden-file matrix and how one cell is rendered: every output format, envelope and key
 * profile (plus two byte caps), each run through the real bundled CLI
 * (`node dist/segura-siem.js stdio …`) on `fixtures/input.ndjson`, as a shipper would run it.
 * A cell's text is one line per input record, in input order: the formatted line, or, for a
 * record the CLI refused, a JSON error summary built from its error report on stderr
 * (`{"error":{"line":…,"code":…,"field":…,"message":…}}`, without the report's clock time).
 * Both the golden test and `scripts/update-golden.mjs` use this module, so the fixtures and
 * the test can never disagree on flags. Plain Node APIs only: the update script bundles it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface GoldenCell {
  /** File stem: `<format>[-<envelope>][-sd]-<profile>[-max<N>]`. */
  readonly name: string;
  readonly format: 'cef' | 'rfc5424' | 'sensage';
  /** Only for `cef`. */
  readonly envelope: 'none' | 'rfc5424' | 'rfc3164' | undefined;
  readonly sd: boolean;
  readonly profile: 'segura' | 'strict';
  readonly maxBytes: number | undefined;
}

/**
 * Flags every cell shares. Nothing may depend on the machine or the clock: HOSTNAME for
 * records without a host is fixed, every input record carries its own time, and only error
 * reports are logged (warnings name no clock, but they are not part of a cell).
 */
export const COMMON_ARGS: readonly string[] = ['stdio', '--hostname', 'golden-host', '--log-level', 'error', '--errors', '-'];

export const INPUT_FILE = 'test/golden/fixtures/input.ndjson';
export const FIXTURES_DIR = 'test/golden/fixtures';
export const CLI_FILE = 'dist/segura-siem.js';
export const REGENERATE_HINT = 'npm run build && npm run golden:update';

function cell(format: GoldenCell['format'], profile: GoldenCell['profile'], o: { envelope?: GoldenCell['envelope']; sd?: boolean; maxBytes?: number } = {}): GoldenCell {
  const envelope = format === 'cef' ? (o.envelope ?? 'none') : undefined;
  const parts: string[] = [format];
  if (envelope !== undefined) parts.push(envelope);
  if (o.sd === true) parts.push('sd');
  parts.push(profile);
  if (o.maxBytes !== undefined) parts.push(`max${o.maxBytes}`);
  return { name: parts.join('-'), format, envelope, sd: o.sd === true, profile, maxBytes: o.maxBytes };
}

function matrix(): GoldenCell[] {
  const cells: GoldenCell[] = [];
  for (const profile of ['segura', 'strict'] as const) {
    for (const envelope of ['none', 'rfc5424', 'rfc3164'] as const) cells.push(cell('cef', profile, { envelope }));
    cells.push(cell('rfc5424', profile), cell('rfc5424', profile, { sd: true }), cell('sensage', profile));
  }
  // Byte caps: 512 leaves the CEF header whole and shortens free text; 480 forces RFC 5424 MSG cuts.
  cells.push(cell('cef', 'segura', { maxBytes: 512 }), cell('rfc5424', 'segura', { maxBytes: 480 }));
  return cells;
}

export const CELLS: readonly GoldenCell[] = matrix();

export function fixturePath(root: string, c: GoldenCell): string {
  return join(root, FIXTURES_DIR, `${c.name}.txt`);
}

/** The CLI arguments of a cell. */
export function cellArgs(c: GoldenCell): string[] {
  const args = [...COMMON_ARGS, '--format', c.format, '--profile', c.profile];
  if (c.envelope !== undefined) args.push('--envelope', c.envelope);
  if (c.sd) args.push('--sd');
  if (c.maxBytes !== undefined) args.push('--max-bytes', String(c.maxBytes));
  return args;
}

/** Input records, one per non-empty line. */
export function inputRecordCount(input: string): number {
  return input.split('\n').filter((l) => l.trim() !== '').length;
}

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(root: string, args: readonly string[], input: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, CLI_FILE), ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => {});
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The error summary written in place of a refused record's line. */
export function errorSummary(report: Record<string, unknown>): string {
  const { line, code, field, msg } = report;
  return JSON.stringify({ error: { line, code, ...(field === undefined ? {} : { field }), message: msg } });
}

/**
 * Interleaves stdout lines and stderr error reports into one line per record. Throws when
 * they do not add up (a lost line, an error without a line number, a non-zero exit), since
 * that is a failure of the CLI, not a golden difference.
 */
export function assembleCell(c: GoldenCell, result: RunResult, records: number): string {
  if (result.code !== 0) throw new Error(`${c.name}: CLI exited with ${result.code}: ${result.stderr.slice(0, 2000)}`);
  const errorsByLine = new Map<number, Record<string, unknown>>();
  for (const text of result.stderr.split('\n')) {
    if (text.trim() === '') continue;
    const report = JSON.parse(text) as Record<string, unknown>;
    if (report['level'] !== 'error') continue;
    if (typeof report['line'] !== 'number') throw new Error(`${c.name}: error report without a line number: ${text}`);
    errorsByLine.set(report['line'], report);
  }
  if (!result.stdout.endsWith('\n') && result.stdout !== '') throw new Error(`${c.name}: output does not end with a line feed`);
  const outputs = result.stdout === '' ? [] : result.stdout.slice(0, -1).split('\n');
  if (outputs.length + errorsByLine.size !== records) {
    throw new Error(`${c.name}: ${outputs.length} lines + ${errorsByLine.size} errors for ${records} records`);
  }
  let next = 0;
  let text = '';
  for (let line = 1; line <= records; line++) {
    const report = errorsByLine.get(line);
    text += (report === undefined ? outputs[next++]! : errorSummary(report)) + '\n';
  }
  return text;
}

/** Renders one cell with the real CLI. `env` lets the test prove the output ignores TZ and locale. */
export async function renderCell(root: string, c: GoldenCell, input: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await runCli(root, cellArgs(c), input, env);
  return assembleCell(c, result, inputRecordCount(input));
}

/** Renders every cell, `parallel` CLI processes at a time (the machine is shared). */
export async function renderAll(root: string, input: string, env: NodeJS.ProcessEnv = {}, parallel = 2): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let index = 0;
  const worker = async (): Promise<void> => {
    while (index < CELLS.length) {
      const c = CELLS[index++]!;
      out.set(c.name, await renderCell(root, c, input, env));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}

/** Why the bundle may not match the sources: dist/ older than a file under plugin/, or missing. */
export function staleBuildReason(root: string): string | undefined {
  const cli = join(root, CLI_FILE);
  if (!existsSync(cli)) return `${CLI_FILE} is missing`;
  const built = statSync(cli).mtimeMs;
  const newer = newestUnder(join(root, 'plugin'));
  return newer !== undefined && newer.mtimeMs > built ? `${CLI_FILE} is older than ${relative(root, newer.path)}` : undefined;
}

function newestUnder(dir: string): { path: string; mtimeMs: number } | undefined {
  let best: { path: string; mtimeMs: number } | undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const candidate = entry.isDirectory() ? newestUnder(path) : { path, mtimeMs: statSync(path).mtimeMs };
    if (candidate !== undefined && (best === undefined || candidate.mtimeMs > best.mtimeMs)) best = candidate;
  }
  return best;
}
