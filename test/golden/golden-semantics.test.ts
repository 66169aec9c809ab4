/**
 * What the golden files must say, checked without trusting them: every line of every cell is
 * decoded with the project's independent parsers (test/helpers/cef-decoder.ts,
 * rfc5424-parser.ts, a Sensage reader written from its README) and compared with the input
 * records and the catalog data, and the cells are compared with each other (an envelope adds
 * a header and changes nothing else; RFC 5424 MSG, SD and Sensage carry the CEF pairs; the
 * strict profile moves values and never loses one; a byte cap only shortens free text).
 * golden.test.ts proves the files are what the CLI writes; this file proves they are right.
 */
import { describe, expect, it } from 'vitest';
import type { DecodedCef } from '../helpers/cef-decoder.js';
import { parseRfc5424, type Rfc5424Message } from '../helpers/rfc5424-parser.js';
import { CELLS } from './golden-cells.js';
import {
  catalogTypeOf,
  cellNamed,
  decodeCefLine,
  decodePairs,
  DICTIONARY,
  errorOf,
  goldenLines,
  INPUT,
  innerRecord,
  keysOf,
  MESSAGE_TYPES,
  readSensage,
  SEGURA_KEYS,
  seguraKey,
  SYSLOG_EVENTS,
  utf8Length,
  type InputRecord,
  type Pairs,
} from './support.js';

