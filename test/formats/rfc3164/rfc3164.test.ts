/**
 * The RFC 3164 envelope around CEF (`--format cef --envelope rfc3164`): expectations written
 * by hand from RFC 3164 §4.1 (`<PRI>Mmm dd hh:mm:ss HOSTNAME `, English month, day padded
 * with a space) and the CEF standard's syslog example, plus a BSD-syslog regex reader and
 * the independent CEF decoder on the result.
 */
import { describe, expect, it } from 'vitest';
import type { EventTime } from '../../../plugin/core/record.js';
import { buildFormatter } from '../../../plugin/formats/registry.js';
import { buildRfc3164Envelope } from '../../../plugin/formats/rfc3164/rfc3164.js';
import { decodeCef } from '../../helpers/cef-decoder.js';
import { fields, ignore, options, record, recorder, seguraTime } from '../rfc5424/support.js';

const BODY = 'CEF:0|MT4|Segura|3.27.0-4|336.501|Update Incident|9|msg=x';
const envelope = (over: Parameters<typeof options>[0] = {}, listener = ignore) => buildRfc3164Envelope(options(over), listener);
const at = (y: number, mo: number, d: number, h: number, mi: number, s: number, offsetMinutes = 0): EventTime => ({
  epochMs: Date.UTC(y, mo, d, h, mi, s) - offsetMinutes * 60_000,
  fraction: '',
  offsetMinutes,
});

/** RFC 3164 §4.1 HEADER read with a plain regex: PRI, TIMESTAMP, HOSTNAME, then the rest. */
const BSD = /^<(\d{1,3})>(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ 1-3]\d) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d) ([\x21-\x7e]+) (.*)$/;

describe('rfc3164 envelope', () => {
  it('writes the record\'s local wall clock, day padded with a space, and the CEF line after the hostname', () => {
    expect(envelope()(record({ time: seguraTime('123'), host: 'vm-andrew-dev' }), BODY)).toBe(
      `<9>Jun 18 17:49:41 vm-andrew-dev ${BODY}`,
    );
    expect(envelope()(record({ time: at(2024, 0, 5, 7, 8, 9), host: 'h', syslogSeverity: 5 }), BODY)).toBe(`<13>Jan  5 07:08:09 h ${BODY}`);
  });

  it('uses English month abbreviations for every month', () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const env = envelope();
    months.forEach((name, m) => {
      expect(env(record({ time: at(2023, m, 28, 23, 59, 59), host: 'h' }), 'B')).toBe(`<9>${name} 28 23:59:59 h B`);
    });
  });

  it('applies the record offset across a year boundary', () => {
    expect(envelope()(record({ time: at(2025, 0, 1, 1, 30, 0, 330), host: 'h' }), 'B')).toBe('<9>Jan  1 01:30:00 h B');
  });

  it('without a time, uses the time of formatting in UTC', () => {
    const stamp = (ms: number) => {
      const d = new Date(ms);
      const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
      const p = (n: number) => String(n).padStart(2, '0');
      return `${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
    };
    const before = Date.now();
    const line = envelope()(record({ host: 'h' }), 'B');
    const after = Date.now();
    expect([`<9>${stamp(before)} h B`, `<9>${stamp(after)} h B`]).toContain(line);
  });

  it('reports a time it cannot write and falls back to the time of formatting', () => {
    const rec = recorder();
    const line = envelope({}, rec.listener)(record({ host: 'h', time: { epochMs: Number.NaN, fraction: '', offsetMinutes: 0 } }), 'B');
    expect(line).toMatch(BSD);
    expect(rec.codes()).toEqual(['time-invalid']);
  });

  it('uses the configured hostname when the record has none and repairs a bad one', () => {
    const rec = recorder();
    const env = envelope({ syslog: { hostname: 'collector01', facility: 4 } }, rec.listener);
    expect(env(record({ time: seguraTime() }), 'B')).toBe('<33>Jun 18 17:49:41 collector01 B');
    expect(env(record({ time: seguraTime(), host: 'my host:1' }), 'B')).toBe('<33>Jun 18 17:49:41 my_host_1 B');
    expect(rec.list.map((r) => [r.origin, r.diagnostic.code, r.diagnostic.field])).toEqual([['line 1', 'header-sanitized', 'HOSTNAME']]);
  });

  it('through the registry: the CEF line after the BSD header, readable by a CEF decoder', () => {
    const formatter = buildFormatter(options({ format: 'cef', envelope: 'rfc3164' }), ignore);
    const rec = record({ time: seguraTime(), host: 'pam01', fields: fields([['msg', 'Incident updated'], ['act', 'a=b']]) });
    const line = formatter.format(rec);
    expect(line).toBe('<9>Jun 18 17:49:41 pam01 CEF:0|MT4|Segura|3.27.0-4|336.501|Update Incident|9|msg=Incident updated act=a\\=b');
    const m = BSD.exec(line)!;
    expect([m[1], m[2], m[3], m[7]]).toEqual(['9', 'Jun', '18', 'pam01']);
    const cef = decodeCef(line);
    expect(cef.prefix).toBe('<9>Jun 18 17:49:41 pam01 ');
    expect(cef.extensions).toEqual([['msg', 'Incident updated'], ['act', 'a=b']]);
  });
});
