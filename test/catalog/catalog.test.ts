import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DICTIONARY,
  DOC_INPUT_NAMES,
  MESSAGE_TYPES,
  SEGURA_KEYS,
  SUID_CODES,
  SYSLOG_EVENTS,
  dictionaryEntry,
  eventById,
  labelInputNames,
  messageTypeBySlug,
} from '../../plugin/catalog/catalog.js';
import { parsePriority, PRIORITY_NAMES } from '../../plugin/catalog/priority.js';
import { parsePriority as configParsePriority } from '../../plugin/config/load.js';
import { FIXTURES, REPO_ROOT, readDictionaryTables, readDocTables, readEventTsv, readSuidTable } from './seed-doc.js';

/**
 * The documentation errors this project decided on (docs/mapping.md §7), as a rewrite of
 * the documented spelling to the catalog's canonical key.
 */
const DOC_FIXES: Record<string, string> = {
  Cs6: 'cs6Label',
  Cs7: 'cs6',
  dposrt: 'dpt',
  dport: 'dpt',
  Method: 'requestMethod',
  ServiceName: 'sourceServiceName',
};

const tables = readDocTables();

describe('fixtures', () => {
  it('are the reference files of ../shared when that directory is present', () => {
    const shared = join(REPO_ROOT, '..', 'shared');
    const pairs: Array<[string, string]> = [
      ['siem-doc.txt', 'seeds/000_00531a808f06aed9.txt'],
      ['syslog-events.tsv', 'reference/segura-syslog-events.tsv'],
    ];
    for (const [fixture, original] of pairs) {
      const copy = readFileSync(join(FIXTURES, fixture), 'utf8');
      expect(copy.length).toBeGreaterThan(1000);
      if (existsSync(join(shared, original))) expect(copy).toBe(readFileSync(join(shared, original), 'utf8'));
    }
    if (existsSync(join(shared, 'research/cef.md'))) {
      const cef = readFileSync(join(shared, 'research/cef.md'), 'utf8');
      expect(cef).toContain(readFileSync(join(FIXTURES, 'cef-dictionary.md'), 'utf8').trim());
    }
  });
});

describe('message types against Segura’s documentation', () => {
  it('has one catalog type per documented key table, 27 in all, in document order', () => {
    expect(tables.map((t) => t.heading)).toEqual(MESSAGE_TYPES.map((t) => t.docTitle));
    expect(MESSAGE_TYPES).toHaveLength(27);
  });

  it('slugs are unique, lower-case words joined by hyphens', () => {
    const slugs = MESSAGE_TYPES.map((t) => t.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const s of slugs) expect(s).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(messageTypeBySlug('password-request')?.title).toBe('Password Request');
  });

  for (const table of tables) {
    it(`${table.heading}: documented keys in documented order (after the documented decisions)`, () => {
      const type = MESSAGE_TYPES.find((t) => t.docTitle === table.heading)!;
      const fixed = table.rows.map((r) => DOC_FIXES[r.key] ?? r.key);
      const firstListing = fixed.filter((k, i) => fixed.indexOf(k) === i);
      const catalogKeys = type.keys.filter((k) => k.added === undefined).map((k) => k.key);
      expect(catalogKeys).toEqual(firstListing);
      // The spelling the catalog records as "documented" is the one the table uses.
      const documentedSpellings = new Set(table.rows.map((r) => r.key));
      for (const k of type.keys) if (k.doc !== undefined) expect(documentedSpellings.has(k.doc)).toBe(true);
    });

    it(`${table.heading}: fixed labels are the documented label texts`, () => {
      const type = MESSAGE_TYPES.find((t) => t.docTitle === table.heading)!;
      const labelRows = table.rows.filter((r) => /Label$/.test(r.key) || r.key === 'Cs6');
      const firstLabel = new Map<string, string>();
      for (const r of labelRows) {
        const key = DOC_FIXES[r.key] ?? r.key;
        if (!firstLabel.has(key)) firstLabel.set(key, r.example);
      }
      const catalogLabels = new Map(type.keys.filter((k) => k.fixed !== undefined).map((k) => [k.key, k.fixed]));
      expect(catalogLabels).toEqual(firstLabel);
    });
  }

  it('lists a key that is not a table row only with a reason (Password visualization duid)', () => {
    const added = MESSAGE_TYPES.flatMap((t) => t.keys.filter((k) => k.added !== undefined).map((k) => `${t.slug}:${k.key}`));
    expect(added).toEqual(['password-visualization:duid']);
    const visualization = tables.find((t) => t.heading === 'Password visualization')!;
    expect(visualization.rows.find((r) => r.key === 'duser')!.example).toBe('root duid=35');
  });

  it('every key of every type is a dictionary key or a Segura key, and every label has its value right after it', () => {
    const segura = new Set(SEGURA_KEYS.map((s) => s.key));
    for (const type of MESSAGE_TYPES) {
      type.keys.forEach((k, i) => {
        expect(dictionaryEntry(k.key) !== undefined || segura.has(k.key), `${type.slug} ${k.key}`).toBe(true);
        if (k.fixed !== undefined) expect(type.keys[i + 1]?.key, `${type.slug} ${k.key}`).toBe(k.key.replace(/Label$/, ''));
      });
    }
  });
});