const PROFILES = ['segura', 'strict'] as const;
const FACILITY_USER = 1;
const PRIORITIES: Readonly<Record<string, number>> = { emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7 };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Characters no output line may hold raw (TAB is Sensage's separator, checked there). */
const FORBIDDEN = /[\0-\x08\n-\x1f\x7f\x85\u2028\u2029]|\p{Cs}/u;

const RECORDS = INPUT.map(innerRecord);
const TYPE_COUNT = MESSAGE_TYPES.length;
const lines = new Map(CELLS.map((c) => [c.name, goldenLines(c)]));
const linesOf = (name: string): string[] => lines.get(cellNamed(name).name)!;

// ---- expectations computed from the input record and the catalog data only ----

const eventOf = (rec: InputRecord) => SYSLOG_EVENTS.find((e) => rec['event_id'] !== undefined && e.id === String(rec['event_id']));
const eventIdOf = (rec: InputRecord): string | undefined => (rec['event_id'] === undefined ? undefined : String(rec['event_id']));

function syslogSeverityOf(rec: InputRecord): number {
  if (typeof rec['priority'] === 'string') return PRIORITIES[rec['priority']]!;
  return (eventOf(rec) as { syslogSeverity?: number } | undefined)?.syslogSeverity ?? PRIORITIES['notice']!;
}

function cefSeverityOf(rec: InputRecord): string {
  const given = rec['severity'];
  if (typeof given === 'string') return given.charAt(0).toUpperCase() + given.slice(1).toLowerCase();
  return String(10 - syslogSeverityOf(rec));
}

function nameOf(rec: InputRecord): string {
  return (rec['name'] as string | undefined) ?? eventOf(rec)?.name ?? catalogTypeOf(rec)!.title;
}

const isIso = (t: unknown): t is string => typeof t === 'string' && /^\d{4}-\d\d-\d\dT/.test(t);

function epochMsOf(t: unknown): number {
  if (isIso(t)) return Date.parse(t.replace(/(\.\d{1,3})\d*/, '$1'));
  const n = Number(t);
  return n >= 1e11 ? n : Math.round(n * 1000);
}

/** `Mmm dd hh:mm:ss` of the wall clock the record was written in (its own offset). */
function bsdStampOf(t: unknown): string {
  const m = isIso(t) ? /^(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d)/.exec(t)! : undefined;
  if (m !== undefined) return `${MONTHS[Number(m[2]) - 1]} ${m[3]!.replace(/^0/, ' ')} ${m[4]}`;
  const d = new Date(epochMsOf(t));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

const PRINTUSASCII = /^[\x21-\x7e]+$/;
/** A header value the syslog header must carry unchanged, or undefined when it must be repaired. */
function plainHeader(value: unknown, max: number): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  return PRINTUSASCII.test(text) && text.length <= max ? text : undefined;
}

// ---- per-cell decoding ----

/**
 * A carrier's pairs as CEF would hold them: CEF cannot transport trailing blanks (it drops
 * them, CR and LF excepted, and omits a pair left empty: cef-escape.ts), SD and Sensage columns
 * keep them.
 */
function asCefWould(pairs: Pairs): Pairs {
  return pairs.map(([k, v]): [string, string] => [k, trimBlankEnd(v)]).filter(([, v]) => v !== '');
}

function trimBlankEnd(v: string): string {
  return v.replace(/[^\S\r\n]+$/, '');
}

const outputIndexes = (name: string): number[] => linesOf(name).flatMap((l, i) => (errorOf(l) === undefined ? [i] : []));
const cef = (profile: string, i: number): DecodedCef => decodeCefLine(linesOf(`cef-none-${profile}`)[i]!);
const pairsMap = (pairs: Pairs): Map<string, string> => new Map(pairs);

function rfc5424(name: string, i: number): Rfc5424Message {
  return parseRfc5424(linesOf(name)[i]!);
}

describe('golden input', () => {
  it('holds one record per catalog message type, in catalog order, each with time, host, version and linked event id', () => {
    expect(RECORDS.length).toBeGreaterThan(TYPE_COUNT);
    for (let i = 0; i < TYPE_COUNT; i++) {
      const rec = RECORDS[i]!;
      expect(catalogTypeOf(rec)?.slug, `record ${i + 1}`).toBe(MESSAGE_TYPES[i]!.slug);
      expect(rec['timestamp'], `record ${i + 1}`).toBeDefined();
      expect(rec['host'], `record ${i + 1}`).toBeDefined();
      expect(rec['product_version'], `record ${i + 1}`).toBeDefined();
      const linked = SYSLOG_EVENTS.some((e) => e.messageType === MESSAGE_TYPES[i]!.slug);
      expect(rec['event_id'] !== undefined, `record ${i + 1} event id`).toBe(linked);
    }
    for (const rec of RECORDS) expect(rec['timestamp'] ?? rec['time']).toBeDefined();
  });
});

describe('every cell', () => {
  const refusedAlways = RECORDS.flatMap((r, i) => (r['severity'] === 'urgent' ? [i] : []));

  for (const cell of CELLS) {
    it(`${cell.name}: one line per record, no raw line break, control or lone surrogate, errors only where due`, () => {
      const cellLines = linesOf(cell.name);
      expect(cellLines).toHaveLength(RECORDS.length);
      for (const [i, line] of cellLines.entries()) {
        expect(FORBIDDEN.test(line), `record ${i + 1}: ${JSON.stringify(line.slice(0, 120))}`).toBe(false);
        if (cell.format !== 'sensage') expect(line.includes('\t'), `record ${i + 1} has a raw TAB`).toBe(false);
      }
      const errors = cellLines.flatMap((l, i) => {
        const e = errorOf(l);
        return e === undefined ? [] : [{ index: i, ...e }];
      });
      for (const i of refusedAlways) {
        expect(errors.find((e) => e.index === i)).toMatchObject({ line: i + 1, code: 'SEG_ERR_FIELD', field: 'severity' });
      }
      const others = errors.filter((e) => !refusedAlways.includes(e.index));
      // Only a byte cap may refuse a record that has no bad field.
      if (cell.maxBytes === undefined) expect(others).toEqual([]);
      else for (const e of others) expect(e.code, `record ${e.index + 1}`).toBe('SEG_ERR_FORMAT');
    });
  }
});

describe('CEF cells', () => {
  for (const profile of PROFILES) {
    it(`cef-none-${profile}: every line decodes; header from the record and the catalog; no key twice; rt is the event time`, () => {
      for (const i of outputIndexes(`cef-none-${profile}`)) {
        const rec = RECORDS[i]!;
        const d = cef(profile, i);
        const at = `record ${i + 1}`;
        expect(d.prefix, at).toBe('');
        expect([d.version, d.vendor, d.product], at).toEqual([0, 'MT4', 'Segura']);
        expect(d.deviceVersion, at).toBe(String(rec['product_version'] ?? 'unknown').slice(0, 31));
        expect(d.eventClassId, at).toBe(eventIdOf(rec) ?? 'unknown');
        expect(d.name, at).toBe(nameOf(rec));
        expect(d.severity, at).toBe(cefSeverityOf(rec));
        const keys = keysOf(d.extensions);
        expect(new Set(keys).size, `${at}: duplicate key in ${keys.join(' ')}`).toBe(keys.length);
        expect(pairsMap(d.extensions).get('rt'), at).toBe(String(epochMsOf(rec['timestamp'] ?? rec['time'])));
      }
    });

    it(`cef-rfc5424-${profile}: valid RFC 5424 whose MSG is exactly the bare CEF line`, () => {
      const bare = linesOf(`cef-none-${profile}`);
      for (const i of outputIndexes(`cef-rfc5424-${profile}`)) {
        const rec = RECORDS[i]!;
        const m = rfc5424(`cef-rfc5424-${profile}`, i);
        const at = `record ${i + 1}`;
        expect(m.msg, at).toBe(bare[i]);
        expect(m.bom, at).toBe(false);
        expect(m.structuredData, at).toBeNull();
        expect([m.facility, m.severity, m.version, m.appName], at).toEqual([FACILITY_USER, syslogSeverityOf(rec), 1, 'Segura']);
        checkSyslogHeader(m, rec, at);
      }
    });

    it(`cef-rfc3164-${profile}: <PRI>Mmm dd hh:mm:ss HOST in the record's own wall clock, then exactly the bare CEF line`, () => {
      const bare = linesOf(`cef-none-${profile}`);
      const shape = /^<(\d{1,3})>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) ([\x21-\x7e]{1,255}) (CEF:0\|.*)$/s;
      for (const i of outputIndexes(`cef-rfc3164-${profile}`)) {
        const rec = RECORDS[i]!;
        const at = `record ${i + 1}`;
        const m = shape.exec(linesOf(`cef-rfc3164-${profile}`)[i]!);
        expect(m, at).not.toBeNull();
        expect(Number(m![1]), at).toBe(FACILITY_USER * 8 + syslogSeverityOf(rec));
        expect(m![2], at).toBe(bsdStampOf(rec['timestamp']));
        expect(m![3], at).toBe(expectedHost(rec) ?? m![3]);
        expect(m![4], at).toBe(bare[i]);
      }
    });
  }
});

