import { describe, expect, it } from 'vitest';
import { harness, keysOf, pairsOf, valueOf } from './support.js';

describe('field order', () => {
  it('writes a known type’s documented keys in documented order whatever the input order', () => {
    const r = harness().run({
      duser: 'root', dpt: 22, dst: '127.0.0.1', spid: 7, suser: 'stlee', sname: 'Stephen Lee', suid: 153, msg: 'Session started', event_id: '16',
    });
    expect(keysOf(r)).toEqual(['msg', 'suid', 'sname', 'suser', 'spid', 'dst', 'dpt', 'duser']);
  });

  it('then rt, then other known keys in input order, then unknown fields in input order', () => {
    const r = harness().run({
      zeta: 1, act: 'a', event_id: '16', 'b-field': 2, msg: 'm', shost: 'h', timestamp: 1768819260, cs1: 'c', cs1Label: 'L', alpha: 3,
    });
    expect(keysOf(r)).toEqual(['msg', 'rt', 'act', 'shost', 'cs1Label', 'cs1', 'zeta', 'bField', 'alpha']);
  });

  it('for an unknown type: rt first, known keys in input order, then unknown fields', () => {
    const r = harness().run({ extra: 'e', dst: '10.0.0.1', msg: 'm', timestamp: '2026-01-19T10:41:00Z', suser: 'u' });
    expect(keysOf(r)).toEqual(['rt', 'dst', 'msg', 'suser', 'extra']);
    expect(r.messageType).toBeUndefined();
  });

  it('keeps input order among keys resolved late (label names, case-folded keys)', () => {
    const r = harness().run({ SHOST: 'h', act: 'a', Dhost: 'd' });
    expect(keysOf(r)).toEqual(['shost', 'act', 'dhost']);
  });
});

describe('labels', () => {
  it('fills a fixed label right before its value, only when the value is present', () => {
    const r = harness().run({ event_id: '13', cs4: 'Administrator', cs1: null, cs2: '', cs3: 'end' });
    expect(pairsOf(r)).toEqual(['cs3Label=Validity End', 'cs3=end', 'cs4Label=Approver', 'cs4=Administrator']);
  });

  it('drops a record’s label whose value is absent', () => {
    expect(pairsOf(harness().run({ cs1Label: 'Ticket', msg: 'm' }))).toEqual(['msg=m']);
  });

  it('keeps a record’s own label over the documented one, and says so', () => {
    const h = harness();
    const r = h.run({ event_id: '13', cs1Label: 'Change ticket', cs1: 'CHG1' });
    expect(pairsOf(r)).toEqual(['cs1Label=Change ticket', 'cs1=CHG1']);
    expect(h.codes()).toEqual(['label-differs']);
    h.run({ event_id: '13', cs1Label: 'GMUD', cs1: 'CHG1' });
    expect(h.codes()).toEqual([]);
  });
});

describe('values', () => {
  it('writes strings as they are, numbers and booleans as JSON text, objects and arrays as compact JSON', () => {
    const r = harness().run({
      msg: ' spaced  value ', cnt: 3, cfp1: -2.5, act: true, cs1: { a: [1, 'x'], b: null }, cs2: [1, 2], cs3: 'é=\\|\n',
    });
    expect(pairsOf(r)).toEqual(['msg= spaced  value ', 'cnt=3', 'cfp1=-2.5', 'act=true', 'cs1={"a":[1,"x"],"b":null}', 'cs2=[1,2]', 'cs3=é=\\|\n']);
  });

  it('takes values decoded from msgpack: bigint, Date, binary', () => {
    const h = harness();
    const r = h.run({
      severity: 7n, event_id: 16n, timestamp: new Date(Date.UTC(2026, 0, 19, 10, 41)), cn1: 9007199254740993n,
      cs1: { big: 1n }, cs2: new Uint8Array([0xde, 0xad, 0xbe, 0xef]), end: new Date(0),
    });
    expect([r.severity, r.eventId, r.time?.epochMs]).toEqual(['7', '16', Date.UTC(2026, 0, 19, 10, 41)]);
    expect(pairsOf(r)).toEqual(['rt=1768819260000', 'cn1=9007199254740993', 'cs1={"big":"1"}', 'cs2=3q2+7w==', 'end=0']);
    expect(() => h.run({ severity: 11n })).toThrow(/11/);
    h.codes();
    h.run({ priority: 99n });
    expect(h.codes()).toEqual(['invalid-priority']);
  });

  it('omits null and empty values', () => {
    expect(pairsOf(harness().run({ msg: '', suser: null, duser: 'd', extra: null, other: '' }))).toEqual(['duser=d']);
  });

  it('keeps the first of two names for one key and reports the other', () => {
    const h = harness();
    expect(pairsOf(h.run({ suser: 'first', sourceUserName: 'second' }))).toEqual(['suser=first']);
    expect(h.codes()).toEqual(['duplicate-key']);
    expect(pairsOf(h.run({ sourceUserName: 'first', suser: 'second' }))).toEqual(['suser=first']);
    expect(h.codes()).toEqual(['duplicate-key']);
    // A label name resolved in the second pass still loses to an earlier direct key, and wins over a later one.
    expect(pairsOf(h.run({ event_id: '13', cs2: 'direct', validityStart: 'named' }))).toContain('cs2=direct');
    expect(pairsOf(h.run({ event_id: '13', validityStart: 'named', cs2: 'direct' }))).toContain('cs2=named');
  });
});

