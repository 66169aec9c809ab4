import { describe, expect, it } from 'vitest';
import { SegError } from '../../plugin/core/errors.js';
import { buildNormalizer } from '../../plugin/normalize/normalize.js';
import { EPOCH_SECONDS_LIMIT, parseTime } from '../../plugin/normalize/time.js';
import { DEFAULTS, harness } from './support.js';

describe('CEF severity', () => {
  it.each([
    [0, '0'],
    [10, '10'],
    [1.0, '1'],
    ['7', '7'],
    [' 9 ', '9'],
    ['high', 'High'],
    ['VERY-HIGH', 'Very-High'],
    ['Unknown', 'Unknown'],
    ['medium', 'Medium'],
    ['LOW', 'Low'],
  ])('accepts %j as %s', (given, expected) => {
    expect(harness().run({ severity: given }).severity).toBe(expected);
  });

  it.each([11, -1, 5.4, '5.4', '11', 'urgent', 'very high', true, {}, '1e1'])('refuses %j with SEG_ERR_FIELD', (given) => {
    expect(() => harness().run({ severity: given })).toThrow(SegError);
  });

  it('treats null and "" as absent', () => {
    expect(harness().run({ severity: null, event_id: '29' }).severity).toBe('9');
    expect(harness().run({ severity: '' }).severity).toBe('5');
  });

  it('derives 10 − syslog severity from the record’s priority', () => {
    const names = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
    names.forEach((p, i) => {
      const r = harness().run({ priority: p });
      expect(r.severity).toBe(String(10 - i));
      expect(r.syslogSeverity).toBe(i);
    });
    expect(harness().run({ priority: 0 }).severity).toBe('10');
    expect(harness().run({ priority: '7' }).severity).toBe('3');
  });

  it('derives from the catalog priority of the event id: 336.501 (alert) → 9, Segura’s one published pair', () => {
    const r = harness().run({ event_id: '336.501' });
    expect([r.severity, r.syslogSeverity, r.name]).toEqual(['9', 1, 'Orbit incident report']);
    expect(harness().run({ event_id: '8' }).severity).toBe('6');
    expect(harness().run({ event_id: '12' }).severity).toBe('8');
    expect(harness().run({ event_id: '22' }).severity).toBe('4');
  });

  it('prefers the record’s severity and priority over the catalog', () => {
    const r = harness().run({ event_id: '336.501', severity: 'Low', priority: 'info' });
    expect([r.severity, r.syslogSeverity]).toEqual(['Low', 6]);
    expect(harness().run({ event_id: '336.501', priority: 'info' }).severity).toBe('4');
  });

  it('falls back to the configured defaults', () => {
    const r = harness({ defaultSeverity: 'medium', defaultSyslogSeverity: 3 }).run({ event_id: '999' });
    expect([r.severity, r.syslogSeverity]).toEqual(['Medium', 3]);
  });

  it('ignores an invalid priority with a diagnostic and uses the catalog', () => {
    const h = harness();
    const r = h.run({ event_id: '29', priority: 'loud' });
    expect([r.severity, r.syslogSeverity]).toEqual(['9', 1]);
    expect(h.codes()).toEqual(['invalid-priority']);
  });

  it('refuses invalid defaults at build time', () => {
    expect(() => buildNormalizer({ ...DEFAULTS, defaultSeverity: 'loud' }, () => {})).toThrow(/default severity/);
    expect(() => buildNormalizer({ ...DEFAULTS, defaultSyslogSeverity: 8 }, () => {})).toThrow(/default syslog severity/);
  });
});

