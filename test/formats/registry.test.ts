/**
 * The formatter registry: each format and CEF envelope chosen by name, with golden lines
 * written by hand (RFC 5424 §6, RFC 3164 §4.1, CEF standard ch. 1) and read back by the
 * independent strict parsers; unknown names refused; diagnostics reported once per record
 * even when the byte budget renders a record several times.
 */
import { describe, expect, it } from 'vitest';
import { SegError } from '../../plugin/core/errors.js';
import { buildFormatter, effectiveCap } from '../../plugin/formats/registry.js';
import type { FormatOptions } from '../../plugin/formats/formatter.js';
import { decodeCef } from '../helpers/cef-decoder.js';
import { parseRfc5424 } from '../helpers/rfc5424-parser.js';
import { fields, ignore, options, record, recorder, seguraTime } from './rfc5424/support.js';

const incident = record({
  time: seguraTime(),
  host: 'pam01',
  procId: '77',
  messageType: 'orbit-incident',
  fields: fields([['msg', 'Incident updated'], ['act', 'Incident'], ['cs1', 'a|b=c']]),
});
const CEF_LINE = 'CEF:0|MT4|Segura|3.27.0-4|336.501|Update Incident|9|msg=Incident updated act=Incident cs1=a|b\\=c';

const fmt = (over: Parameters<typeof options>[0], listener = ignore) => buildFormatter(options(over), listener);

describe('format registry', () => {
  it('cef, envelope none: the bare CEF line', () => {
    expect(fmt({ format: 'cef', envelope: 'none' }).format(incident)).toBe(CEF_LINE);
  });

  it('cef, envelope rfc5424: the CEF line as MSG of a valid RFC 5424 message', () => {
    const line = fmt({ format: 'cef', envelope: 'rfc5424' }).format(incident);
    expect(line).toBe(`<9>1 2018-06-18T17:49:41-03:00 pam01 Segura 77 336.501 - ${CEF_LINE}`);
    const m = parseRfc5424(line);
    expect(m.msg).toBe(CEF_LINE);
    expect(decodeCef(m.msg!).extensions).toEqual([['msg', 'Incident updated'], ['act', 'Incident'], ['cs1', 'a|b=c']]);
  });

  it('cef, envelope rfc5424 with --sd and --bom: fields in SD, BOM before the CEF line', () => {
    const line = fmt({ format: 'cef', envelope: 'rfc5424', syslog: { sd: true, bom: true } }).format(incident);
    expect(line).toBe(
      `<9>1 2018-06-18T17:49:41-03:00 pam01 Segura 77 336.501 [segura@32473 msg="Incident updated" act="Incident" cs1="a|b=c"] \ufeff${CEF_LINE}`,
    );
    expect(parseRfc5424(line)).toMatchObject({ bom: true, msg: CEF_LINE });
  });

  it('cef, envelope rfc3164: <PRI>Mmm dd hh:mm:ss HOSTNAME CEF:0|…', () => {
    expect(fmt({ format: 'cef', envelope: 'rfc3164' }).format(incident)).toBe(`<9>Jun 18 17:49:41 pam01 ${CEF_LINE}`);
  });

  it('rfc5424: the fields as key=value pairs; --envelope is ignored', () => {
    const expected = '<9>1 2018-06-18T17:49:41-03:00 pam01 Segura 77 336.501 - msg=Incident updated act=Incident cs1=a|b\\=c';
    expect(fmt({ format: 'rfc5424' }).format(incident)).toBe(expected);
    expect(fmt({ format: 'rfc5424', envelope: 'rfc3164' }).format(incident)).toBe(expected);
  });

  it('sensage: the configured columns; --envelope is ignored', () => {
    const cols = { columns: ['time', 'event_id', 'message_type', 'msg', 'extra'] };
    const expected = '2018-06-18T17:49:41-03:00\t336.501\torbit-incident\tIncident updated\tact=Incident cs1=a|b\\\\=c';
    expect(fmt({ format: 'sensage', sensage: cols }).format(incident)).toBe(expected);
    expect(fmt({ format: 'sensage', envelope: 'rfc5424', sensage: cols }).format(incident)).toBe(expected);
  });

  it('refuses an unknown format or envelope with SEG_ERR_CONFIG', () => {
    const bad = (o: FormatOptions) => {
      try {
        buildFormatter(o, ignore);
        return 'built';
      } catch (e) {
        return (e as SegError).code;
      }
    };
    expect(bad({ ...options({}), format: 'leef' as FormatOptions['format'] })).toBe('SEG_ERR_CONFIG');
    expect(bad({ ...options({ format: 'cef' }), envelope: 'rfc6587' as FormatOptions['envelope'] })).toBe('SEG_ERR_CONFIG');
  });

  it('reports a repair once per record even when the budget renders it several times', () => {
    const diag = recorder();
    const f = fmt({ format: 'rfc5424', maxBytes: 120 }, diag.listener);
    const rec = record({ time: seguraTime(), host: 'bad host', fields: [{ key: 'msg', value: 'x'.repeat(300), shrinkRank: 0 }] });
    f.format(rec);
    f.format(rec);
    expect(diag.list.map((r) => [r.diagnostic.code, r.diagnostic.field])).toEqual([
      ['header-sanitized', 'HOSTNAME'], ['truncated', 'msg'],
      ['header-sanitized', 'HOSTNAME'], ['truncated', 'msg'],
    ]);
  });

  it('the cap is the smaller of --max-bytes and the caller\'s', () => {
    expect(effectiveCap(undefined, undefined)).toBeUndefined();
    expect(effectiveCap(1024, undefined)).toBe(1024);
    expect(effectiveCap(undefined, 480)).toBe(480);
    expect(effectiveCap(1024, 480)).toBe(480);
    expect(effectiveCap(300, 2048)).toBe(300);
    const rec = record({ time: seguraTime(), host: 'h', fields: [{ key: 'msg', value: 'y'.repeat(2000), shrinkRank: 0 }] });
    expect(Buffer.byteLength(fmt({ format: 'rfc5424', maxBytes: 1024 }).format(rec, 480))).toBe(480);
    expect(Buffer.byteLength(fmt({ format: 'rfc5424', maxBytes: 300 }).format(rec, 2048))).toBe(300);
  });
});