describe('unknown fields', () => {
  it('are kept under camelCase keys; the documented join is silent, lossy renames are reported', () => {
    const h = harness();
    const r = h.run({ 'user-name': 'a', 'a.b': 'b', plain: 'c', 'x y z': 'd', '2fa': 'e' });
    expect(pairsOf(r)).toEqual(['userName=a', 'aB=b', 'plain=c', 'xYZ=d', 'x2fa=e']);
    expect(h.codes()).toEqual([]);
    h.run({ 'usuário': 'a', 日本: 'b', _msg: 'c', ['k'.repeat(300)]: 'd' });
    expect(h.codes()).toEqual(['key-renamed', 'key-renamed', 'key-renamed', 'key-renamed']);
  });

  it('never collide: a second name for the same key gets a counter', () => {
    const h = harness();
    const r = h.run({ 'user-name': 'a', user_name: 'b', 'user.name': 'c', userName: 'd' });
    expect(pairsOf(r)).toEqual(['userName=a', 'userName2=b', 'userName3=c', 'userName4=d']);
    expect(h.codes()).toEqual(['key-renamed', 'key-renamed', 'key-renamed']);
  });

  it('are never written under a CEF, Segura or header name', () => {
    const r = harness().run({ _msg: 'a', 'cs-1': 'b', '_Severity': 'c', 'd.port': 'd', '-sname': 'e' });
    expect(pairsOf(r)).toEqual(['xMsg=a', 'xCs1=b', 'xSeverity=c', 'xDPort=d', 'xSname=e']);
  });

  it('start with a letter, drop accents, and encode names without ASCII letters or digits', () => {
    const r = harness().run({ '2fa': 'a', Ärger: 'b', São_Paulo: 'c', 日本: 'd', '': 'e', '--': 'f' });
    expect(pairsOf(r)).toEqual(['x2fa=a', 'Arger=b', 'SaoPaulo=c', 'xE697A5E69CAC=d', 'x=e', 'x2D2D=f']);
  });

  it('are cut to 255 characters of key', () => {
    const r = harness().run({ ['k'.repeat(300)]: 'v' });
    expect(keysOf(r)[0]).toBe('k'.repeat(255));
  });

  it('strict profile: MT4Segura + PascalCase, reported only when a counter is needed', () => {
    const h = harness({ profile: 'strict' });
    const r = h.run({ plain: 'a', 'user-name': 'b', origin_country: 'c', '2fa': 'd' });
    expect(pairsOf(r)).toEqual(['MT4SeguraPlain=a', 'MT4SeguraUserName=b', 'MT4SeguraOriginCountry2=c', 'MT4Segura2fa=d']);
    expect(h.codes()).toEqual(['key-renamed']);
  });

  it('are dropped with --drop-unknown, counted in one diagnostic; known keys stay', () => {
    const h = harness({ dropUnknown: true });
    const r = h.run({ msg: 'm', a: 1, b: 2, sname: 'S', c: null });
    expect(pairsOf(r)).toEqual(['msg=m', 'sname=S']);
    expect(h.diags).toHaveLength(1);
    expect(h.diags[0]!.code).toBe('unknown-dropped');
    expect(h.diags[0]!.message).toContain('dropped 2 unknown field(s): a, b');
  });

  it('are cut to 4000 code points', () => {
    const h = harness();
    const r = h.run({ note: 'é'.repeat(4100) });
    expect([...valueOf(r, 'note')!]).toHaveLength(4000);
    expect(h.codes()).toEqual(['truncated']);
  });
});

describe('no key is ever written twice', () => {
  it('even when names, labels, IPv6 moves and unknown fields meet', () => {
    for (const profile of ['segura', 'strict'] as const) {
      const r = harness({ profile }).run({
        event_id: '102', latitude: '1.5', cfp1: '2.5', cfp1Label: 'mine', src: '2001:db8::1', c6a2: '2001:db8::2', c6a2Label: 'x',
        dst: 'bad', MT4SeguraDst: 'already', 'MT4-Segura-Dst': 'again', cs7: 'v', flexString1: 'w', rt: 5, deviceReceiptTime: 6,
      });
      const keys = keysOf(r);
      expect(new Set(keys).size, `${profile}: ${keys.join(' ')}`).toBe(keys.length);
    }
  });
});