describe('message-type (SUID) codes', () => {
  it('are the documented codes, each naming existing message types', () => {
    const documented = readSuidTable().filter(([suid]) => /^\d+$/.test(suid));
    expect(SUID_CODES.map((s) => [s.suid, s.events])).toEqual(documented);
    for (const s of SUID_CODES) for (const slug of s.messageTypes) expect(messageTypeBySlug(slug), slug).toBeDefined();
  });
});

describe('syslog event table', () => {
  const rows = readEventTsv();

  it('has every row of the reference table with its origin, priority and name', () => {
    expect(SYSLOG_EVENTS).toHaveLength(rows.length);
    for (const row of rows) {
      const e = eventById(row.id);
      expect(e, row.id).toBeDefined();
      expect([e!.origin, e!.priority, e!.syslogSeverity, e!.name]).toEqual([row.origin, row.priority, row.severity, row.name]);
      // The priority name and number agree.
      expect(parsePriority(row.priority)).toBe(row.severity);
    }
  });

  it('covers ids 1-121 (with the source’s gaps), 336.xxx and 1695.xxx, dotted ids as text', () => {
    expect(eventById('336.501')?.name).toBe('Orbit incident report');
    expect(eventById('336.501')?.syslogSeverity).toBe(1);
    expect(eventById('1695.010')?.name).toBe('I18N_REGISTER_TWOFACTOR_TOKEN');
    expect(eventById('64')).toBeUndefined();
    expect(eventById('121')?.name).toBe('View unusual credential');
  });

  it('links event ids to message types as docs/mapping.md states', () => {
    const links = Object.fromEntries(SYSLOG_EVENTS.filter((e) => e.messageType).map((e) => [e.id, e.messageType]));
    expect(links).toEqual({
      '1': 'password-visualization',
      '2': 'password-changed',
      '5': 'privileged-information-visualization',
      '6': 'privileged-information-changed',
      '8': 'lost-connectivity',
      '9': 'restored-connectivity',
      '10': 'command-execution-auditing',
      '11': 'command-execution-auditing',
      '12': 'command-execution-auditing',
      '13': 'password-request',
      '14': 'approved-request',
      '16': 'session-started',
      '17': 'session-ended',
      '18': 'backup',
      '20': 'password-change-error',
      '21': 'exchange-performed',
      '31': 'command-detected-block-stop-session',
      '32': 'command-detected-block',
      '33': 'command-execution-auditing',
      '34': 'stored-file-changed',
      '92': 'master-key-ceremony-started',
      '93': 'master-key-part-viewed',
      '94': 'master-key-part-downloaded',
      '95': 'master-key-ceremony-ended',
      '102': 'master-key-recovery-failed',
      '103': 'master-key-recovery-succeeded',
    });
    for (const e of SYSLOG_EVENTS) if (e.messageType !== undefined) expect(e.link, e.id).toMatch(/\w/);
    expect(messageTypeBySlug('command-execution-auditing')?.eventIds).toEqual(['10', '11', '12', '33']);
    expect(messageTypeBySlug('report-schedule-created')?.eventIds).toEqual([]);
  });
});