/** HOSTNAME, PROCID, MSGID and TIMESTAMP of an RFC 5424 header, against the input record. */
function checkSyslogHeader(m: Rfc5424Message, rec: InputRecord, at: string): void {
  expect(m.hostname, at).toBe(expectedHost(rec) ?? m.hostname);
  const pid = rec['pid'];
  if (pid === undefined) expect(m.procId, at).toBeNull();
  else expect(m.procId, at).toBe(plainHeader(pid, 128) ?? m.procId);
  const id = eventIdOf(rec);
  if (id === undefined) expect(m.msgId, at).toBeNull();
  else expect(m.msgId, at).toBe(plainHeader(id, 32) ?? m.msgId);
  const t = rec['timestamp'];
  // The record's own offset and fraction are kept; +00:00 may be written Z (RFC 3339 §4.3).
  if (isIso(t)) expect(m.timestamp, at).toBe(t.replace(/\+00:00$/, 'Z'));
  expect(Date.parse(m.timestamp!.replace(/(\.\d{1,3})\d*/, '$1')), at).toBe(epochMsOf(t));
}

/** The record's host when it must appear unchanged; the configured one when it has none. */
function expectedHost(rec: InputRecord): string | undefined {
  return rec['host'] === undefined ? 'golden-host' : plainHeader(rec['host'], 255);
}

