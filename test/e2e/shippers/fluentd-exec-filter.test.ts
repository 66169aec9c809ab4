/**
 * Fluentd `exec_filter` (config-examples/fluentd/fluent.conf), acted out against the real
 * bundle. Fluentd starts the `command` of the <match> as a child and, per buffer flush,
 * writes the chunk's records to its stdin as its json formatter renders them (one compact
 * JSON object per line, `add_newline true`), then reads the child's stdout line by line
 * (`<parse> @type none`: each line becomes one record). It sends the child's stderr to
 * /dev/null, which is why the example passes `--errors FILE`.
 *
 * Proves: the exact command line of the example runs; one output line per good record, in
 * order, even when a chunk arrives split across pipe writes; a record that can never be
 * formatted yields a JSON error in the --errors file and no stdout line; stderr stays empty;
 * closing stdin (Fluentd shutdown) drains and exits 0 with a summary.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFluentdConfig, param, shellWords, walkFluentd } from '../../config-examples/config-parsers.js';
import { ROOT, ensureBuilt, expectLineFor, jsonLines, sampleRecords, start, tempDir, waitFor } from './support.js';

/** The exec_filter command of the example, with its paths pointed into `dir`. */
function exampleCommand(dir: string): { argv: string[]; errorsFile: string } {
  const conf = parseFluentdConfig(readFileSync(join(ROOT, 'config-examples/fluentd/fluent.conf'), 'utf8'));
  const match = [...walkFluentd(conf)].find((d) => d.name === 'match' && param(d, '@type') === 'exec_filter')!;
  expect(match.children.find((c) => c.name === 'format') && param(match.children.find((c) => c.name === 'format')!, '@type')).toBe('json');
  expect(param(match.children.find((c) => c.name === 'parse')!, '@type')).toBe('none');
  const words = shellWords(param(match, 'command')!);
  expect(words[0]).toMatch(/(^|\/)segura-siem$/);
  const argv = words.slice(1);
  const at = argv.indexOf('--errors');
  expect(at).toBeGreaterThan(0);
  const errorsFile = join(dir, 'segura-siem-errors.log');
  argv[at + 1] = errorsFile;
  return { argv, errorsFile };
}

/** What Fluentd's json formatter writes for a record: compact JSON, UTF-8, then "\n". */
const fluentdJson = (record: Record<string, unknown>) => `${JSON.stringify(record)}\n`;

describe('Fluentd exec_filter → segura-siem stdio', () => {
  beforeAll(ensureBuilt, 120_000);

  it('one line per record in order, bad records to the --errors file, nothing on stderr', async () => {
    const dir = tempDir('seg-fluentd-');
    const { argv, errorsFile } = exampleCommand(dir);
    const records = sampleRecords();
    // A record Fluentd would pass on (valid JSON) that can never be formatted.
    const bad = { event_id: '16', type: 'session-started', severity: 'catastrophic', msg: 'bad severity', suser: 'x' };
    const chunk1 = [...records.slice(0, 3), bad].map(fluentdJson).join('');
    const chunk2 = records.slice(3).map(fluentdJson).join('');

    const p = start(argv);
    // Chunk 1 in one write, as one buffer flush.
    p.child.stdin!.write(chunk1);
    await waitFor(() => (p.lines().length >= 3 ? true : undefined), () => `3 lines; got ${p.stdout()}`);
    // Chunk 2 split in the middle of a record, as a pipe may deliver it.
    const cut = Math.floor(chunk2.length / 2);
    p.child.stdin!.write(chunk2.slice(0, cut));
    p.child.stdin!.write(chunk2.slice(cut));
    p.child.stdin!.end();
    expect(await p.exited).toBe(0);

    const lines = p.lines();
    expect(lines).toHaveLength(records.length);
    lines.forEach((line, i) => expectLineFor(line, records[i]!));
    for (const line of lines) expect(line).toMatch(/^CEF:0\|/); // --envelope none: bare CEF
    expect(p.stderr()).toBe('');

    const logged = jsonLines(readFileSync(errorsFile, 'utf8'));
    const errors = logged.filter((e) => e['level'] === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 4, code: 'SEG_ERR_FIELD' });
    expect(logged.find((e) => e['msg'] === 'summary')).toMatchObject({ records: records.length + 1, lines: records.length, failed: 1 });
  });

  it('answers each record as it arrives (exec_filter waits for the output of a flush)', async () => {
    const dir = tempDir('seg-fluentd-');
    const { argv } = exampleCommand(dir);
    const [a, b] = sampleRecords(2);
    const p = start(argv);
    p.child.stdin!.write(fluentdJson(a!));
    await waitFor(() => (p.lines().length === 1 ? true : undefined), () => `first line; got ${p.stdout()}`);
    expectLineFor(p.lines()[0]!, a!);
    p.child.stdin!.write(fluentdJson(b!));
    await waitFor(() => (p.lines().length === 2 ? true : undefined), () => `second line; got ${p.stdout()}`);
    expectLineFor(p.lines()[1]!, b!);
    // Fluentd stops its children with SIGTERM on shutdown.
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.stderr()).toBe('');
  });
});
