import { describe, expect, it } from 'vitest';
import { MESSAGE_TYPES } from '../../plugin/catalog/catalog.js';
import { readDocTables } from '../catalog/seed-doc.js';
import { harness, keysOf, pairsOf, valueOf } from './support.js';

/**
 * What each profile writes for a documented spelling, written from docs/mapping.md §6-7
 * (not from the code): the segura profile keeps Segura's spellings except the outright
 * mistakes; the strict profile writes dictionary keys and MT4Segura custom keys.
 */
const SEGURA_FIXES: Record<string, string> = { Cs6: 'cs6Label', Cs7: 'cs6', dposrt: 'dpt' };
const STRICT: Record<string, string[]> = {
  dport: ['dpt'],
  dposrt: ['dpt'],
  Method: ['requestMethod'],
  ServiceName: ['sourceServiceName'],
  Cs6: ['cs6Label'],
  Cs7: ['cs6'],
  sname: ['MT4SeguraSourceDisplayName'],
  originIP: ['MT4SeguraOriginIP'],
  country: ['MT4SeguraOriginCountry'],
  state: ['MT4SeguraOriginState'],
  city: ['MT4SeguraOriginCity'],
  latitude: ['cfp1Label', 'cfp1'],
  longitude: ['cfp2Label', 'cfp2'],
  partsNeeded: ['cn1Label', 'cn1'],
  partsSent: ['cn2Label', 'cn2'],
  cs7Label: ['flexString1Label'],
  cs7: ['flexString1'],
  cs8Label: ['flexString2Label'],
  cs8: ['flexString2'],
};
const STRICT_LABELS: Record<string, string> = {
  cfp1Label: 'Origin Latitude',
  cfp2Label: 'Origin Longitude',
  cn1Label: 'Key Parts Needed',
  cn2Label: 'Key Parts Sent',
};

/** A valid value for every documented key (typed keys get values of their type). */
function valueFor(key: string): string | number {
  switch (key) {
    case 'dst':
    case 'src':
    case 'dvc':
    case 'originIP':
      return '192.0.2.10';
    case 'dpt':
    case 'dport':
    case 'dposrt':
      return 22;
    case 'spid':
      return 4242;
    case 'latitude':
      return '-23.6261';
    case 'longitude':
      return '-46.7916';
    case 'partsNeeded':
    case 'partsSent':
      return 3;
    default:
      return `${key} value`;
  }
}

const tables = readDocTables();

describe('every message type in both profiles', () => {
  for (const table of tables) {
    const type = MESSAGE_TYPES.find((t) => t.docTitle === table.heading)!;
    const documentedKeys = table.rows.map((r) => r.key);
    const labels = new Map(table.rows.filter((r) => /Label$/.test(r.key) || r.key === 'Cs6').map((r) => [SEGURA_FIXES[r.key] ?? r.key, r.example]));
    // The record: one value per documented value key, under the documented spelling.
    const record: Record<string, unknown> = { type: type.slug, timestamp: '2026-01-19T10:41:00Z' };
    for (const k of documentedKeys) {
      if (/Label$/.test(k) || k === 'Cs6') continue;
      record[SEGURA_FIXES[k] ?? k] ??= valueFor(k);
    }
    if (type.slug === 'password-visualization') record['duid'] = '35';

    const seguraExpected = documentedKeys.map((k) => SEGURA_FIXES[k] ?? k).filter((k, i, all) => all.indexOf(k) === i);
    if (type.slug === 'password-visualization') seguraExpected.splice(seguraExpected.indexOf('duser') + 1, 0, 'duid');
    seguraExpected.push('rt');

    it(`${table.heading} — segura profile: Segura's keys, documented order, documented labels`, () => {
      const h = harness();
      const r = h.run(record);
      expect(r.messageType).toBe(type.slug);
      expect(keysOf(r)).toEqual(seguraExpected);
      for (const [labelKey, text] of labels) expect(valueOf(r, labelKey), labelKey).toBe(text);
      expect(h.codes()).toEqual([]);
    });

    it(`${table.heading} — strict profile: dictionary and MT4Segura keys only, every slot labelled`, () => {
      const h = harness({ profile: 'strict' });
      const r = h.run(record);
      const expected = seguraExpected.flatMap((k) => (k === 'dport' ? ['dpt'] : (STRICT[k] ?? [k])));
      expect(keysOf(r)).toEqual(expected);
      for (const [labelKey, text] of Object.entries(STRICT_LABELS)) {
        if (keysOf(r).includes(labelKey)) expect(valueOf(r, labelKey)).toBe(text);
      }
      for (const k of keysOf(r)) {
        const slot = /^(cs\d|cn\d|cfp\d|c6a\d|flexString\d|flexDate1|deviceCustomDate\d)$/.exec(k);
        if (slot !== null) expect(keysOf(r)[keysOf(r).indexOf(k) - 1]).toBe(`${k}Label`);
      }
      expect(h.codes()).toEqual([]);
    });
  }
});