describe('RFC 5424 cells', () => {
  for (const profile of PROFILES) {
    it(`rfc5424-${profile}: valid RFC 5424; MSG decodes to exactly the CEF extension pairs`, () => {
      for (const i of outputIndexes(`rfc5424-${profile}`)) {
        const rec = RECORDS[i]!;
        const m = rfc5424(`rfc5424-${profile}`, i);
        const at = `record ${i + 1}`;
        expect([m.facility, m.severity, m.appName, m.structuredData, m.bom], at).toEqual([FACILITY_USER, syslogSeverityOf(rec), 'Segura', null, false]);
        checkSyslogHeader(m, rec, at);
        expect(decodePairs(m.msg!), at).toEqual(cef(profile, i).extensions);
      }
    });

    it(`rfc5424-sd-${profile}: one SD-ELEMENT segura@32473 holding the MSG pairs (line breaks as spaces); header and MSG as without --sd`, () => {
      const plain = linesOf(`rfc5424-${profile}`);
      for (const i of outputIndexes(`rfc5424-sd-${profile}`)) {
        const m = rfc5424(`rfc5424-sd-${profile}`, i);
        const p = parseRfc5424(plain[i]!);
        const at = `record ${i + 1}`;
        expect({ ...m, structuredData: null }, at).toEqual(p);
        expect(m.structuredData?.map((e) => e.id), at).toEqual(['segura@32473']);
        // PARAM-VALUE has no escape for CR/LF and a line may hold none (RFC 5424 §6.3.3, issue 3 §1).
        const crLfAsSpace = (pairs: Pairs) => pairs.map(([k, v]): [string, string] => [k, v.replace(/\r|\n/g, ' ')]);
        expect(asCefWould(crLfAsSpace(m.structuredData![0]!.params)), at).toEqual(asCefWould(crLfAsSpace(decodePairs(p.msg!))));
      }
    });
  }
});

const RECORD_COLUMNS = ['time', 'event_id', 'event_name', 'severity', 'priority', 'host', 'product_version', 'message_type', 'extra'];

describe('Sensage cells', () => {
  for (const profile of PROFILES) {
    it(`sensage-${profile}: every line has every column; named columns plus extra hold exactly the CEF pairs`, () => {
      for (const i of outputIndexes(`sensage-${profile}`)) {
        const rec = RECORDS[i]!;
        const at = `record ${i + 1}`;
        const cols = readSensage(linesOf(`sensage-${profile}`)[i]!);
        const header = rfc5424(`rfc5424-${profile}`, i);
        expect(cols.get('time'), at).toBe(header.timestamp);
        expect(cols.get('event_id'), at).toBe(eventIdOf(rec) ?? '');
        expect(cols.get('event_name'), at).toBe(nameOf(rec));
        expect(cols.get('severity'), at).toBe(cefSeverityOf(rec));
        expect(cols.get('priority'), at).toBe(String(syslogSeverityOf(rec)));
        expect(cols.get('host'), at).toBe(String(rec['host'] ?? ''));
        expect(cols.get('product_version'), at).toBe(String(rec['product_version'] ?? ''));
        expect(cols.get('message_type'), at).toBe(catalogTypeOf(rec)?.slug ?? '');
        const fields: Pairs = [...cols].filter(([name]) => !RECORD_COLUMNS.includes(name));
        fields.push(...decodePairs(cols.get('extra')!));
        // CEF has no TAB escape and writes a space; Sensage keeps the TAB (escaped).
        const sensageAsCef = asCefWould(fields.map(([k, v]): [string, string] => [k, v.replace(/\t/g, ' ')]));
        // Columns are named by the documented key, CEF by the key the profile wrote: the same
        // values must be there, and in the segura profile the only renames are Segura's own
        // spellings and the IPv6 slots.
        expect([...pairsMap(sensageAsCef).values()].sort(), at).toEqual([...pairsMap(cef(profile, i).extensions).values()].sort());
        if (profile === 'segura') {
          const column = (k: string) => (DOCUMENTED_COLUMN[k] !== undefined && cols.has(DOCUMENTED_COLUMN[k]!) ? DOCUMENTED_COLUMN[k]! : k);
          const renamed = cef(profile, i).extensions.map(([k, v]): [string, string] => [column(k), v]);
          expect(pairsMap(sensageAsCef), at).toEqual(pairsMap(renamed));
        }
      }
    });
  }

  it('a Sensage column holds the same value in both profiles', () => {
    for (const i of outputIndexes('sensage-segura')) {
      const segura = readSensage(linesOf('sensage-segura')[i]!);
      const strict = readSensage(linesOf('sensage-strict')[i]!);
      segura.delete('extra');
      strict.delete('extra');
      // The one legitimate difference: strict gives a custom slot without any label its key
      // name as label (label-missing), where the segura profile writes none.
      for (const [name, value] of segura) if (name.endsWith('Label') && value === '') strict.set(name, '');
      expect(strict, `record ${i + 1}`).toEqual(segura);
    }
  });
});

