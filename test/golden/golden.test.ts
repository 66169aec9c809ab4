/**
 * Golden files: every Segura message type and a set of hostile records
 * (fixtures/input.ndjson), through the real bundled CLI, in every format, envelope and key
 * profile (golden-cells.ts), compared byte for byte with the committed files in fixtures/.
 * The CLI runs here under another time zone and locale than when the files were generated
 * (UTC), so a match also proves the output depends on neither. On a difference the test
 * prints the differing lines and how to regenerate after a deliberate change.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, ROOT } from '../helpers/cli.js';
import { CELLS, FIXTURES_DIR, fixturePath, INPUT_FILE, REGENERATE_HINT, renderAll, staleBuildReason } from './golden-cells.js';

/** Far from UTC (+13:45 in January) and a locale with unusual case rules. */
const FOREIGN_ENV = { TZ: 'Pacific/Chatham', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' };
const MAX_SHOWN = 5;

let rendered: Map<string, string>;

beforeAll(async () => {
  assertBuilt();
  rendered = await renderAll(ROOT, readFileSync(join(ROOT, INPUT_FILE), 'utf8'), FOREIGN_ENV);
}, 120_000);

/** Where two strings first differ, with some context, as JSON text so controls are visible. */
function showDifference(expected: string, actual: string): string {
  let at = 0;
  while (at < expected.length && at < actual.length && expected[at] === actual[at]) at++;
  const from = Math.max(0, at - 40);
  const clip = (s: string) => JSON.stringify(s.slice(from, at + 80));
  return `    first difference at column ${at + 1}\n    - golden: ${clip(expected)}\n    + actual: ${clip(actual)}`;
}

function lineDiff(name: string, expected: string, actual: string): string {
  const want = expected.split('\n');
  const got = actual.split('\n');
  const out: string[] = [`golden file ${FIXTURES_DIR}/${name}.txt differs from what the CLI writes now:`];
  let shown = 0;
  let differing = 0;
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (want[i] === got[i]) continue;
    differing++;
    if (shown++ >= MAX_SHOWN) continue;
    out.push(`  record ${i + 1}:`);
    if (want[i] === undefined) out.push(`    + extra line: ${JSON.stringify(got[i]!.slice(0, 160))}`);
    else if (got[i] === undefined) out.push(`    - missing line: ${JSON.stringify(want[i]!.slice(0, 160))}`);
    else out.push(showDifference(want[i]!, got[i]!));
  }
  if (differing > MAX_SHOWN) out.push(`  … and ${differing - MAX_SHOWN} more differing line(s)`);
  const stale = staleBuildReason(ROOT);
  if (stale !== undefined) out.push(`note: ${stale}; rebuild before judging this difference.`);
  out.push(`If the change is deliberate: ${REGENERATE_HINT}, then review \`git diff ${FIXTURES_DIR}\` line by line.`);
  return out.join('\n');
}

describe('golden files (real CLI, every format × envelope × profile)', () => {
  it('has one golden file per cell of the matrix and no stale ones', () => {
    const files = readdirSync(join(ROOT, FIXTURES_DIR)).filter((f) => f.endsWith('.txt')).sort();
    expect(files).toEqual(CELLS.map((c) => `${c.name}.txt`).sort());
    expect(CELLS).toHaveLength(14);
  });

  for (const cell of CELLS) {
    it(`${cell.name}: the CLI writes the golden file byte for byte`, () => {
      const path = fixturePath(ROOT, cell);
      if (!existsSync(path)) expect.fail(`${path} is missing: ${REGENERATE_HINT}`);
      const golden = readFileSync(path, 'utf8');
      const actual = rendered.get(cell.name)!;
      if (actual !== golden) expect.fail(lineDiff(cell.name, golden, actual));
    });
  }
});
