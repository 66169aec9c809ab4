// Regenerates the generated sections of README.md and docs/mapping.md (see scripts/mapping-doc.ts).
// The renderer is TypeScript that imports the real catalog and normalizer tables, so it is
// bundled with esbuild to a temporary module first.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'segura-mapping-doc-'));
try {
  const outfile = join(dir, 'mapping-doc.mjs');
  await build({ entryPoints: ['scripts/mapping-doc.ts'], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning' });
  const { renderDocs, applySections } = await import(pathToFileURL(outfile).href);
  for (const [path, sections] of Object.entries(renderDocs())) {
    const before = readFileSync(path, 'utf8');
    const after = applySections(before, sections);
    if (after !== before) writeFileSync(path, after);
    console.log(after === before ? `${path} is up to date` : `${path} regenerated`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
