import { describe, expect, it } from 'vitest';
import { SegError } from '../../plugin/core/errors.js';
import { buildNormalizer } from '../../plugin/normalize/normalize.js';
import { DEFAULTS, harness, keysOf, pairsOf, valueOf } from './support.js';

describe('header field names', () => {
  it.each(['event_id', 'eventId', 'signature_id', 'deviceEventClassId'])('reads the event id from %s', (name) => {
    const r = harness().run({ [name]: '16', msg: 'x' });
    expect(r.eventId).toBe('16');
    expect(r.messageType).toBe('session-started');
  });

  it.each([
    ['product_version', 'productVersion'],
    ['productVersion', 'productVersion'],
    ['host', 'host'],
    ['hostname', 'host'],
    ['pid', 'procId'],
    ['procid', 'procId'],
    ['process_id', 'procId'],
    ['name', 'name'],
  ] as const)('reads %s as %s', (input, field) => {
    const r = harness().run({ [input]: 'v-1' });
    expect(r[field]).toBe('v-1');
    expect(r.fields).toEqual([]);
  });

  it('writes numeric header values as text', () => {
    const r = harness().run({ pid: 1426, product_version: 3.27, host: 7 });
    expect([r.procId, r.productVersion, r.host]).toEqual(['1426', '3.27', '7']);
  });

  it.each(['timestamp', 'time', '@timestamp', 'rt', 'deviceReceiptTime'])('reads the event time from %s and writes rt once', (name) => {
    const r = harness().run({ [name]: '2026-01-19T10:41:00Z', msg: 'm' });
    expect(r.time?.epochMs).toBe(Date.UTC(2026, 0, 19, 10, 41, 0));
    expect(keysOf(r)).toEqual(['rt', 'msg']);
    expect(valueOf(r, 'rt')).toBe('1768819260000');
  });

  it('keeps the first of two names for one header field and reports the other', () => {
    const h = harness();
    const r = h.run({ eventId: '13', event_id: '14', host: 'a', hostname: 'b' });
    expect([r.eventId, r.host]).toEqual(['13', 'a']);
    expect(h.codes()).toEqual(['duplicate-header', 'duplicate-header']);
  });

  it('ignores a header of the wrong kind with a diagnostic', () => {
    const h = harness();
    const r = h.run({ event_id: { a: 1 }, name: ['x'], host: null });
    expect([r.eventId, r.name, r.host]).toEqual([undefined, undefined, undefined]);
    expect(h.codes()).toEqual(['invalid-header', 'invalid-header']);
  });
});

describe('event ids', () => {
  it.each([
    ['336.501', '336.501'],
    [' 336.501 ', '336.501'],
    [13, '13'],
    [336.501, '336.501'],
    [336.5, '336.500'],
    [1695.01, '1695.010'],
    [336.0001, '336.0001'],
    ['0336.5', '0336.5'],
  ])('%j → %s', (given, expected) => {
    expect(harness().run({ event_id: given }).eventId).toBe(expected);
  });

  it('links a dotted id given as a number to its catalog event', () => {
    const r = harness().run({ event_id: 336.5 });
    expect(r.name).toBe('Orbit alert report');
    expect(r.severity).toBe('9');
  });
});

describe('extension field names', () => {
  it('accepts ArcSight full names', () => {
    const r = harness().run({
      sourceUserName: 'stlee',
      destinationAddress: '10.0.0.1',
      destinationPort: 22,
      deviceCustomString1Label: 'Ticket',
      deviceCustomString1: 'CHG1',
      message: 'plain text',
      deviceAction: 'blocked',
    });
    expect(pairsOf(r)).toEqual(['suser=stlee', 'dst=10.0.0.1', 'dpt=22', 'cs1Label=Ticket', 'cs1=CHG1', 'msg=plain text', 'act=blocked']);
  });

  it('accepts Segura’s spellings dport, dposrt, Method and ServiceName', () => {
    expect(pairsOf(harness().run({ dport: 22 }))).toEqual(['dpt=22']);
    expect(pairsOf(harness().run({ dposrt: 22 }))).toEqual(['dpt=22']);
    expect(pairsOf(harness().run({ Method: 'POST', ServiceName: 'Backup' }))).toEqual(['requestMethod=POST', 'sourceServiceName=Backup']);
  });

  it.each(['validityStart', 'validity_start', 'ValidityStart', 'VALIDITY_START', 'validity-start', 'Validity Start', 'validitystart'])(
    'reads %s as cs2 of a Password Request, with its label',
    (name) => {
      const r = harness().run({ event_id: '13', [name]: '2026-01-19 10:41:00' });
      expect(pairsOf(r)).toEqual(['cs2Label=Validity Start', 'cs2=2026-01-19 10:41:00']);
    },
  );

  it('reads label names of every labelled field, per type', () => {
    const r = harness().run({ type: 'stored-file-changed', id: '981', initialSize: 1, final_size: 2, initialChecksum: 'a', final_checksum: 'b' });
    expect(pairsOf(r)).toEqual([
      'cs1Label=Id', 'cs1=981', 'cs2Label=Initial Size', 'cs2=1', 'cs3Label=Final size', 'cs3=2',
      'cs4Label=Initial Checksum', 'cs4=a', 'cs5Label=Final Checksum', 'cs5=b',
    ]);
    const reports = harness().run({ type: 'report-schedule-updated', user_id: '3', addedUsers: 'jdoe', removed_users: 'x' });
    expect(pairsOf(reports)).toEqual(['cs2Label=User ID', 'cs2=3', 'cs7Label=Added users', 'cs7=jdoe', 'cs8Label=Removed users', 'cs8=x']);
  });

  it('does not read a label name outside its message type', () => {
    const h = harness();
    const r = h.run({ event_id: '18', validityStart: 'x' });
    expect(pairsOf(r)).toEqual(['validityStart=x']);
  });

  it('reads Cs6/Cs7 as cs6Label/cs6 in Password Request and Approved request', () => {
    for (const id of ['13', '14']) {
      const h = harness();
      const r = h.run({ event_id: id, Cs6: 'Action', Cs7: 'View password' });
      expect(pairsOf(r)).toEqual(['cs6Label=Action', 'cs6=View password']);
      expect(h.codes()).toEqual([]);
    }
  });

  it('reads keys that match only up to case, with a diagnostic', () => {
    const h = harness();
    const r = h.run({ event_id: '18', Cs6: 'v', SUSER: 'u', sourceusername: 'w' });
    expect(pairsOf(r)).toEqual(['suser=u', 'cs6=v']);
    expect(h.codes()).toEqual(['key-case', 'key-case', 'key-case', 'duplicate-key']);
  });

  it('applies site aliases before anything else', () => {
    const h = harness({ aliases: { userLogin: 'suser', evt: 'event_id', inicio: 'validityStart', duser: 'sname' } });
    const r = h.run({ evt: '13', userLogin: 'stlee', inicio: '2026-01-19', duser: 'Stephen Lee' });
    expect(r.eventId).toBe('13');
    // An alias wins over the name's own meaning: this site's duser is the display name.
    expect(pairsOf(r)).toEqual(['sname=Stephen Lee', 'suser=stlee', 'cs2Label=Validity Start', 'cs2=2026-01-19']);
  });

  it('refuses an alias that leads nowhere', () => {
    const build = (): unknown => buildNormalizer({ ...DEFAULTS, aliases: { a: 'noSuchKey' } }, () => {});
    expect(build).toThrow(SegError);
    expect(build).toThrow(/noSuchKey/);
  });
});

