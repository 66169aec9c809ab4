/**
 * Test-side reader of Segura's SIEM documentation (test/fixtures/segura/siem-doc.txt, a copy
 * of ../shared/seeds/000_00531a808f06aed9.txt). The text renders each table cell as a line
 * ending in `|`; a key table starts with the cells `Key`, `Example`, `Description` right
 * after its heading line. Written from the text's layout, independently of the catalog.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'segura');
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface DocRow {
  readonly key: string;
  readonly example: string;
  readonly description: string;
}

export interface DocTable {
  readonly heading: string;
  readonly rows: readonly DocRow[];
}

const isCell = (line: string): boolean => line.trimEnd().endsWith('|');
const cellText = (line: string): string => line.trimEnd().slice(0, -1).trim();

/** Every key table of the documentation, in document order. */
export function readDocTables(text = readFileSync(join(FIXTURES, 'siem-doc.txt'), 'utf8')): DocTable[] {
  const lines = text.split('\n');
  const tables: DocTable[] = [];
  for (let i = 1; i + 2 < lines.length; i++) {
    if (cellText(lines[i]!) !== 'Key' || cellText(lines[i + 1]!) !== 'Example' || cellText(lines[i + 2]!) !== 'Description') continue;
    if (!isCell(lines[i]!)) continue;
    const heading = lines[i - 1]!.trim();
    const rows: DocRow[] = [];
    let j = i + 3;
    while (j < lines.length && isCell(lines[j]!)) {
      rows.push({ key: cellText(lines[j]!), example: cellText(lines[j + 1] ?? '|'), description: cellText(lines[j + 2] ?? '|') });
      j += 3;
    }
    tables.push({ heading, rows });
    i = j - 1;
  }
  return tables;
}

/** The "Messages Type (SUID)" table: SUID → events text (the stray dst/dhost rows included). */
export function readSuidTable(text = readFileSync(join(FIXTURES, 'siem-doc.txt'), 'utf8')): Array<[string, string]> {
  const lines = text.split('\n');
  const start = lines.findIndex((l, i) => cellText(l) === 'SUID' && cellText(lines[i + 1] ?? '') === 'Events');
  const out: Array<[string, string]> = [];
  for (let j = start + 2; j + 1 < lines.length && isCell(lines[j]!) && isCell(lines[j + 1]!); j += 2) {
    out.push([cellText(lines[j]!), cellText(lines[j + 1]!)]);
  }
  return out;
}

/** Rows of the syslog event TSV (header skipped). */
export function readEventTsv(): Array<{ id: string; origin: string; priority: string; severity: number; name: string }> {
  const text = readFileSync(join(FIXTURES, 'syslog-events.tsv'), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const [id, origin, priority, severity, name] = l.split('\t');
      return { id: id!, origin: origin!, priority: priority!, severity: Number(severity), name: name! };
    });
}

/** Rows of the dictionary tables in the cef.md §1.6 extract: [key, full name, type, max]. */
export function readDictionaryTables(): { producer: string[][]; v12: string[][]; consumer: string[][] } {
  const text = readFileSync(join(FIXTURES, 'cef-dictionary.md'), 'utf8');
  const section = (from: string, to: string | undefined): string[][] => {
    const a = text.indexOf(from);
    const b = to === undefined ? text.length : text.indexOf(to);
    return text
      .slice(a, b)
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => l.split('|').slice(1, -1).map((c) => c.trim().replaceAll('`', '')));
  };
  return {
    producer: section('**Producer keys', '**CEF 1.2 additions'),
    v12: section('**CEF 1.2 additions', '**Consumer keys'),
    consumer: section('**Consumer keys', undefined),
  };
}