describe('strict profile type checks', () => {
  const strict = () => harness({ profile: 'strict' });

  it('moves a value its key cannot carry to MT4Segura<Key>, with a diagnostic', () => {
    const h = strict();
    const r = h.run({ dst: '.0.1', dpt: 70000, spid: 'notification-9', cn1: '1.5', smac: 'zz', dvc: '010.0.0.1' });
    expect(pairsOf(r)).toEqual([
      'MT4SeguraDst=.0.1', 'MT4SeguraDpt=70000', 'MT4SeguraSpid=notification-9', 'MT4SeguraCn1=1.5', 'MT4SeguraSmac=zz', 'MT4SeguraDvc=010.0.0.1',
    ]);
    expect(h.codes()).toEqual(['moved', 'moved', 'moved', 'moved', 'moved', 'moved']);
  });

  it('writes valid typed values in their canonical form', () => {
    const r = strict().run({
      dst: '10.0.0.1', dpt: '0080', spt: 0, spid: '+42', deviceDirection: 1, cn2: '-9223372036854775808', cfp1: '1e3',
      dmac: '00-0d-60-AF-1B-61', start: '2026-01-19T10:41:00.5-03:00', end: 1768819260,
    });
    expect(pairsOf(r)).toEqual([
      'dst=10.0.0.1', 'dpt=80', 'spt=0', 'spid=42', 'deviceDirection=1', 'cn2Label=cn2', 'cn2=-9223372036854775808', 'cfp1Label=cfp1', 'cfp1=1e3',
      'dmac=00:0d:60:AF:1B:61', 'start=1768830060500', 'end=1768819260000',
    ]);
  });

  it('refuses out-of-range integers and longs', () => {
    const h = strict();
    const r = h.run({ deviceDirection: 2, type: 4, cn1: '9223372036854775808', cnt: 2147483648 });
    expect(keysOf(r)).toEqual(['MT4SeguraDeviceDirection', 'MT4SeguraType', 'MT4SeguraCn1', 'MT4SeguraCnt']);
  });

  it('moves consumer-only keys', () => {
    const h = strict();
    const r = h.run({ slat: '-23.5', rawEvent: 'x', art: 1 });
    expect(keysOf(r)).toEqual(['MT4SeguraSlat', 'MT4SeguraRawEvent', 'MT4SeguraArt']);
    expect(h.codes()).toEqual(['moved', 'moved', 'moved']);
  });

  it('moves a value whose slot is already taken (a record’s cfp1 next to latitude)', () => {
    const h = strict();
    const r = h.run({ event_id: '102', latitude: '-23.5', cfp1: '9.9', cfp1Label: 'Mine' });
    expect(pairsOf(r)).toEqual(['cfp1Label=Origin Latitude', 'cfp1=-23.5', 'MT4SeguraCfp1=9.9']);
    expect(h.codes()).toEqual(['moved']);
  });

  it('labels every custom slot; a slot without any label gets its key name', () => {
    const h = strict();
    const r = h.run({ cs3: 'v', flexString2: 'w', flexString2Label: 'Mine' });
    expect(pairsOf(r)).toEqual(['cs3Label=cs3', 'cs3=v', 'flexString2Label=Mine', 'flexString2=w']);
    expect(h.codes()).toEqual(['label-missing']);
    // The segura profile writes what the record has.
    expect(pairsOf(harness().run({ cs3: 'v' }))).toEqual(['cs3=v']);
  });

  it('writes a non-number latitude under its custom key', () => {
    const r = strict().run({ latitude: 'north' });
    expect(pairsOf(r)).toEqual(['MT4SeguraLatitude=north']);
  });
});