describe('message type and name', () => {
  it('takes the type from `type`, accepting the slug, the title or any spelling of it', () => {
    for (const t of ['password-request', 'Password Request', 'PASSWORD_REQUEST']) {
      expect(harness().run({ type: t }).messageType).toBe('password-request');
    }
  });

  it('uses the sole linked event of an explicit type for id, name and priority', () => {
    const r = harness().run({ type: 'master-key-recovery-failed' });
    expect([r.eventId, r.name, r.severity, r.syslogSeverity]).toEqual(['102', 'Failed recovery attempt', '7', 3]);
  });

  it('leaves the event id empty for a type with several or no events, and names it by its title', () => {
    const auditing = harness().run({ type: 'command-execution-auditing' });
    expect([auditing.eventId, auditing.name, auditing.severity]).toEqual([undefined, 'Command Execution and Auditing', '5']);
    const reports = harness().run({ type: 'report-schedule-deleted' });
    expect([reports.eventId, reports.name]).toEqual([undefined, 'Reports - Delete']);
  });

  it('prefers the record’s name, then the event’s', () => {
    expect(harness().run({ event_id: '336.501', name: 'UPDATE INCIDENT' }).name).toBe('UPDATE INCIDENT');
    expect(harness().run({ event_id: '13' }).name).toBe('New request');
  });

  it('treats an unknown slug as an unknown type, even when the event id is linked', () => {
    const h = harness();
    const r = h.run({ type: 'no-such-type', event_id: '13', cs1: 'x' });
    expect([r.messageType, r.eventId, r.name]).toEqual([undefined, '13', 'New request']);
    expect(r.fields.map((f) => f.key)).toEqual(['cs1']);
    expect(h.codes()).toEqual(['unknown-type']);
  });

  it('reads a numeric `type` as CEF’s own type key', () => {
    const r = harness({ profile: 'strict' }).run({ type: 1, event_id: '16' });
    expect(r.messageType).toBe('session-started');
    expect(r.fields.map((f) => `${f.key}=${f.value}`)).toEqual(['type=1']);
  });

  it('explicit type wins over the event id’s link', () => {
    const r = harness().run({ type: 'backup', event_id: '13' });
    expect([r.messageType, r.name]).toEqual(['backup', 'New request']);
  });
});

describe('event time', () => {
  const cases: Array<[unknown, number, string, number]> = [
    ['2026-01-19T10:41:00Z', Date.UTC(2026, 0, 19, 10, 41), '', 0],
    ['2026-01-19T10:41:00.123456+03:00', Date.UTC(2026, 0, 19, 7, 41, 0, 123), '123456', 180],
    ['2026-01-19T10:41:00.1-03:00', Date.UTC(2026, 0, 19, 13, 41, 0, 100), '1', -180],
    ['2026-01-19t10:41:00,5+0530', Date.UTC(2026, 0, 19, 5, 11, 0, 500), '5', 330],
    ['2026-01-19 10:41:00.123456789Z', Date.UTC(2026, 0, 19, 10, 41, 0, 123), '123456', 0],
    ['2026-01-19T10:41Z', Date.UTC(2026, 0, 19, 10, 41), '', 0],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29), '', 0],
    [1768819260, 1768819260000, '', 0],
    [1768819260.25, 1768819260250, '25', 0],
    ['1768819260', 1768819260000, '', 0],
    ['1768819260.123456789', 1768819260123, '123456', 0],
    [1768819260123, 1768819260123, '123', 0],
    ['1768819260123.5', 1768819260123, '1235', 0],
    [EPOCH_SECONDS_LIMIT - 1, (EPOCH_SECONDS_LIMIT - 1) * 1000, '', 0],
    [EPOCH_SECONDS_LIMIT, EPOCH_SECONDS_LIMIT, '000', 0],
    [0, 0, '', 0],
    [new Date(Date.UTC(2026, 0, 19, 10, 41, 0, 7)), Date.UTC(2026, 0, 19, 10, 41, 0, 7), '007', 0],
  ];

  it.each(cases)('%j', (given, epochMs, fraction, offsetMinutes) => {
    const parsed = parseTime(given);
    expect(parsed).toEqual({ ok: true, time: { epochMs, fraction, offsetMinutes }, assumedUtc: false });
  });

  it('handles years below 100 without the Date.UTC 1900 shift', () => {
    const parsed = parseTime('0099-12-31T23:59:59Z');
    expect(parsed.ok && new Date(parsed.time.epochMs).toISOString()).toBe('0099-12-31T23:59:59.000Z');
  });

  it.each([
    '2026-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-19T24:00:00Z',
    '2026-01-19T10:41:60Z',
    '2026-01-19T10:41:00+24:00',
    '2026-01-19T10:41:00Zjunk',
    '2026-01-19',
    '19/01/2026 10:41',
    'yesterday',
    '',
    -5,
    1e21,
    '12345678901234567890',
    '1.2.3',
    true,
  ])('refuses %j', (given) => {
    expect(parseTime(given).ok).toBe(false);
  });

  it('reads ISO text without an offset as UTC and says so', () => {
    const h = harness();
    const r = h.run({ timestamp: '2026-01-19T10:41:00' });
    expect(r.time).toEqual({ epochMs: Date.UTC(2026, 0, 19, 10, 41), fraction: '', offsetMinutes: 0 });
    expect(h.codes()).toEqual(['time-no-offset']);
  });

  it('gives no event time and no rt for an invalid time, with a diagnostic', () => {
    const h = harness();
    const r = h.run({ timestamp: 'soon', msg: 'm' });
    expect(r.time).toBeUndefined();
    expect(r.fields.map((f) => f.key)).toEqual(['msg']);
    expect(h.codes()).toEqual(['invalid-time']);
  });
});
