/**
 * Every segura-siem command line in config-examples/ (and in README.md) is checked
 * against the real flag table by running the real configuration loader on it, and every
 * segura-siem configuration file among the examples (including ones embedded in a ConfigMap)
 * loads. A renamed flag, a removed config key or an invalid value breaks this test.
 *
 * Allow-list: the loader checks that TLS files exist; the examples name files that only exist
 * on the target host (/etc/segura-siem/tls/...). Problems of the form
 * `<path>.tls.<ca|cert|key|clientCa>: file not found: /abs/path` are therefore tolerated, and
 * nothing else is. A `--config PATH` is resolved to the example it refers to (see
 * resolveConfigText).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../plugin/config/load.js';
import type { Mode } from '../../plugin/config/schema.js';
import {
  ROOT,
  exampleFiles,
  foundCommands,
  isMode,
  isSeguraConfig,
  markdownCommands,
  resolveConfigText,
  yamlDocuments,
  type ExampleFile,
} from './examples.js';

const TOLERATED = /^\s*(?:sinks\[\d+\]|serve)\.tls\.(?:ca|cert|key|clientCa): file not found: \//;
const tmp = mkdtempSync(join(tmpdir(), 'seg-examples-'));
let counter = 0;

/** Runs the loader; returns the problems that are not on the allow-list ('' when none). */
function problemsOf(mode: Mode, argv: readonly string[]): string {
  try {
    loadConfig(mode, argv, {});
    return '';
  } catch (e) {
    const lines = (e as Error).message.split('\n');
    if (lines[0] !== 'invalid configuration:') return (e as Error).message;
    return lines.slice(1).filter((l) => !TOLERATED.test(l)).join('\n');
  }
}

/** Replaces `--config PATH` (also `--config=PATH`) by a temp copy of the example it names. */
function withResolvedConfig(argv: readonly string[], from: ExampleFile, files: readonly ExampleFile[]): string[] {
  const out = [...argv];
  for (let i = 0; i < out.length; i++) {
    const inline = out[i]!.startsWith('--config=');
    if (out[i] !== '--config' && !inline) continue;
    const path = inline ? out[i]!.slice('--config='.length) : out[i + 1];
    if (path === undefined) continue;
    const text = resolveConfigText(path, from, files);
    if (text === undefined) throw new Error(`${from.path}: --config ${path} names no example`);
    const copy = join(tmp, `config-${counter++}.yaml`);
    writeFileSync(copy, text);
    if (inline) out[i] = `--config=${copy}`;
    else out[i + 1] = copy;
  }
  return out;
}

describe('segura-siem command lines in the examples', () => {
  const files = exampleFiles();
  const commands = foundCommands(files);

  it('finds the command lines (the extractor is not silently blind)', () => {
    // At least: the Fluentd exec_filter command, the Kubernetes containers, and the
    // command lines quoted in the Fluent Bit / Vector / Collector examples.
    const where = commands.map((c) => c.where);
    expect(where.some((w) => w.startsWith('config-examples/fluentd/fluent.conf (<match>'))).toBe(true);
    expect(where.some((w) => /kubernetes\/deployment-native-sidecar\.yaml .*container segura-siem/.test(w))).toBe(true);
    expect(where.some((w) => w.startsWith('config-examples/vector/vector-sink.yaml (comment'))).toBe(true);
    expect(where.some((w) => w.startsWith('config-examples/otel-collector/config.yaml (comment'))).toBe(true);
  });

  it.each(commands.map((c) => [c.where, c] as const))('%s uses only flags its mode has', (_where, c) => {
    expect(isMode(c.argv[0]), `first argument "${c.argv[0]}" is not a mode`).toBe(true);
    const argv = withResolvedConfig(c.argv.slice(1), c.file, files);
    expect(problemsOf(c.argv[0] as Mode, argv)).toBe('');
  });

  it('checks the command lines of README.md too', () => {
    const doc = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const found = markdownCommands(doc);
    expect(found.length).toBeGreaterThan(3);
    const fake: ExampleFile = { path: 'README.md', abs: join(ROOT, 'README.md'), kind: 'markdown', text: doc };
    for (const c of found) {
      expect(isMode(c.argv[0]), `README.md:${c.line}`).toBe(true);
      expect(problemsOf(c.argv[0] as Mode, withResolvedConfig(c.argv.slice(1), fake, files)), `README.md:${c.line}`).toBe('');
    }
  });
});

describe('segura-siem configuration files in the examples', () => {
  const files = exampleFiles();
  // Standalone files, and segura-siem configs embedded in a ConfigMap.
  const configs: Array<[string, string]> = [];
  for (const f of files.filter((x) => x.kind === 'yaml')) {
    yamlDocuments(f).forEach((doc, i) => {
      if (isSeguraConfig(doc)) configs.push([f.path, f.text]);
      const cm = doc as { kind?: string; data?: Record<string, unknown> } | null;
      if (cm?.kind !== 'ConfigMap' || cm.data === undefined) return;
      for (const [key, text] of Object.entries(cm.data)) {
        if (typeof text !== 'string' || !/\.ya?ml$/.test(key)) continue;
        const inner = yamlDocuments({ ...f, path: `${f.path}#${i}.${key}`, text });
        if (inner.length === 1 && isSeguraConfig(inner[0])) configs.push([`${f.path} ConfigMap data.${key}`, text]);
      }
    });
  }

  it('finds them', () => {
    const names = configs.map(([n]) => n);
    expect(names).toContain('config-examples/segura-siem.yaml');
    expect(names).toContain('config-examples/mappings/segura-siem.yaml');
    expect(names.some((n) => n.includes('kubernetes/configmap.yaml ConfigMap data.segura-siem.yaml'))).toBe(true);
  });

  it.each(configs)('%s loads for serve and stdio', (_name, text) => {
    const file = join(tmp, `standalone-${counter++}.yaml`);
    writeFileSync(file, text);
    const doc = yamlDocuments({ path: file, abs: file, kind: 'yaml', text })[0] as Record<string, unknown>;
    const serve = doc['serve'] as Record<string, unknown> | undefined;
    if (serve?.['grpc'] !== undefined || serve?.['forward'] !== undefined) expect(problemsOf('serve', ['--config', file])).toBe('');
    expect(problemsOf('stdio', ['--config', file])).toBe('');
  });

  it('a misspelt key in a copied example is reported with its path (the check has teeth)', () => {
    const text = readFileSync(join(ROOT, 'config-examples/segura-siem.yaml'), 'utf8').replace(/^(\s+)queueSize:/m, '$1queueSise:');
    const file = join(tmp, 'typo.yaml');
    writeFileSync(file, text);
    expect(problemsOf('serve', ['--config', file])).toContain('sinks[0].queueSise: unknown key');
  });
});
