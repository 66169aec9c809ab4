/**
 * Builds the Config for a mode: defaults, then the YAML file (`--config`), then environment
 * variables for secrets, then flags. Every problem is collected with its path and reported
 * at once, before any data is read.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { parsePriority } from '../catalog/priority.js';
import { SegError } from '../core/errors.js';
import { ENV_VARS, FLAGS, flagsForMode, type FlagSpec } from './flags.js';
import { defaultConfig, defaultSink, type Config, type Mode } from './schema.js';
import { validateConfig } from './validate.js';

export interface LoadedConfig {
  config: Config;
  positionals: string[];
  help: boolean;
}

// The priority parser lives with the catalog (normalize uses it too); re-exported for callers of this module.
export { PRIORITY_NAMES, parsePriority } from '../catalog/priority.js';

export function loadConfig(mode: Mode, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const specs = flagsForMode(mode);
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = { help: { type: 'boolean' } };
  for (const f of specs) options[f.name] = { type: f.type === 'bool' ? 'boolean' : 'string', multiple: f.multiple ?? false };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new SegError('SEG_ERR_CONFIG', `${(e as Error).message} (see segura-siem ${mode} --help)`);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const problems: string[] = [];
  const config = defaultConfig();

  const file = values['config'];
  if (typeof file === 'string') mergeFile(config, file, problems);
  applyEnv(config, env);
  applyFlags(config, specs, values, problems);
  if (problems.length === 0) problems.push(...validateConfig(config, mode, parsed.positionals));
  if (problems.length > 0) {
    throw new SegError('SEG_ERR_CONFIG', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return { config, positionals: parsed.positionals, help: values['help'] === true };
}

function applyFlags(
  config: Config,
  specs: readonly FlagSpec[],
  values: Record<string, string | boolean | string[] | undefined>,
  problems: string[],
): void {
  // --sink replaces the sink list first, so the per-sink flags after it apply to every sink.
  const sinkUrls = values['sink'];
  if (Array.isArray(sinkUrls) && sinkUrls.length > 0) {
    const template = config.sinks[0] ?? defaultSink();
    config.sinks = sinkUrls.map((url) => ({ ...structuredClone(template), url }));
  }
  for (const spec of specs) {
    if (spec.path === '-' || spec.name === 'sink') continue;
    const raw = values[spec.name];
    if (raw === undefined) continue;
    const value = coerceFlag(spec, raw, problems);
    if (value === undefined) continue;
    setPath(config, spec.path, value);
  }
}

function coerceFlag(spec: FlagSpec, raw: string | boolean | string[], problems: string[]): unknown {
  const text = Array.isArray(raw) ? raw[raw.length - 1]! : raw;
  const where = `--${spec.name}`;
  switch (spec.type) {
    case 'bool':
      return text === true;
    case 'int': {
      const n = Number(text);
      if (!Number.isSafeInteger(n) || n < 0) {
        problems.push(`${where}: expected a non-negative integer, got "${String(text)}"`);
        return undefined;
      }
      return n;
    }
    case 'enum':
      if (!spec.values!.includes(String(text))) {
        problems.push(`${where}: expected one of ${spec.values!.join('|')}, got "${String(text)}"`);
        return undefined;
      }
      return text;
    case 'list':
      return String(text).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    case 'string':
      if (spec.path === 'normalize.defaultSyslogSeverity') {
        const p = parsePriority(text);
        if (p === undefined) problems.push(`${where}: expected a syslog priority name or 0-7, got "${String(text)}"`);
        return p;
      }
      return text;
  }
}

function applyEnv(config: Config, env: NodeJS.ProcessEnv): void {
  for (const v of ENV_VARS) {
    const value = env[v.name];
    if (value !== undefined && value !== '') setPath(config, v.path, value);
  }
}

/** Sets a dotted path; `sinks.*.x` sets x on every sink. */
export function setPath(config: Config, path: string, value: unknown): void {
  const parts = path.split('.');
  if (parts[0] === 'sinks' && parts[1] === '*') {
    for (const sink of config.sinks) setIn(sink as unknown as Record<string, unknown>, parts.slice(2), value);
    return;
  }
  setIn(config as unknown as Record<string, unknown>, parts, value);
}

