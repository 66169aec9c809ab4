/**
 * Golden tests for `--format rfc5424`: every expected line is written by hand from RFC 5424
 * §6 and Segura's documentation (facility 1, APP-NAME Segura, CEF-named key=value pairs),
 * never produced by the formatter. Covers PRI, TIMESTAMP (offset, fraction, no time),
 * header field repair, MSGID, STRUCTURED-DATA escaping, MSG escaping, BOM, compat mode.
 */
import { describe, expect, it } from 'vitest';
import { SegError } from '../../../plugin/core/errors.js';
import type { CanonicalRecord } from '../../../plugin/core/record.js';
import type { SyslogOptions as FormatOptionsSyslog } from '../../../plugin/formats/formatter.js';
import { buildRfc5424Render } from '../../../plugin/formats/rfc5424/rfc5424.js';
import { fields, ignore, options, record, recorder, seguraTime } from './support.js';

const render = (over: Parameters<typeof options>[0] = {}, listener = ignore) => buildRfc5424Render(options(over), listener);

const authenticated = record({
  eventId: '1',
  syslogSeverity: 5,
  time: seguraTime(),
  host: 'vm-andrew-dev',
  procId: '1426',
  fields: fields([['msg', 'Successfully authenticated.'], ['act', 'Login'], ['suser', 'jdoe']]),
});

