/**
 * Every file under config-examples/ parses with the parser of its format, has the shape its
 * shipper requires (Fluent Bit: plugins with a name, outputs with a match; Fluentd: balanced
 * directives, a @type everywhere one is needed), and each Fluent Bit YAML/classic pair
 * describes the same pipeline. The folder index (config-examples/README.md) names every file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  ConfigSyntaxError,
  parseFluentBitClassic,
  parseFluentdConfig,
  sectionMap,
  shellWords,
  walkFluentd,
  param,
  type ClassicConfig,
} from './config-parsers.js';
import { ROOT, exampleFiles, yamlDocuments, type ExampleFile } from './examples.js';

const files = exampleFiles();
const byKind = (kind: ExampleFile['kind']) => files.filter((f) => f.kind === kind).map((f) => [f.path, f] as const);

/** Fluent Bit YAML files: those with a `pipeline:` (or only `parsers:` / `includes:`) at the top. */
function isFluentBitYaml(doc: unknown): doc is Record<string, unknown> {
  return doc !== null && typeof doc === 'object' && ('pipeline' in doc || (('parsers' in doc || 'includes' in doc) && !('kind' in doc)));
}

const FB_YAML_TOP = ['service', 'pipeline', 'parsers', 'multiline_parsers', 'includes', 'env', 'customs', 'plugins', 'upstream_servers', 'stream_processor'];

describe('every example file parses', () => {
  it('there are examples for every shipper folder the issue names', () => {
    for (const dir of ['fluent-bit', 'vector', 'fluentd', 'otel-collector', 'kubernetes', 'mappings']) {
      expect(files.some((f) => f.path.startsWith(`config-examples/${dir}/`)), dir).toBe(true);
    }
  });

  it.each(byKind('yaml'))('%s is valid YAML', (_p, f) => {
    expect(yamlDocuments(f).length).toBeGreaterThan(0);
  });

  it.each(byKind('fluentd'))('%s is a valid Fluentd config', (_p, f) => {
    const top = parseFluentdConfig(f.text, f.path);
    expect(top.length).toBeGreaterThan(0);
    for (const d of walkFluentd(top)) {
      if (['source', 'match', 'filter'].includes(d.name)) expect(param(d, '@type'), `<${d.name}> line ${d.line}`).toBeTruthy();
      if (['parse', 'format'].includes(d.name)) expect(param(d, '@type'), `<${d.name}> line ${d.line}`).toBeTruthy();
    }
  });

  it.each(byKind('fluent-bit-classic'))('%s is a valid Fluent Bit classic config', (_p, f) => {
    const conf = parseFluentBitClassic(f.text, f.path);
    expect(conf.sections.length).toBeGreaterThan(0);
    for (const s of conf.sections) {
      const m = sectionMap(s);
      if (['INPUT', 'FILTER', 'OUTPUT', 'PARSER'].includes(s.name)) expect(m['name'], `[${s.name}] line ${s.line}`).toBeTruthy();
      if (['FILTER', 'OUTPUT'].includes(s.name)) expect(m['match'] ?? m['match_regex'], `[${s.name}] line ${s.line}`).toBeTruthy();
    }
    for (const inc of conf.includes) expect(existsSync(join(dirname(f.abs), inc)), `@INCLUDE ${inc}`).toBe(true);
    const parsersFile = conf.sections.find((s) => s.name === 'SERVICE')?.entries.find((e) => e.key === 'parsers_file')?.value;
    if (parsersFile !== undefined && !parsersFile.startsWith('/')) {
      expect(existsSync(join(dirname(f.abs), parsersFile)), `Parsers_File ${parsersFile}`).toBe(true);
    }
  });

  it.each(byKind('yaml').filter(([, f]) => f.path.includes('/fluent-bit/')))('%s has the shape of a Fluent Bit YAML config', (_p, f) => {
    const doc = yamlDocuments(f)[0];
    expect(isFluentBitYaml(doc)).toBe(true);
    const d = doc as Record<string, unknown>;
    for (const k of Object.keys(d)) expect(FB_YAML_TOP, `top-level key ${k}`).toContain(k);
    for (const inc of (d['includes'] ?? []) as string[]) expect(existsSync(join(dirname(f.abs), inc)), `includes ${inc}`).toBe(true);
    const pipeline = (d['pipeline'] ?? {}) as Record<string, unknown>;
    for (const kind of ['inputs', 'filters', 'outputs']) {
      const list = pipeline[kind];
      if (list === undefined) continue;
      expect(Array.isArray(list), `pipeline.${kind}`).toBe(true);
      for (const p of list as Array<Record<string, unknown>>) {
        expect(typeof p['name'], `pipeline.${kind} entry`).toBe('string');
        if (kind !== 'inputs') expect(p['match'] ?? p['match_regex'], `${kind} ${String(p['name'])}`).toBeTruthy();
      }
    }
  });

  it.each(byKind('ndjson'))('%s holds one JSON object per line', (_p, f) => {
    const lines = f.text.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(typeof JSON.parse(l)).toBe('object');
  });

  it.each(byKind('toml'))('%s is not used (no TOML parser is vendored; add one before adding TOML examples)', (p) => {
    throw new Error(`${p}: TOML examples are not checked; write YAML`);
  });

  it('the index names every example file or its folder', () => {
    const index = readFileSync(join(ROOT, 'config-examples/README.md'), 'utf8');
    for (const f of files) {
      const rel = f.path.slice('config-examples/'.length);
      const folder = rel.includes('/') ? `${rel.split('/')[0]}/` : undefined;
      expect(index.includes(rel) || (folder !== undefined && index.includes(`(${folder})`)), rel).toBe(true);
    }
  });
});

