// Bundles the CLI into one file that runs with plain `node` (dist/segura-siem.js).
// Dependencies are bundled too, so the container image needs no node_modules.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, cpSync } from 'node:fs';

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
// The gRPC services load their .proto files at run time; ship them beside the bundle.
cpSync('proto', 'dist/proto', { recursive: true });
