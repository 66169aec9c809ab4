import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applySections, renderDocs } from '../../scripts/mapping-doc.js';
import { REPO_ROOT } from '../catalog/seed-doc.js';

describe('docs/mapping.md', () => {
  it('README.md and docs/mapping.md are up to date with the catalog, profiles and flags (run npm run docs)', () => {
    for (const [file, sections] of Object.entries(renderDocs())) {
      const doc = readFileSync(join(REPO_ROOT, file), 'utf8');
      expect(applySections(doc, sections), file).toBe(doc);
    }
  });

  it('documents every message type by slug and every diagnostic code the normalizer emits', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'mapping.md'), 'utf8') + readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const source = ['normalize.ts'].map((f) => readFileSync(join(REPO_ROOT, 'plugin', 'normalize', f), 'utf8')).join('\n');
    const codes = new Set([...source.matchAll(/this\.diag\('([a-z-]+)'/g)].map((m) => m[1]!));
    expect(codes.size).toBeGreaterThan(10);
    for (const code of codes) expect(doc, code).toContain(`| \`${code}\` |`);
  });
});