/** One Fluent Bit pipeline in a comparable form: plugin kind → list of {key: normalised value}. */
type Pipeline = Record<string, Array<Record<string, string>>>;

function normaliseValue(v: unknown): string {
  const s = String(v).trim().toLowerCase();
  if (['on', 'true', 'yes'].includes(s)) return 'on';
  if (['off', 'false', 'no'].includes(s)) return 'off';
  return s;
}

function normaliseEntry(entry: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry)) {
    // YAML-only constructs with no classic equivalent are left out of the comparison.
    if (k === 'processors') continue;
    out[k.toLowerCase()] = normaliseValue(v);
  }
  return out;
}

/** Lists compared as sets: Fluent Bit routes by match, not by position, and includes land where they are written. */
const sorted = (list: Array<Record<string, string>>) => [...list].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

/** A YAML config with its `includes:` merged in (paths relative to its folder). */
function yamlPipeline(doc: Record<string, unknown>, dir: string): Pipeline {
  const p = (doc['pipeline'] ?? {}) as Record<string, Array<Record<string, unknown>>>;
  const service = normaliseEntry((doc['service'] ?? {}) as Record<string, unknown>);
  delete service['parsers_file'];
  const out: Pipeline = {
    service: [service],
    inputs: (p['inputs'] ?? []).map(normaliseEntry),
    filters: (p['filters'] ?? []).map(normaliseEntry),
    outputs: (p['outputs'] ?? []).map(normaliseEntry),
    parsers: ((doc['parsers'] ?? []) as Array<Record<string, unknown>>).map(normaliseEntry),
  };
  for (const inc of (doc['includes'] ?? []) as string[]) {
    const sub = yamlPipeline(parseYaml(readFileSync(join(dir, inc), 'utf8')) as Record<string, unknown>, dir);
    for (const k of ['inputs', 'filters', 'outputs', 'parsers'] as const) out[k] = [...out[k]!, ...sub[k]!];
  }
  for (const k of ['inputs', 'filters', 'outputs', 'parsers'] as const) out[k] = sorted(out[k]!);
  return out;
}

/** A classic config with its @INCLUDE files and its Parsers_File merged in. */
function classicPipeline(conf: ClassicConfig, dir: string): Pipeline {
  const sections = [...conf.sections];
  for (const inc of conf.includes) sections.push(...parseFluentBitClassic(readFileSync(join(dir, inc), 'utf8'), inc).sections);
  const of = (name: string) => sorted(sections.filter((s) => s.name === name).map((s) => normaliseEntry(sectionMap(s))));
  const service = of('SERVICE')[0] ?? {};
  const parsersFile = service['parsers_file'];
  delete service['parsers_file'];
  let parsers = of('PARSER');
  if (parsersFile !== undefined && existsSync(join(dir, parsersFile))) {
    const pconf = parseFluentBitClassic(readFileSync(join(dir, parsersFile), 'utf8'), parsersFile);
    parsers = sorted([...parsers, ...pconf.sections.filter((s) => s.name === 'PARSER').map((s) => normaliseEntry(sectionMap(s)))]);
  }
  return { service: [service], inputs: of('INPUT'), filters: of('FILTER'), outputs: of('OUTPUT'), parsers };
}