describe('rfc5424 golden lines', () => {
  it('renders Segura\'s documented example as a valid RFC 5424 line', () => {
    expect(render()(authenticated)).toBe(
      '<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev Segura 1426 1 - msg=Successfully authenticated. act=Login suser=jdoe',
    );
  });

  it('writes MSGID - with --msgid none', () => {
    expect(render({ syslog: { msgId: 'none' } })(authenticated)).toBe(
      '<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev Segura 1426 - - msg=Successfully authenticated. act=Login suser=jdoe',
    );
  });

  it('reproduces the published (non-conformant) shape with --segura-compat: no STRUCTURED-DATA field', () => {
    const line = render({ syslog: { msgId: 'none', seguraCompat: true, appName: 'senhasegura' } })(authenticated);
    expect(line).toBe(
      '<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev senhasegura 1426 - msg=Successfully authenticated. act=Login suser=jdoe',
    );
  });

  it('refuses --sd together with --segura-compat', () => {
    expect(() => render({ syslog: { sd: true, seguraCompat: true } })).toThrow(SegError);
  });

  it('computes PRI = facility * 8 + severity without leading zeros', () => {
    const alert = record({ syslogSeverity: 1, time: seguraTime(), host: 'h', fields: fields([['msg', 'x']]) });
    expect(render()(alert)).toMatch(/^<9>1 /);
    expect(render({ syslog: { facility: 16 } })(record({ ...alert, syslogSeverity: 5 }))).toMatch(/^<133>1 /);
    expect(render({ syslog: { facility: 0 } })(record({ ...alert, syslogSeverity: 0 }))).toMatch(/^<0>1 /);
    expect(render({ syslog: { facility: 23 } })(record({ ...alert, syslogSeverity: 7 }))).toMatch(/^<191>1 /);
  });

  it('refuses a syslog severity outside 0-7 with SEG_ERR_FORMAT', () => {
    try {
      render()(record({ syslogSeverity: 8 }));
      expect.unreachable();
    } catch (e) {
      expect((e as SegError).code).toBe('SEG_ERR_FORMAT');
    }
  });

  it('keeps the record offset and its fraction, cut to 6 digits, Z for UTC', () => {
    const line = (time: CanonicalRecord['time']) =>
      render()(record({ time, host: 'h', fields: [] })).split(' ')[1];
    expect(line(seguraTime('123456'))).toBe('2018-06-18T17:49:41.123456-03:00');
    expect(line(seguraTime('5'))).toBe('2018-06-18T17:49:41.5-03:00');
    expect(line({ ...seguraTime('12345678'), fraction: '12345678' })).toBe('2018-06-18T17:49:41.123456-03:00');
    expect(line({ epochMs: Date.UTC(2024, 1, 29, 23, 59, 59, 999), fraction: '999', offsetMinutes: 0 })).toBe('2024-02-29T23:59:59.999Z');
    expect(line({ epochMs: Date.UTC(2024, 11, 31, 20, 0, 0), fraction: '', offsetMinutes: 330 })).toBe('2025-01-01T01:30:00+05:30');
    expect(line({ epochMs: Date.UTC(2024, 0, 1, 5, 0, 0), fraction: '', offsetMinutes: -570 })).toBe('2023-12-31T19:30:00-09:30');
    expect(line({ epochMs: -1000, fraction: '', offsetMinutes: 0 })).toBe('1969-12-31T23:59:59Z');
  });

  it('uses the time of formatting, UTC with milliseconds, when the record has none', () => {
    const before = Date.now();
    const stamp = render()(record({ host: 'h' })).split(' ')[1]!;
    const after = Date.now();
    expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(stamp)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(stamp)).toBeLessThanOrEqual(after);
  });

  it('writes NILVALUE and reports when the time cannot be written', () => {
    const rec = recorder();
    const r = render({}, rec.listener);
    expect(r(record({ host: 'h', time: { epochMs: Date.UTC(10000, 0, 1), fraction: '', offsetMinutes: 0 } })).split(' ')[1]).toBe('-');
    expect(r(record({ host: 'h', time: { epochMs: 0, fraction: '', offsetMinutes: 1440 } })).split(' ')[1]).toBe('-');
    expect(r(record({ host: 'h', time: { epochMs: Number.NaN, fraction: '', offsetMinutes: 0 } })).split(' ')[1]).toBe('-');
    expect(rec.codes()).toEqual(['time-invalid', 'time-invalid', 'time-invalid']);
  });

  it('falls back to the configured hostname and writes - for absent PROCID and MSGID', () => {
    expect(render()(record({ time: seguraTime(), eventId: undefined, fields: fields([['msg', 'x']]) }))).toBe(
      '<9>1 2018-06-18T17:49:41-03:00 collector01 Segura - - - msg=x',
    );
  });

  it('repairs header fields outside PRINTUSASCII, with "[" (refused by syslog-ng) or over their length, with a diagnostic each', () => {
    const rec = recorder();
    const line = render({}, rec.listener)(
      record({
        time: seguraTime(),
        host: 'vm andrew-dév',
        procId: 'p[id]',
        eventId: `E${'9'.repeat(40)}`,
        fields: [],
      }),
    );
    expect(line).toBe(`<9>1 2018-06-18T17:49:41-03:00 vm_andrew-d_v Segura p_id] E${'9'.repeat(31)} -`);
    expect(rec.list.map((r) => [r.origin, r.diagnostic.code, r.diagnostic.field])).toEqual([
      ['line 1', 'header-sanitized', 'HOSTNAME'],
      ['line 1', 'header-sanitized', 'PROCID'],
      ['line 1', 'header-sanitized', 'MSGID'],
    ]);
  });

  it('keeps ":" in HOSTNAME only for an IPv6 address (syslog-ng refuses it otherwise)', () => {
    const host = (h: string) => render()(record({ host: h, time: seguraTime() })).split(' ')[2];
    expect(host('2001:db8::1')).toBe('2001:db8::1');
    expect(host('::ffff:192.0.2.1')).toBe('::ffff:192.0.2.1');
    expect(host('pam01:8443')).toBe('pam01_8443');
    expect(host('192.0.2.10')).toBe('192.0.2.10');
  });

  it('cuts HOSTNAME at 255, PROCID at 128 and an emoji to one "_"', () => {
    const line = render()(record({ time: seguraTime(), host: 'h'.repeat(300), procId: '7'.repeat(200), eventId: '\u{1F600}' }));
    expect(line).toBe(`<9>1 2018-06-18T17:49:41-03:00 ${'h'.repeat(255)} Segura ${'7'.repeat(128)} _ -`);
  });

  it('repairs a configured APP-NAME once, at build time, reported with origin "config"', () => {
    const rec = recorder();
    const r = render({ syslog: { appName: 'Segura PAM' } }, rec.listener);
    expect(rec.list.map((x) => [x.origin, x.diagnostic.code, x.diagnostic.field])).toEqual([['config', 'header-sanitized', 'APP-NAME']]);
    expect(r(record({ time: seguraTime(), host: 'h' }))).toBe('<9>1 2018-06-18T17:49:41-03:00 h Segura_PAM - 336.501 -');
    expect(render({ syslog: { appName: 'a'.repeat(60) } })(record({ time: seguraTime(), host: 'h' }))).toBe(
      `<9>1 2018-06-18T17:49:41-03:00 h ${'a'.repeat(48)} - 336.501 -`,
    );
  });

  it('escapes MSG values as CEF extension values and leaves out empty values and invalid keys', () => {
    const rec = recorder();
    const line = render({}, rec.listener)(
      record({
        time: seguraTime(),
        host: 'h',
        fields: fields([
          ['msg', 'a=b\\c\nd\re'],
          ['act', 'tab\there'],
          ['cs1', 'trailing   '],
          ['cs2', '   '],
          ['bad key', 'dropped'],
          ['suser', 'josé | "x" ]'],
        ]),
      }),
    );
    expect(line).toBe(
      '<9>1 2018-06-18T17:49:41-03:00 h Segura - 336.501 - msg=a\\=b\\\\c\\nd\\re act=tab here cs1=trailing suser=josé | "x" ]',
    );
    expect(rec.codes()).toEqual(['key-invalid']);
  });

  it('prefixes MSG with a UTF-8 BOM with --bom', () => {
    const line = render({ syslog: { bom: true } })(record({ time: seguraTime(), host: 'h', fields: fields([['msg', 'ü']]) }));
    expect(line).toBe('<9>1 2018-06-18T17:49:41-03:00 h Segura - 336.501 - \ufeffmsg=ü');
    const prefix = '<9>1 2018-06-18T17:49:41-03:00 h Segura - 336.501 - ';
    expect(Buffer.from(line, 'utf8').subarray(prefix.length, prefix.length + 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('leaves MSG out entirely when there is nothing to write', () => {
    expect(render({ syslog: { bom: true } })(record({ time: seguraTime(), host: 'h', fields: fields([['cs1', ' ']]) }))).toBe(
      '<9>1 2018-06-18T17:49:41-03:00 h Segura - 336.501 -',
    );
  });
});

describe('rfc5424 STRUCTURED-DATA (--sd)', () => {
  const sd = (list: Parameters<typeof fields>[0], over: Partial<FormatOptionsSyslog> = {}, listener = ignore) =>
    render({ syslog: { sd: true, ...over } }, listener)(record({ time: seguraTime(), host: 'h', fields: fields(list) }));

  it('puts the fields in one SD-ELEMENT and escapes exactly ", \\ and ] (§6.3.3)', () => {
    expect(sd([['msg', 'a "quoted" \\ path] = x'], ['suser', 'jdoe']])).toBe(
      '<9>1 2018-06-18T17:49:41-03:00 h Segura - 336.501 [segura@32473 msg="a \\"quoted\\" \\\\ path\\] = x" suser="jdoe"] ' +
        'msg=a "quoted" \\\\ path] \\= x suser=jdoe',
    );
  });

  it('turns CR, LF, TAB and other controls into spaces, lone surrogates into U+FFFD, keeps non-ASCII and trailing spaces', () => {
    expect(sd([['msg', 'l1\r\nl2\tz\u0085\u2028 '], ['cs1', 'ok\ud800 \u{1F600}']])).toContain(
      '[segura@32473 msg="l1  l2 z   " cs1="ok\ufffd \u{1F600}"]',
    );
  });

  it('writes an empty value as "" and uses the configured SD-ID', () => {
    expect(sd([['cs1', '']], { sdId: 'pam@99999' })).toBe('<9>1 2018-06-18T17:49:41-03:00 h Segura - 336.501 [pam@99999 cs1=""]');
  });

  it('writes - when there are no fields', () => {
    expect(sd([])).toBe('<9>1 2018-06-18T17:49:41-03:00 h Segura - 336.501 -');
  });

  it('repairs an invalid PARAM-NAME (space, =, quote, over 32) with a diagnostic', () => {
    const rec = recorder();
    const line = sd([['bad key', '1'], ['a=b"c]', '2'], ['k'.repeat(40), '3']], {}, rec.listener);
    expect(line).toContain(`[segura@32473 bad_key="1" a_b_c_="2" ${'k'.repeat(32)}="3"]`);
    expect(rec.list.filter((r) => r.diagnostic.code === 'sd-name-sanitized').map((r) => r.diagnostic.field)).toEqual([
      'bad key', 'a=b"c]', 'k'.repeat(40),
    ]);
  });

  it('repairs an invalid configured SD-ID at build time', () => {
    const rec = recorder();
    const line = sd([['cs1', 'v']], { sdId: 'my id]@1' }, rec.listener);
    expect(line).toContain('[my_id_@1 cs1="v"]');
    expect(rec.list[0]!.origin).toBe('config');
  });
});