/** Segura-profile keys whose Sensage column is the documented name. */
const DOCUMENTED_COLUMN: Record<string, string> = {
  dport: 'dpt',
  Method: 'requestMethod',
  ServiceName: 'sourceServiceName',
  c6a1: 'dvc',
  c6a2: 'src',
  c6a3: 'dst',
};


describe('segura profile: documented layout of every message type', () => {
  for (let t = 0; t < TYPE_COUNT; t++) {
    const type = MESSAGE_TYPES[t]!;
    it(`${type.slug}: documented keys first, in documented order, with fixed labels and the catalog's example values, then rt`, () => {
      const pairs = cef('segura', t).extensions;
      const documented = type.keys.filter((r) => r.example !== undefined || r.fixed !== undefined);
      expect(keysOf(pairs)).toEqual([...documented.map(seguraKey), 'rt']);
      const values = pairsMap(pairs);
      for (const row of documented) expect(values.get(seguraKey(row)), seguraKey(row)).toBe(row.fixed ?? row.example);
      // The same order reaches the RFC 5424 MSG and SD.
      const sd = rfc5424('rfc5424-sd-segura', t).structuredData![0]!.params;
      expect(keysOf(sd)).toEqual(keysOf(pairs));
    });

    it(`${type.slug}: the strict profile writes the same rows in the same order under their strict keys (segura-keys.json)`, () => {
      const expected: Pairs = [];
      for (const row of type.keys.filter((r) => r.example !== undefined || r.fixed !== undefined)) {
        const strict = SEGURA_KEYS.find((k) => k.key === row.key)?.strict;
        if (strict?.label !== undefined) expected.push([`${strict.key}Label`, strict.label]);
        expected.push([strict?.key ?? row.key, row.fixed ?? row.example!]);
      }
      expected.push(['rt', pairsMap(cef('segura', t).extensions).get('rt')!]);
      expect(cef('strict', t).extensions).toEqual(expected);
    });
  }
});

describe('strict profile', () => {
  const dictionary = new Map(DICTIONARY.map((e) => [e.key, e.role]));

  it('writes only CEF dictionary keys or MT4Segura custom keys, never a consumer-only key, every custom slot after its label', () => {
    for (const i of outputIndexes('cef-none-strict')) {
      const keys = keysOf(cef('strict', i).extensions);
      for (const [n, key] of keys.entries()) {
        const at = `record ${i + 1} key ${key}`;
        if (key.startsWith('MT4Segura')) {
          expect(key, at).toMatch(/^MT4Segura[A-Z][A-Za-z0-9]*$/);
          continue;
        }
        expect(dictionary.has(key), at).toBe(true);
        expect(dictionary.get(key), at).not.toBe('consumer');
        if (dictionary.has(`${key}Label`)) expect(keys.slice(0, n), at).toContain(`${key}Label`);
      }
    }
  });

  it('moves values and never loses one: each line carries the same values as the segura line', () => {
    for (const i of outputIndexes('cef-none-strict')) {
      const values = (profile: string) =>
        cef(profile, i)
          .extensions.filter(([k]) => !k.endsWith('Label'))
          .map(([, v]) => v)
          .sort();
      expect(values('strict'), `record ${i + 1}`).toEqual(values('segura'));
    }
  });
});

