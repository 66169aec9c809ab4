/**
 * Readers for the golden tests: the input records, the committed golden files, the catalog
 * data (read as JSON, never through the normalizer), and decoders that turn a golden line
 * back into fields with the project's independent test parsers (cef-decoder.ts,
 * rfc5424-parser.ts) plus a Sensage column reader written from config-examples/sensage/README.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCef, type DecodedCef } from '../helpers/cef-decoder.js';
import { ROOT } from '../helpers/cli.js';
import { CELLS, fixturePath, INPUT_FILE, type GoldenCell } from './golden-cells.js';

export type Pairs = Array<[string, string]>;
export type InputRecord = Record<string, unknown>;

export const INPUT_TEXT = readFileSync(join(ROOT, INPUT_FILE), 'utf8');
export const INPUT: readonly InputRecord[] = INPUT_TEXT.split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as InputRecord);

/** The input record a shipper envelope (`log` / `exec` / `message` holding JSON text) wraps, unwrapped. */
export function innerRecord(rec: InputRecord): InputRecord {
  for (const key of ['log', 'exec', 'message']) {
    const v = rec[key];
    if (typeof v === 'string' && v.trim().startsWith('{')) return innerRecord(JSON.parse(v) as InputRecord);
  }
  return rec;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as T;
}

export interface CatalogKeyRow {
  key: string;
  segura?: string;
  fixed?: string;
  example?: string;
}
export interface CatalogType {
  slug: string;
  title: string;
  docTitle: string;
  keys: CatalogKeyRow[];
}
export const MESSAGE_TYPES = readJson<CatalogType[]>('plugin/catalog/message-types.json');
export const SYSLOG_EVENTS = readJson<Array<{ id: string; name: string; messageType?: string }>>('plugin/catalog/syslog-events.json');
export const SEGURA_KEYS = readJson<Array<{ key: string; strict: { key: string; label?: string } }>>('plugin/catalog/segura-keys.json');
export const DICTIONARY = readJson<Array<{ key: string; role: string }>>('plugin/catalog/cef-dictionary.json');
/** Sensage default column names in order (config-examples/sensage/columns.tsv, header line skipped). */
export const SENSAGE_COLUMNS: readonly string[] = readFileSync(join(ROOT, 'config-examples/sensage/columns.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter((l) => l !== '')
  .map((l) => l.split('\t')[1]!);

/** The golden file of a cell as lines (no terminators). */
export function goldenLines(c: GoldenCell): string[] {
  const text = readFileSync(fixturePath(ROOT, c), 'utf8');
  return text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
}

export function cellNamed(name: string): GoldenCell {
  const c = CELLS.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no cell ${name}`);
  return c;
}

export interface ErrorLine {
  line: number;
  code: string;
  field?: string;
  message: string;
}

/** The error summary on a golden line, or undefined for an output line. */
export function errorOf(line: string): ErrorLine | undefined {
  if (!line.startsWith('{"error":')) return undefined;
  return (JSON.parse(line) as { error: ErrorLine }).error;
}

/** Decodes `key=value` text written with CEF extension escaping (RFC 5424 MSG, Sensage `extra`). */
export function decodePairs(text: string): Pairs {
  return decodeCef(`CEF:0|v|p|1|id|n|5|${text}`).extensions;
}

export function decodeCefLine(line: string): DecodedCef {
  return decodeCef(line);
}

/** Unescapes one Sensage column: `\\`, `\t`, `\n`, `\r` are the only escapes (sensage README). */
export function unescapeSensage(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = value[i + 1];
    const decoded = next === '\\' ? '\\' : next === 't' ? '\t' : next === 'n' ? '\n' : next === 'r' ? '\r' : undefined;
    if (decoded === undefined) throw new Error(`invalid Sensage escape at ${i} in ${JSON.stringify(value.slice(0, 80))}`);
    out += decoded;
    i++;
  }
  return out;
}

/** A golden Sensage line as column name → unescaped value; throws on a wrong column count. */
export function readSensage(line: string): Map<string, string> {
  const raw = line.split('\t');
  if (raw.length !== SENSAGE_COLUMNS.length) throw new Error(`${raw.length} columns, expected ${SENSAGE_COLUMNS.length}`);
  return new Map(SENSAGE_COLUMNS.map((name, i) => [name, unescapeSensage(raw[i]!)]));
}

/** Keys in order, for readable assertions. */
export function keysOf(pairs: Pairs): string[] {
  return pairs.map(([k]) => k);
}

export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** The catalog message type an input record stands for, from its `type` or its event id's link (catalog data). */
export function catalogTypeOf(rec: InputRecord): CatalogType | undefined {
  const slugOf = (s: string) => s.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (typeof rec['type'] === 'string') {
    const wanted = slugOf(rec['type']);
    return MESSAGE_TYPES.find((t) => [t.slug, t.title, t.docTitle].some((n) => slugOf(n) === wanted));
  }
  const id = rec['event_id'];
  if (id === undefined) return undefined;
  const slug = SYSLOG_EVENTS.find((e) => e.id === String(id))?.messageType;
  return MESSAGE_TYPES.find((t) => t.slug === slug);
}

/** The key a type's documented row is written under in the segura profile. */
export function seguraKey(row: CatalogKeyRow): string {
  return row.segura ?? row.key;
}