function setIn(target: Record<string, unknown>, parts: readonly string[], value: unknown): void {
  let node = target;
  for (const p of parts.slice(0, -1)) node = node[p] as Record<string, unknown>;
  node[parts[parts.length - 1]!] = value;
}

/** Merges the YAML file into `config`, checking each key against the default tree. */
function mergeFile(config: Config, file: string, problems: string[]): void {
  if (!existsSync(file)) {
    problems.push(`--config: file not found: ${file}`);
    return;
  }
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    problems.push(`--config ${file}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
    return;
  }
  if (doc === null || doc === undefined) return;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    problems.push(`--config ${file}: the top level must be a mapping`);
    return;
  }
  const tree = doc as Record<string, unknown>;
  if ('sinks' in tree) {
    const list = tree['sinks'];
    if (!Array.isArray(list) || list.length === 0) {
      problems.push('sinks: expected a non-empty list');
    } else {
      config.sinks = list.map((item, i) => {
        const sink = defaultSink();
        mergeNode(sink as unknown as Record<string, unknown>, item, `sinks[${i}]`, problems);
        return sink;
      });
    }
  }
  const rest = { ...tree };
  delete rest['sinks'];
  mergeNode(config as unknown as Record<string, unknown>, rest, '', problems);
}

function mergeNode(target: Record<string, unknown>, source: unknown, path: string, problems: string[]): void {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) {
    problems.push(`${path || '(top)'}: expected a mapping`);
    return;
  }
  for (const [key, value] of Object.entries(source)) {
    const here = path ? `${path}.${key}` : key;
    if (!(key in target)) {
      problems.push(`${here}: unknown key`);
      continue;
    }
    const current = target[key];
    if (here === 'normalize.aliases') {
      mergeAliases(target, key, value, here, problems);
    } else if (here === 'normalize.defaultSyslogSeverity') {
      const p = parsePriority(value);
      if (p === undefined) problems.push(`${here}: expected a syslog priority name or 0-7`);
      else target[key] = p;
    } else if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
      mergeNode(current as Record<string, unknown>, value, here, problems);
    } else if (!sameKind(current, value, here)) {
      problems.push(`${here}: expected ${describeKind(current, here)}, got ${JSON.stringify(value)}`);
    } else {
      target[key] = value;
    }
  }
}

function mergeAliases(target: Record<string, unknown>, key: string, value: unknown, here: string, problems: string[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${here}: expected a mapping of input name to documented key`);
    return;
  }
  for (const [from, to] of Object.entries(value)) {
    if (typeof to !== 'string') problems.push(`${here}.${from}: expected a key name`);
  }
  target[key] = { ...(value as Record<string, string>) };
}

/** Paths whose default is undefined, with the kind they take. */
const OPTIONAL_KINDS: Record<string, 'string' | 'number'> = {
  maxBytes: 'number',
};

function sameKind(current: unknown, value: unknown, path: string): boolean {
  if (current === undefined) {
    const leaf = path.split('.').pop()!;
    const kind = OPTIONAL_KINDS[leaf] ?? 'string';
    return kind === 'number' ? Number.isSafeInteger(value) && (value as number) >= 0 : typeof value === 'string';
  }
  if (Array.isArray(current)) return Array.isArray(value) && value.every((v) => typeof v === 'string');
  if (typeof current === 'number') return Number.isSafeInteger(value) && (value as number) >= 0;
  return typeof current === typeof value;
}

function describeKind(current: unknown, path: string): string {
  if (current === undefined) return (OPTIONAL_KINDS[path.split('.').pop()!] ?? 'string') === 'number' ? 'a non-negative integer' : 'a string';
  if (Array.isArray(current)) return 'a list of strings';
  if (typeof current === 'number') return 'a non-negative integer';
  return `a ${typeof current}`;
}

/** The flag spec whose path matches a config path (for the examples test). */
export function flagForPath(path: string): FlagSpec | undefined {
  return FLAGS.find((f) => f.path === path);
}