describe('byte-capped cells', () => {
  /** Keys that are never shortened or dropped: labels, ids, numbers, addresses, the event time. */
  const FIXED = /Label$|^(rt|suid|spid|duid|dpt|dport|dst|src|dvc|cn\d|c6a\d)$/;

  for (const [capped, base] of [['cef-none-segura-max512', 'cef-none-segura'], ['rfc5424-segura-max480', 'rfc5424-segura']] as const) {
    const cap = cellNamed(capped).maxBytes!;
    it(`${capped}: every line fits ${cap} bytes; a line that fits is untouched; otherwise only free text shrinks, msg first, by cutting decoded values`, () => {
      const full = linesOf(base);
      for (const i of outputIndexes(capped)) {
        const line = linesOf(capped)[i]!;
        const at = `record ${i + 1}`;
        expect(utf8Length(line), at).toBeLessThanOrEqual(cap);
        if (utf8Length(full[i]!) <= cap) {
          expect(line, at).toBe(full[i]);
          continue;
        }
        const [head, pairs, baseHead, basePairs] = base.startsWith('cef')
          ? splitCef(line).concat(splitCef(full[i]!))
          : splitSyslog(line).concat(splitSyslog(full[i]!));
        expect(head, `${at}: the header is never cut`).toBe(baseHead);
        const before = pairsMap(basePairs as Pairs);
        const after = pairsMap(pairs as Pairs);
        expect(keysOf(basePairs as Pairs).filter((k) => after.has(k)), at).toEqual(keysOf(pairs as Pairs));
        let othersShrank = false;
        for (const [key, value] of before) {
          const now = after.get(key);
          if (now === value) continue;
          expect(FIXED.test(key), `${at}: ${key} must not shrink`).toBe(false);
          expect(value.startsWith(now ?? ''), `${at}: ${key} is cut, not changed`).toBe(true);
          if (key !== 'msg') othersShrank = true;
        }
        if (othersShrank) expect(after.get('msg') ?? '', `${at}: msg goes first`).toBe('');
      }
    });
  }

  it('cef-none-segura-max512 refuses exactly the records whose CEF header alone exceeds the cap', () => {
    const full = linesOf('cef-none-segura');
    const capped = linesOf('cef-none-segura-max512');
    for (const i of outputIndexes('cef-none-segura')) {
      const headerBytes = utf8Length(full[i]!.slice(0, decodeCefLine(full[i]!).extensionStart));
      expect(errorOf(capped[i]!)?.code === 'SEG_ERR_FORMAT', `record ${i + 1}`).toBe(headerBytes > 512);
    }
  });
});

function splitCef(line: string): [string, Pairs] {
  const d = decodeCefLine(line);
  return [line.slice(0, d.extensionStart), d.extensions];
}

function splitSyslog(line: string): [string, Pairs] {
  const m = parseRfc5424(line);
  return [JSON.stringify({ ...m, msg: undefined }), decodePairs(m.msg!)];
}

