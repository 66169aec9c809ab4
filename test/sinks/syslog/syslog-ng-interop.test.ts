/**
 * The syslog sink against a real, independent receiver: syslog-ng (Debian's syslog-ng-core,
 * installed by .ci/run) as a child process with three sources — `syslog()` over TCP, which
 * demands RFC 6587 octet counting; `network()` with `flags(syslog-protocol)`, which reads LF
 * frames; and `syslog()` over TLS requiring a client certificate from the test CA (RFC 5425).
 * Each source writes what it parsed (MSGID, APP-NAME, MSG) as JSON; every line must come out
 * whole, in order, multibyte text and a 200 KB message included.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../plugin/core/log.js';
import type { OutLine } from '../../../plugin/core/sink.js';
import { createSyslogSink } from '../../../plugin/sinks/syslog/syslog-sink.js';
import { makeTestPki, type TestPki } from '../../helpers/certs.js';
import { requireSyslogNg, startSyslogNg, stopSyslogNg, type RunningSyslogNg } from '../../helpers/syslog-ng.js';
import { lines, refusingPort, sinkConfig, until } from './fixtures.js';

interface Parsed {
  msgid: string;
  program: string;
  msg: string;
}

const SOURCES = ['octet', 'lf', 'tls'] as const;
type SourceName = (typeof SOURCES)[number];

let dir = '';
let pki: TestPki | undefined;
let syslogNg: RunningSyslogNg | undefined;
let stderr: () => string = () => '';
const ports = {} as Record<SourceName, number>;
/** Set when syslog-ng is missing or does not start: every test then fails with it (never skips). */
let setupError: Error | undefined;

function configText(dir: string): string {
  const template = '$(format-json --scope none msgid=${MSGID} program=${PROGRAM} msg=${MSG})\\n';
  const p = pki!;
  const tls = `tls(key-file("${p.serverKey}") cert-file("${p.serverCert}") ca-file("${p.caCert}") peer-verify(required-trusted))`;
  const size = 'log-msg-size(1048576)';
  return [
    '@version: 3.38',
    'options { use-dns(no); dns-cache(no); stats-freq(0); keep-hostname(yes); };',
    `source s_octet { syslog(ip("127.0.0.1") port(${ports.octet}) transport("tcp") ${size}); };`,
    `source s_lf { network(ip("127.0.0.1") port(${ports.lf}) transport("tcp") flags(syslog-protocol) ${size}); };`,
    `source s_tls { syslog(ip("127.0.0.1") port(${ports.tls}) transport("tls") ${tls} ${size}); };`,
    ...SOURCES.map((s) => `destination d_${s} { file("${join(dir, `${s}.jsonl`)}" template("${template}")); };`),
    ...SOURCES.map((s) => `log { source(s_${s}); destination(d_${s}); };`),
    '',
  ].join('\n');
}

beforeAll(async () => {
  try {
    requireSyslogNg();
    pki = makeTestPki();
    for (const s of SOURCES) ports[s] = await refusingPort();
    const running = startSyslogNg('sng-sink-', configText);
    syslogNg = running;
    ({ dir, stderr } = running);
    await until(() => existsSync(join(dir, 'pid')) || running.child.exitCode !== null, 'syslog-ng to start');
    if (running.child.exitCode !== null) throw new Error(`syslog-ng exited (${running.child.exitCode}):\n${stderr()}`);
  } catch (e) {
    setupError = e as Error;
  }
});

afterAll(async () => {
  await stopSyslogNg(syslogNg);
  pki?.cleanup();
});

function parsed(source: SourceName): Parsed[] {
  const file = join(dir, `${source}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Parsed);
}

/** The MSG part of a line made by `lines()`: everything after `<PRI>1 TS HOST APP PROCID MSGID SD `. */
function msgOf(line: string): string {
  return line.split(' ').slice(7).join(' ');
}

const batch: OutLine[] = [
  ...lines(0, 300, 5),
  { text: `<14>1 2024-05-01T12:00:00Z pam01 Segura - 300 - ${'ação ✓ 😀 '.repeat(12_000).trim()}` },
  ...lines(301, 400),
];

async function sendAndCheck(source: SourceName, transport: 'tcp' | 'tls', framing: 'lf' | 'octet', tlsPaths = {}): Promise<void> {
  if (setupError !== undefined) throw setupError;
  const target = { kind: 'syslog', transport, host: '127.0.0.1', port: ports[source] } as const;
  const cfg = sinkConfig({ framing, tls: { ...sinkConfig().tls, ...tlsPaths } });
  const sink = createSyslogSink(target, cfg, createMemoryLogger());
  for (let i = 0; i < batch.length; i += 50) await sink.deliver(batch.slice(i, i + 50));
  await until(() => parsed(source).length >= batch.length || syslogNg!.child.exitCode !== null, `${batch.length} parsed messages`);
  const got = parsed(source);
  expect(got.map((p) => p.msgid)).toEqual(batch.map((_, i) => String(i)));
  expect(got.every((p) => p.program === 'Segura')).toBe(true);
  expect(got.map((p) => p.msg)).toEqual(batch.map((l) => msgOf(l.text)));
  await sink.close(2_000);
  expect(stderr()).not.toMatch(/Invalid frame header|error/i);
}

describe('syslog-ng receives what the sink sends', () => {
  it('syslog() over TCP: octet counting (RFC 6587 §3.4.1)', async () => {
    await sendAndCheck('octet', 'tcp', 'octet');
  });

  it('network() with flags(syslog-protocol): LF framing', async () => {
    await sendAndCheck('lf', 'tcp', 'lf');
  });

  it('syslog() over TLS with a required client certificate (RFC 5425)', async () => {
    const p = pki!;
    await sendAndCheck('tls', 'tls', 'octet', { ca: p.caCert, cert: p.clientCert, key: p.clientKey, serverName: 'localhost' });
  });
});