describe('Fluent Bit YAML and classic twins describe the same pipeline', () => {
  const fb = files.filter((f) => f.path.includes('/fluent-bit/'));
  const pairs = fb
    .filter((f) => f.kind === 'yaml')
    .map((y) => [y, fb.find((c) => c.kind === 'fluent-bit-classic' && c.path === y.path.replace(/\.ya?ml$/, '.conf'))] as const)
    .filter((pair): pair is readonly [ExampleFile, ExampleFile] => pair[1] !== undefined)
    .map(([y, c]) => [`${y.path} = ${c.path}`, y, c] as const);

  it('there is at least the otlp pair', () => {
    expect(pairs.map(([n]) => n)).toContain('config-examples/fluent-bit/otlp.yaml = config-examples/fluent-bit/otlp.conf');
  });

  it.each(pairs)('%s', (_n, y, c) => {
    const fromYaml = yamlPipeline(yamlDocuments(y)[0] as Record<string, unknown>, dirname(y.abs));
    const fromClassic = classicPipeline(parseFluentBitClassic(c.text, c.path), dirname(c.abs));
    expect(fromClassic).toEqual(fromYaml);
  });
});

describe('the test parsers reject what the shippers reject', () => {
  it('Fluent Bit classic', () => {
    expect(() => parseFluentBitClassic('[INPUT]\nName tail\n')).toThrow(ConfigSyntaxError);
    expect(() => parseFluentBitClassic('[INPUT]\n    Name tail\n  Tag x\n')).toThrow(/inconsistent indentation/);
    expect(() => parseFluentBitClassic('[INPTU]\n    Name tail\n')).toThrow(/unknown section/);
    expect(() => parseFluentBitClassic('[OUTPUT]\n    Match\n')).toThrow(/without a value/);
    expect(parseFluentBitClassic('[INPUT]\n    Name  tail\n    Path  /a b\n').sections[0]!.entries).toEqual([
      { key: 'name', value: 'tail', line: 2 },
      { key: 'path', value: '/a b', line: 3 },
    ]);
  });

  it('Fluentd', () => {
    expect(() => parseFluentdConfig('<match a>\n  @type stdout\n')).toThrow(/never closed/);
    expect(() => parseFluentdConfig('<match a>\n<parse>\n</match>\n</parse>\n')).toThrow(/closes <parse>/);
    expect(() => parseFluentdConfig('<parse>\n</parse>\n')).toThrow(/not a top-level/);
    expect(() => parseFluentdConfig('<match>\n</match>\n')).toThrow(/tag pattern/);
    const [m] = parseFluentdConfig('<match a.**>\n  @type exec_filter # comment\n  command "x y"\n  <buffer tag>\n  </buffer>\n</match>\n');
    expect(m!.arg).toBe('a.**');
    expect(param(m!, '@type')).toBe('exec_filter');
    expect(param(m!, 'command')).toBe('x y');
    expect(m!.children[0]!.arg).toBe('tag');
  });

  it('shell words', () => {
    expect(shellWords(`a 'b c' "d \\"e\\"" f\\ g`)).toEqual(['a', 'b c', 'd "e"', 'f g']);
    expect(shellWords('tail -F x | segura-siem stdio 2>>/tmp/e && echo ok')).toEqual(['tail', '-F', 'x', '|', 'segura-siem', 'stdio', '2>>', '/tmp/e', '&&', 'echo', 'ok']);
    expect(shellWords('a \\\n  b')).toEqual(['a', 'b']);
    expect(shellWords('segura-siem stdio  # a comment, not arguments')).toEqual(['segura-siem', 'stdio']);
  });
});
