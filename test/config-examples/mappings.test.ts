/**
 * config-examples/mappings/ run for real: the bundled CLI, its aliases file and its sample
 * input, exactly as the README's command line runs them. Every aliased input name must come
 * out under the documented key it maps to, with the input's value (checked with the
 * independent CEF decoder); without the aliases the same input does not, so the example
 * shows something the aliases do.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCef } from '../helpers/cef-decoder.js';
import { CLI, ROOT, ensureBuilt } from '../e2e/shippers/support.js';

const DIR = join(ROOT, 'config-examples/mappings');
const aliases = (parseYaml(readFileSync(join(DIR, 'segura-siem.yaml'), 'utf8')) as { normalize: { aliases: Record<string, string> } }).normalize.aliases;
const input = readFileSync(join(DIR, 'sample-input.ndjson'), 'utf8');
const records = input.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

function run(args: string[]): string[] {
  const r = spawnSync(process.execPath, [CLI, 'stdio', ...args], { input, encoding: 'utf8', cwd: ROOT });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').slice(0, -1);
}

/** Extension keys the CEF extension of a documented key may be spelt as (profile spellings). */
const SPELLINGS: Record<string, string[]> = { dpt: ['dpt', 'dport'] };

describe('config-examples/mappings', () => {
  beforeAll(ensureBuilt, 120_000);

  it('every aliased input name comes out under its documented key, with its value', () => {
    const lines = run(['--config', join(DIR, 'segura-siem.yaml')]);
    expect(lines).toHaveLength(records.length);
    lines.forEach((line, i) => {
      const cef = decodeCef(line);
      const ext = new Map(cef.extensions);
      const rec = records[i]!;
      for (const [from, to] of Object.entries(aliases)) {
        if (rec[from] === undefined) continue;
        if (to === 'event_id') expect(cef.eventClassId).toBe(String(rec[from]));
        else if (to === 'timestamp') expect(ext.get('rt')).toBe(String(Date.parse(String(rec[from]))));
        else if (to !== 'host') {
          // (host goes to the syslog header, which bare CEF has not; the check below still applies)
          const found = (SPELLINGS[to] ?? [to]).map((k) => ext.get(k)).find((v) => v !== undefined);
          expect(found, `${from} → ${to} in ${line}`).toBe(String(rec[from]));
        }
        // The site's own name never appears as a key.
        expect(ext.has(from), `${from} left as a key`).toBe(false);
      }
      // Unaliased, undocumented fields are kept after the documented ones.
      expect(ext.get('site')).toBe(rec['site']);
    });
  });

  it('without the aliases the same records do not carry the documented keys', () => {
    const lines = run([]);
    const ext = new Map(decodeCef(lines[0]!).extensions);
    expect(ext.get('suser')).toBeUndefined();
    expect(ext.get('dst')).toBeUndefined();
  });
});
