// Bundles the CLI into one file that runs with plain `node` (dist/segura-siem.js).
// Dependencies are bundled too, so the container image needs no node_modules.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, cpSync, writeFileSync } from 'node:fs';

mkdirSync('dist', { recursive: true });
await build({
  entryPoints: ['plugin/main.ts'],
  outfile: 'dist/segura-siem.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  legalComments: 'linked',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
chmodSync('dist/segura-siem.js', 0o755);
// The repository is an ES module package; the bundle is CommonJS (what grpc-js and
// protobufjs expect), so dist/ declares its own module type.
writeFileSync('dist/package.json', JSON.stringify({ type: 'commonjs' }) + '\n');
// The .proto contracts are embedded in the bundle; a copy ships beside it for people who
// generate their own clients.
cpSync('proto', 'dist/proto', { recursive: true });