describe('hostile records', () => {
  const indexWhere = (pred: (r: InputRecord) => boolean): number => RECORDS.findIndex(pred);
  const inputText = (i: number, key: string) => RECORDS[i]![key] as string;

  it('CEF and SD metacharacters neither forge keys nor break fields', () => {
    const i = indexWhere((r) => r['event_id'] === '336.501');
    for (const profile of PROFILES) {
      const d = cef(profile, i);
      expect([d.deviceVersion, d.name]).toEqual([inputText(i, 'product_version'), inputText(i, 'name')]);
      const values = pairsMap(d.extensions);
      expect(keysOf(d.extensions).filter((k) => k === 'suser')).toEqual(['suser']);
      expect([values.get('msg'), values.get('suser'), values.get('act'), values.get('cs1'), values.get('cs1Label')]).toEqual(
        ['msg', 'suser', 'act', 'cs1', 'cs1Label'].map((k) => inputText(i, k)),
      );
    }
    const sd = pairsMap(rfc5424('rfc5424-sd-segura', i).structuredData![0]!.params);
    for (const key of ['msg', 'sname', 'cs1', 'cs1Label']) expect(sd.get(key), key).toBe(inputText(i, key));
  });

  it('line breaks survive as CEF escapes; other breaking controls become spaces; SD turns CR/LF into spaces', () => {
    const i = indexWhere((r) => typeof r['msg'] === 'string' && r['msg'].startsWith('first\n'));
    const values = pairsMap(cef('segura', i).extensions);
    const asCef = (s: string) => s.replace(/[\t\0\x1b\x7f\x85\u2028\u2029]/g, ' ');
    expect(values.get('msg')).toBe(asCef(inputText(i, 'msg')));
    expect([values.get('sname'), values.get('duser')]).toEqual([inputText(i, 'sname'), inputText(i, 'duser')]);
    const sd = pairsMap(rfc5424('rfc5424-sd-segura', i).structuredData![0]!.params);
    expect(sd.get('msg')).toBe(asCef(inputText(i, 'msg')).replace(/\r|\n/g, ' '));
    expect(readSensage(linesOf('sensage-segura')[i]!).get('msg')).toBe(inputText(i, 'msg').replace(/[\0\x1b\x7f\x85\u2028\u2029]/g, ' '));
  });

  it('non-ASCII and 4-byte characters pass unchanged; lone surrogates become U+FFFD', () => {
    const i = indexWhere((r) => typeof r['sname'] === 'string' && r['sname'].includes('🔐'));
    const wellFormed = (s: string) => s.replace(/\p{Cs}/gu, '\ufffd');
    for (const name of ['cef-none-segura', 'cef-none-strict']) {
      const values = pairsMap(decodeCefLine(linesOf(name)[i]!).extensions);
      expect(values.get('msg'), name).toBe(wellFormed(inputText(i, 'msg')));
      expect(values.get('suser'), name).toBe(wellFormed(inputText(i, 'suser')));
      expect(values.get('cs5'), name).toBe(inputText(i, 'cs5'));
    }
  });

  it('an IPv6 address moves to the CEF IPv6 slot with the spec label, in both profiles', () => {
    const i = indexWhere((r) => r['dst'] === '2001:db8::17');
    for (const profile of PROFILES) {
      const values = pairsMap(cef(profile, i).extensions);
      expect(values.has('dst'), profile).toBe(false);
      expect([values.get('c6a3Label'), values.get('c6a3')], profile).toEqual(['Destination IPv6 Address', '2001:db8::17']);
      expect([values.get('c6a1Label'), values.get('c6a1')], profile).toEqual(['Device IPv6 Address', '::ffff:10.0.0.1']);
    }
  });

  it('over-long values are cut to the CEF maxima in code points, never changed', () => {
    const i = indexWhere((r) => typeof r['msg'] === 'string' && r['msg'].length > 4000);
    const values = pairsMap(cef('segura', i).extensions);
    for (const [key, max] of [['msg', 1023], ['sname', 1023], ['suser', 1023], ['cs1', 4000]] as const) {
      expect(values.get(key), key).toBe(trimBlankEnd([...inputText(i, key)].slice(0, max).join('')));
    }
  });

  it('unknown fields are kept under valid custom keys with their JSON text; absent values and shipper keys are not written', () => {
    const i = indexWhere((r) => r['event_id'] === '1695.001');
    const keys = keysOf(cef('segura', i).extensions);
    const values = pairsMap(cef('segura', i).extensions);
    expect(values.get('suser')).toBe('mgarcia');
    expect(values.get('clientGeo')).toBe(JSON.stringify(RECORDS[i]!['client.geo']));
    expect([values.get('mfa'), values.get('tags')]).toEqual(['true', '["a","b"]']);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z][A-Za-z0-9]*$/);
    expect(keys.filter((k) => /empty|nil|internal/i.test(k))).toEqual([]);
  });
});