describe('shipper envelopes', () => {
  const inner = { event_id: '16', msg: 'Session started', suser: 'stlee' };

  it.each(['log', 'exec', 'message'])('unwraps {"%s": "<json>"} and drops the envelope’s own keys', (key) => {
    const r = harness().run({ [key]: JSON.stringify(inner) + '\n', stream: 'stdout', time: '2026-01-19T00:00:00Z', host: 'shipper' });
    expect(r.eventId).toBe('16');
    expect(pairsOf(r)).toEqual(['msg=Session started', 'suser=stlee']);
    expect(r.host).toBeUndefined();
    expect(r.time).toBeUndefined();
  });

  it('unwraps nested envelopes', () => {
    const r = harness().run({ log: JSON.stringify({ exec: JSON.stringify({ message: JSON.stringify(inner) }) }) });
    expect(pairsOf(r)).toEqual(['msg=Session started', 'suser=stlee']);
  });

  it('keeps a string that is not a JSON object as an ordinary field', () => {
    expect(pairsOf(harness().run({ message: 'hello {x}' }))).toEqual(['msg=hello {x}']);
    expect(pairsOf(harness().run({ message: '[1,2]' }))).toEqual(['msg=[1,2]']);
    expect(pairsOf(harness().run({ message: '{not json}' }))).toEqual(['msg={not json}']);
    expect(pairsOf(harness().run({ log: 'plain' }))).toEqual(['log=plain']);
  });

  it('stops after 4 nested envelopes and says so', () => {
    let wrapped: Record<string, unknown> = { msg: 'deep' };
    for (let i = 0; i < 6; i++) wrapped = { log: JSON.stringify(wrapped) };
    const h = harness();
    const r = h.run(wrapped);
    expect(h.codes()).toEqual(['envelope-depth']);
    expect(keysOf(r)).toEqual(['log']);
  });

  it('drops Fluent Bit’s leading date key and __internal__, never leaking them', () => {
    const h = harness();
    const r = h.run({ date: 1768819260.5, event_id: '16', msg: 'm', __internal__: { tag: 't' } });
    expect(pairsOf(r)).toEqual(['msg=m']);
    expect(r.time).toBeUndefined();
    expect(h.codes()).toEqual([]);
    const enveloped = h.run({ date: 1, log: JSON.stringify({ date: 2, msg: 'inner', __internal__: 1 }) });
    expect(pairsOf(enveloped)).toEqual(['msg=inner']);
  });

  it('keeps a date key that is not the first key', () => {
    expect(pairsOf(harness().run({ msg: 'm', date: '2026-01-19' }))).toEqual(['msg=m', 'date=2026-01-19']);
  });
});

describe('errors and diagnostics carry the record’s origin', () => {
  it('puts the origin in every diagnostic message', () => {
    const h = harness();
    h.run({ priority: 'loud', 日本: 1, suser: 'x', sourceUserName: 'y' }, 'line 42');
    expect(h.diags.length).toBeGreaterThanOrEqual(3);
    for (const d of h.diags) {
      expect(d.origin).toBe('line 42');
      expect(d.message.startsWith('line 42: ')).toBe(true);
    }
  });

  it('throws a permanent SEG_ERR_FIELD for an invalid severity, naming the field and the origin', () => {
    let caught: unknown;
    try {
      harness().run({ severity: 'urgent', msg: 'x' }, 'chunk abc#3');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SegError);
    const e = caught as SegError;
    expect([e.code, e.permanent, e.field]).toEqual(['SEG_ERR_FIELD', true, 'severity']);
    expect(e.message).toContain('chunk abc#3');
    expect(e.message).toContain('urgent');
  });
});
