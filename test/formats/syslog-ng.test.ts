/**
 * Our RFC 5424 output read by a real, independent parser: syslog-ng (Debian's
 * syslog-ng-core, installed by .ci/run) runs as a child process with a generated config
 * (everything under a temp dir: --persist-file, --pidfile, --control), a `unix-stream()`
 * source with `flags(syslog-protocol)` (RFC 5424 parsing, LF-delimited) and a `file()`
 * destination that writes what it parsed as JSON: PRI, the timestamp, HOST, PROGRAM
 * (APP-NAME), PID (PROCID), MSGID, the SD parameters and MSG. Each record's expectation is
 * written by hand, including hostile values (`]`, `"`, `\`, newlines, non-ASCII, over-long
 * header fields), the CEF-in-RFC 5424 envelope, a byte-budgeted line, and Segura's
 * published (non-conformant) shape, which syslog-ng must refuse.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalRecord } from '../../plugin/core/record.js';
import type { FormatOptions } from '../../plugin/formats/formatter.js';
import { buildFormatter } from '../../plugin/formats/registry.js';
import { decodeCef } from '../helpers/cef-decoder.js';
import { startSyslogNg, stopSyslogNg, type RunningSyslogNg } from '../helpers/syslog-ng.js';
import fc from 'fast-check';
import {
  decodePairs, expectedHeaderField, expectedPairs, expectedSdValue, fields, ignore, options, record, seguraTime,
} from './rfc5424/support.js';

interface Parsed {
  pri: number;
  facility: number;
  severity: number;
  isodate: string;
  host: string;
  program: string;
  pid: string;
  msgid: string;
  msg: string;
  _SDATA?: Record<string, Record<string, string>>;
}

function configText(dir: string): string {
  const template =
    '$(format-json --scope none pri=int(${PRI}) facility=int(${FACILITY_NUM}) severity=int(${LEVEL_NUM}) ' +
    'isodate=${S_ISODATE} host=${HOST} program=${PROGRAM} pid=${PID} msgid=${MSGID} msg=${MSG} --key .SDATA.*)\\n';
  return [
    '@version: 3.38',
    'options { keep-hostname(yes); chain-hostnames(no); use-dns(no); dns-cache(no); use-fqdn(no); frac-digits(6); stats-freq(0); };',
    `source s_in { unix-stream("${join(dir, 'in.sock')}" flags(syslog-protocol) log-msg-size(262144)); };`,
    `destination d_out { file("${join(dir, 'out.jsonl')}" template("${template}")); };`,
    'log { source(s_in); destination(d_out); };',
    '',
  ].join('\n');
}

/** Polls `ready` every 20 ms until it returns true, or fails with `what` after 15 s. */
async function waitFor(what: string, ready: () => boolean, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!ready()) {
    if (child.exitCode !== null) throw new Error(`syslog-ng exited (${child.exitCode}) while waiting for ${what}:\n${stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let dir = '';
let child: ChildProcess | undefined;
let syslogNg: RunningSyslogNg | undefined;
let stderr: () => string = () => '';
/** Set when syslog-ng is missing or does not start: every test then fails with it (never skips). */
let setupError: Error | undefined;

beforeAll(async () => {
  try {
    await startReceiver();
  } catch (e) {
    setupError = e as Error;
  }
});

/** A test that first fails with the setup error, so a missing syslog-ng shows as failures. */
function itWithSyslogNg(name: string, body: () => Promise<void>): void {
  it(name, async () => {
    if (setupError !== undefined) throw setupError;
    await body();
  });
}

async function startReceiver(): Promise<void> {
  const running = startSyslogNg('sng-', configText);
  syslogNg = running;
  ({ dir, child, stderr } = running);
  await waitFor('the unix-stream socket', () => existsSync(join(dir, 'in.sock')), running.child, running.stderr);
}

afterAll(async () => {
  await stopSyslogNg(syslogNg);
});

/** Sends `lines` over one connection and returns what syslog-ng parsed, in order. */
async function throughSyslogNg(lines: readonly string[]): Promise<Parsed[]> {
  const out = join(dir, 'out.jsonl');
  const before = existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).length : 0;
  await new Promise<void>((resolve, reject) => {
    const socket = createConnection(join(dir, 'in.sock'), () => socket.end(lines.map((l) => `${l}\n`).join('')));
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
  const count = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).length : 0);
  await waitFor(`${lines.length} parsed messages`, () => count() >= before + lines.length, child!, stderr);
  return readFileSync(out, 'utf8').split('\n').filter(Boolean).slice(before).map((l) => JSON.parse(l) as Parsed);
}

const formatWith = (over: Parameters<typeof options>[0], rec: CanonicalRecord, maxBytes?: number): string =>
  buildFormatter(options(over) as FormatOptions, ignore).format(rec, maxBytes);

describe('syslog-ng parses our RFC 5424 output', () => {
  itWithSyslogNg('header, timestamp, MSG and STRUCTURED-DATA, including hostile values', async () => {
    const plain = record({
      eventId: '1', syslogSeverity: 5, time: seguraTime('123'), host: 'vm-andrew-dev', procId: '1426',
      fields: fields([['msg', 'Successfully authenticated.'], ['act', 'Login'], ['suser', 'jdoe']]),
    });
    const hostileFields = fields([
      ['msg', 'a]b"c\\d\nline2\r\nü 日本 \u{1F600} x=y'],
      ['cs1', '[x@1 y="z"]'],
      ['suser', ' lead'],
    ]);
    const hostile = record({
      eventId: `336.501-${'9'.repeat(40)}`, syslogSeverity: 1,
      time: { epochMs: Date.UTC(2024, 11, 31, 20, 0, 0, 5), fraction: '005', offsetMinutes: 330 },
      host: 'höst name]"', procId: 'p'.repeat(200), fields: hostileFields,
    });
    const noFields = record({ eventId: undefined, syslogSeverity: 7, time: { epochMs: Date.UTC(2020, 1, 29, 0, 0, 0), fraction: '', offsetMinutes: 0 } });

    const [a, b, c, d, e, f] = await throughSyslogNg([
      formatWith({}, plain),
      formatWith({ syslog: { sd: true, bom: true, appName: 'senhasegura' } }, hostile),
      formatWith({ syslog: { facility: 16, hostname: 'collector.example' } }, noFields),
      formatWith({ syslog: { msgId: 'none' } }, plain),
      formatWith({}, record({ ...plain, host: '2001:db8::1' })),
      formatWith({}, record({ ...plain, host: 'pam01:8443[x]', procId: '[1426]' })),
    ]);

    expect(a).toMatchObject({
      pri: 13, facility: 1, severity: 5, isodate: '2018-06-18T17:49:41.123000-03:00', host: 'vm-andrew-dev',
      program: 'Segura', pid: '1426', msgid: '1', msg: 'msg=Successfully authenticated. act=Login suser=jdoe',
    });
    expect(decodePairs(a!.msg)).toEqual([['msg', 'Successfully authenticated.'], ['act', 'Login'], ['suser', 'jdoe']]);

    expect(b).toMatchObject({
      pri: 9, isodate: '2025-01-01T01:30:00.005000+05:30', host: 'h_st_name]"', program: 'senhasegura',
      pid: 'p'.repeat(128), msgid: `336.501-${'9'.repeat(24)}`,
    });
    expect(b!._SDATA).toEqual({
      'segura@32473': { msg: 'a]b"c\\d line2  ü 日本 \u{1F600} x=y', cs1: '[x@1 y="z"]', suser: ' lead' },
    });
    expect(b!.msg.startsWith('\ufeff')).toBe(false); // syslog-ng consumed the BOM as MSG-UTF8's marker
    expect(decodePairs(b!.msg)).toEqual([
      ['msg', 'a]b"c\\d\nline2\r\nü 日本 \u{1F600} x=y'],
      ['cs1', '[x@1 y="z"]'],
      ['suser', ' lead'],
    ]);

    expect(c).toMatchObject({
      pri: 135, facility: 16, severity: 7, isodate: '2020-02-29T00:00:00.000000+00:00', host: 'collector.example',
      program: 'Segura', pid: '', msgid: '', msg: '',
    });
    expect(d).toMatchObject({ pri: 13, msgid: '', pid: '1426', msg: 'msg=Successfully authenticated. act=Login suser=jdoe' });
    expect(e).toMatchObject({ host: '2001:db8::1', program: 'Segura' });
    expect(f).toMatchObject({ host: 'pam01_8443_x]', pid: '_1426]', program: 'Segura' });
  });

  itWithSyslogNg('the CEF line as MSG of the rfc5424 envelope', async () => {
    const rec = record({
      time: seguraTime(), host: 'pam01', procId: '77',
      fields: fields([['msg', 'Incident updated'], ['act', 'Incident'], ['cs1', 'a|b=c\\d']]),
    });
    const [p] = await throughSyslogNg([formatWith({ format: 'cef', envelope: 'rfc5424', syslog: { bom: true } }, rec)]);
    expect(p).toMatchObject({ pri: 9, isodate: '2018-06-18T17:49:41.000000-03:00', host: 'pam01', program: 'Segura', pid: '77', msgid: '336.501' });
    expect(p!.msg).toBe('CEF:0|MT4|Segura|3.27.0-4|336.501|Update Incident|9|msg=Incident updated act=Incident cs1=a|b\\=c\\\\d');
    const cef = decodeCef(p!.msg);
    expect([cef.vendor, cef.product, cef.eventClassId, cef.severity]).toEqual(['MT4', 'Segura', '336.501', '9']);
    expect(cef.extensions).toEqual([['msg', 'Incident updated'], ['act', 'Incident'], ['cs1', 'a|b=c\\d']]);
  });

  itWithSyslogNg('a line cut by --max-bytes keeps its header and a decodable, shortened msg', async () => {
    const long = 'é日\u{1F600}\\='.repeat(60);
    const rec = record({ time: seguraTime(), host: 'h', fields: [{ key: 'msg', value: long, shrinkRank: 0 }, { key: 'suser', value: 'jdoe' }] });
    const line = formatWith({ maxBytes: 200 }, rec);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(200);
    const [p] = await throughSyslogNg([line]);
    expect(p).toMatchObject({ pri: 9, host: 'h', program: 'Segura', msgid: '336.501' });
    const [[k1, v1], [k2, v2]] = decodePairs(p!.msg) as [[string, string], [string, string]];
    expect([k1, k2, v2]).toEqual(['msg', 'suser', 'jdoe']);
    expect(v1.length).toBeGreaterThan(0);
    expect(long.startsWith(v1)).toBe(true);
  });

  itWithSyslogNg('refuses the --segura-compat shape (no STRUCTURED-DATA), as documented', async () => {
    const rec = record({ eventId: '1', syslogSeverity: 5, time: seguraTime(), host: 'vm-andrew-dev', procId: '1426', fields: fields([['msg', 'Successfully authenticated.']]) });
    const [p] = await throughSyslogNg([formatWith({ syslog: { seguraCompat: true, msgId: 'none' } }, rec)]);
    expect(p!.program).toBe('syslog-ng');
    expect(p!.msg).toMatch(/^Error processing log message: <13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev Segura 1426 -/);
  });

  itWithSyslogNg('80 random records with arbitrary text agree with the documented policy', async () => {
    const unit = fc.oneof(
      fc.constantFrom('\\', '=', '"', ']', '[', ' ', '\r', '\n', '\t', '\0', '\x7f', '\u2028', 'é', '日', '\u{1F600}', '\ud800'),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 3 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    const text = (maxLength: number) => fc.string({ unit, maxLength });
    const keys = fc.uniqueArray(fc.constantFrom('msg', 'act', 'suser', 'duser', 'cs1', 'cs1Label', 'dhost'), { maxLength: 5 });
    const arb = fc.record({ keys, values: fc.array(text(20), { minLength: 5, maxLength: 5 }), host: text(30), procId: text(10), eventId: text(10) });
    const samples = fc.sample(arb, { numRuns: 80, seed: 5424 });
    const recs = samples.map((x) =>
      record({ host: x.host, procId: x.procId, eventId: x.eventId, time: seguraTime('5'), fields: x.keys.map((key, i) => ({ key, value: x.values[i]! })) }),
    );
    const parsed = await throughSyslogNg(recs.map((rec) => formatWith({ syslog: { sd: true } }, rec)));
    parsed.forEach((p, i) => {
      const rec = recs[i]!;
      const dash = (v: string) => (v === '-' ? '' : v);
      if (p.program === 'syslog-ng') throw new Error(`syslog-ng refused record ${i}: ${JSON.stringify(p.msg)}`);
      expect(p.host).toBe(expectedHeaderField(rec.host === '' ? 'collector01' : rec.host, 255));
      expect(p.pid).toBe(dash(expectedHeaderField(rec.procId, 128)));
      expect(p.msgid).toBe(dash(expectedHeaderField(rec.eventId, 32)));
      expect(p.isodate).toBe('2018-06-18T17:49:41.500000-03:00');
      const sd = Object.fromEntries(rec.fields.map((f) => [f.key, expectedSdValue(f.value)]));
      expect(p._SDATA).toEqual(rec.fields.length === 0 ? undefined : { 'segura@32473': sd });
      const pairs = expectedPairs(rec.fields);
      expect(pairs.length === 0 ? [] : decodePairs(p.msg)).toEqual(pairs);
    });
  });
});