describe('segura profile passes typed values through', () => {
  it('keeps Segura’s values even when they do not fit the CEF type', () => {
    const h = harness();
    const r = h.run({ dst: '.0.1', dpt: 'ssh', spid: 'notification-9', slat: 'x' });
    expect(pairsOf(r)).toEqual(['dst=.0.1', 'dpt=ssh', 'spid=notification-9', 'slat=x']);
    expect(h.codes()).toEqual([]);
  });

  it('caps typed values at 1023 code points', () => {
    const h = harness();
    expect(valueOf(h.run({ dst: '9'.repeat(2000) }), 'dst')).toHaveLength(1023);
    expect(h.codes()).toEqual(['truncated']);
  });

  it('converts timestamp keys that parse and keeps the others', () => {
    expect(pairsOf(harness().run({ start: '2026-01-19T10:41:00Z', end: 'yesterday' }))).toEqual(['start=1768819260000', 'end=yesterday']);
  });
});

describe('IPv6 addresses (both profiles)', () => {
  for (const profile of ['segura', 'strict'] as const) {
    it(`${profile}: src, dst and dvc IPv6 values go to c6a2, c6a3 and c6a1 with the spec's labels`, () => {
      const r = harness({ profile }).run({ src: '2001:db8::1', dst: 'fe80::1', dvc: '::ffff:10.0.0.1', msg: 'm' });
      expect(pairsOf(r)).toEqual([
        'c6a2Label=Source IPv6 Address', 'c6a2=2001:db8::1',
        'c6a3Label=Destination IPv6 Address', 'c6a3=fe80::1',
        'c6a1Label=Device IPv6 Address', 'c6a1=::ffff:10.0.0.1',
        'msg=m',
      ]);
    });
  }

  it('keeps the documented position of dst in a known type', () => {
    const r = harness().run({ event_id: '16', msg: 'm', dst: '2001:db8::5', duser: 'root' });
    expect(keysOf(r)).toEqual(['msg', 'c6a3Label', 'c6a3', 'duser']);
  });

  it('does not treat a zone id or brackets as an IPv6 address', () => {
    const r = harness({ profile: 'strict' }).run({ dst: '[2001:db8::1]', src: 'fe80::1%eth0' });
    expect(keysOf(r)).toEqual(['MT4SeguraDst', 'MT4SeguraSrc']);
  });
});

describe('lengths', () => {
  it('cuts values to the dictionary maximum in code points, never inside a surrogate pair', () => {
    const h = harness();
    const r = h.run({ msg: '😀'.repeat(1100), act: 'a'.repeat(100), cs1: 'x'.repeat(5000), suser: 'ok' });
    expect([...valueOf(r, 'msg')!]).toHaveLength(1023);
    expect(valueOf(r, 'msg')!.endsWith('😀')).toBe(true);
    expect(valueOf(r, 'act')).toHaveLength(63);
    expect(valueOf(r, 'cs1')).toHaveLength(4000);
    expect(h.diags.filter((d) => d.code === 'truncated').map((d) => d.field)).toEqual(['msg', 'act', 'cs1']);
  });

  it('counts code points, so 63 emoji fit in act', () => {
    const h = harness();
    expect(valueOf(h.run({ act: '😀'.repeat(63) }), 'act')).toBe('😀'.repeat(63));
    expect(h.codes()).toEqual([]);
  });

  it('cuts flexString labels to 128 in the strict profile', () => {
    const r = harness({ profile: 'strict' }).run({ cs7: 'v', cs7Label: 'L'.repeat(200) });
    expect(valueOf(r, 'flexString1Label')).toHaveLength(128);
  });
});

describe('shrink ranks', () => {
  it('msg 0, other free text 1, labels, ids, typed values and rt never', () => {
    const r = harness().run({
      event_id: '13', timestamp: 1768819260, msg: 'm', suid: '1', sname: 'S', suser: 'u', spid: 4, dst: '10.0.0.1', dpt: 22, cs1: 'c', act: 'a', extra: 'e',
    });
    const ranks = Object.fromEntries(r.fields.map((f) => [f.key, f.shrinkRank]));
    expect(ranks).toEqual({
      msg: 0, suid: undefined, sname: 1, suser: 1, spid: undefined, dst: undefined, dpt: undefined,
      cs1Label: undefined, cs1: 1, rt: undefined, act: 1, extra: 1,
    });
  });
});
