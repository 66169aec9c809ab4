// Regenerates the golden files in test/golden/fixtures/ by running the built CLI
// (dist/segura-siem.js) on test/golden/fixtures/input.ndjson for every cell of the matrix in
// test/golden/golden-cells.ts. Run `npm run build && npm run golden:update`, then read
// `git diff test/golden/fixtures` line by line before committing: a golden file is only as
// good as the review of its change. The matrix module is TypeScript, so it is bundled with
// esbuild to a temporary module first (as scripts/gen-mapping-doc.mjs does).
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.cwd();
const dir = mkdtempSync(join(tmpdir(), 'segura-golden-'));
try {
  const outfile = join(dir, 'golden-cells.mjs');
  await build({ entryPoints: ['test/golden/golden-cells.ts'], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning' });
  const g = await import(pathToFileURL(outfile).href);
  const stale = g.staleBuildReason(root);
  if (stale !== undefined) {
    console.error(`${stale}: run "npm run build" first (the goldens record what the built CLI writes)`);
    process.exit(1);
  }
  const input = readFileSync(join(root, g.INPUT_FILE), 'utf8');
  // UTC here; the test renders under another TZ, which proves the output does not depend on it.
  const rendered = await g.renderAll(root, input, { TZ: 'UTC' });
  let changed = 0;
  for (const cell of g.CELLS) {
    const path = g.fixturePath(root, cell);
    const text = rendered.get(cell.name);
    const before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (before === text) continue;
    writeFileSync(path, text);
    changed++;
    console.log(`${before === undefined ? 'created' : 'updated'} ${path.slice(root.length + 1)}`);
  }
  const names = new Set(g.CELLS.map((c) => `${c.name}.txt`));
  for (const file of readdirSync(join(root, g.FIXTURES_DIR))) {
    if (!file.endsWith('.txt') || names.has(file)) continue;
    unlinkSync(join(root, g.FIXTURES_DIR, file));
    changed++;
    console.log(`removed ${g.FIXTURES_DIR}/${file} (no longer a cell of the matrix)`);
  }
  console.log(changed === 0 ? `all ${g.CELLS.length} golden files are up to date` : `${changed} golden file(s) changed: review them with git diff ${g.FIXTURES_DIR}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