describe('CEF extension dictionary', () => {
  const spec = readDictionaryTables();
  const TYPE_NAMES: Record<string, string> = {
    string: 'string', integer: 'integer', long: 'long', double: 'double', timestamp: 'timestamp',
    ipv4_address: 'ipv4', ipv6_address: 'ipv6', ip_address: 'ip', mac_address: 'mac',
  };
  /** Spec typos the catalog corrects (cef.md §1.5/§1.6 notes). */
  const FULL_NAME_FIXES: Record<string, string> = { flexString1Label: 'flexString1Label', dmac: 'destinationMacAddress' };

  it('has every producer and consumer row with its full name, type and maximum length', () => {
    for (const [key, full, type, max] of [...spec.producer, ...spec.consumer]) {
      const e = dictionaryEntry(key!);
      expect(e, key).toBeDefined();
      expect(e!.fullName).toBe(FULL_NAME_FIXES[key!] ?? full);
      expect(e!.type).toBe(TYPE_NAMES[type!]);
      expect(e!.maxLength).toBe(/^\d+$/.test(max!) ? Number(max) : undefined);
    }
    const consumer = new Set(spec.consumer.map((r) => r[0]));
    for (const e of DICTIONARY) if (e.role === 'consumer') expect(consumer.has(e.key), e.key).toBe(true);
    expect(dictionaryEntry('slat')?.role).toBe('consumer');
    expect(dictionaryEntry('suser')?.role).toBe('producer');
  });

  it('has the CEF 1.2 additions, 64-bit integers as long', () => {
    for (const [key, , type, max] of spec.v12) {
      const e = dictionaryEntry(key!);
      expect(e?.since, key).toBe('1.2');
      expect(e!.type).toBe(type === 'integer' ? 'long' : 'string');
      if (/^\d+$/.test(max!)) expect(e!.maxLength).toBe(Number(max));
    }
  });

  it('adds c6a2/c6a2Label and dvcmac, and no key twice', () => {
    expect(dictionaryEntry('c6a2')?.type).toBe('ipv6');
    expect(dictionaryEntry('c6a2Label')?.maxLength).toBe(1023);
    expect(dictionaryEntry('dvcmac')?.fullName).toBe('deviceMacAddress');
    const keys = DICTIONARY.map((e) => e.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(DICTIONARY).toHaveLength(spec.producer.length + spec.v12.length + spec.consumer.length + 3);
  });

  it('no Segura key or misspelling is a dictionary key', () => {
    for (const s of SEGURA_KEYS) expect(dictionaryEntry(s.key), s.key).toBeUndefined();
    for (const [name, key] of Object.entries(DOC_INPUT_NAMES)) {
      expect(dictionaryEntry(name), name).toBeUndefined();
      expect(dictionaryEntry(key), key).toBeDefined();
    }
  });
});

describe('label input names', () => {
  it('gives camelCase, PascalCase, snake_case, kebab-case and lower-case forms', () => {
    const names = labelInputNames('Validity Start');
    for (const n of ['Validity Start', 'validityStart', 'ValidityStart', 'validity_start', 'VALIDITY_START', 'validity-start', 'validitystart']) {
      expect(names).toContain(n);
    }
    expect(labelInputNames('User ID')).toEqual(expect.arrayContaining(['userId', 'userID', 'user_id']));
  });
});

describe('syslog priority parser', () => {
  it('reads names, Segura’s spellings and 0-7; refuses the rest', () => {
    PRIORITY_NAMES.forEach((name, i) => expect(parsePriority(name)).toBe(i));
    expect(parsePriority('critical')).toBe(2);
    expect(parsePriority('ERROR')).toBe(3);
    expect(parsePriority(' warn ')).toBe(4);
    expect(parsePriority('7')).toBe(7);
    expect(parsePriority(0)).toBe(0);
    for (const bad of ['8', '-1', 8, 1.5, 'loud', '', null, {}]) expect(parsePriority(bad)).toBeUndefined();
  });

  it('is the parser the configuration uses', () => {
    expect(configParsePriority).toBe(parsePriority);
  });
});
