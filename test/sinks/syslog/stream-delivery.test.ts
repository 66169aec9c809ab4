/**
 * The syslog sink over real TCP and TLS sockets on 127.0.0.1, checked by strict RFC 6587
 * listeners: default framing per transport, every line intact and in order (multibyte text,
 * lines far over 64 KiB), batches kept in call order, refused lines, and a clean shutdown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../plugin/core/log.js';
import { createSyslogSink, type SyslogSinkStats } from '../../../plugin/sinks/syslog/syslog-sink.js';
import { makeTestPki, type TestPki } from '../../helpers/certs.js';
import { startStreamListener, type StreamListener } from '../../helpers/syslog-listener.js';
import { lines, numberedLine, sinkConfig, track } from './fixtures.js';
import { readFileSync } from 'node:fs';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

const tcp = (port: number) => ({ kind: 'syslog', transport: 'tcp', host: '127.0.0.1', port }) as const;
const tls = (port: number) => ({ kind: 'syslog', transport: 'tls', host: '127.0.0.1', port }) as const;

async function tlsListener(framing: 'octet' | 'lf' | 'auto'): Promise<StreamListener> {
  return startStreamListener({
    framing,
    tls: { key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert) },
  });
}

describe('syslog+tcp', () => {
  it('defaults to LF framing and delivers every line intact and in order', async () => {
    const listener = await startStreamListener({ framing: 'auto' });
    const sink = createSyslogSink(tcp(listener.port), sinkConfig(), createMemoryLogger());
    const sent = lines(0, 3_000, 3);
    // 60 batches in flight at once: the sink must keep their call order.
    await Promise.all(Array.from({ length: 60 }, (_, b) => sink.deliver(sent.slice(b * 50, b * 50 + 50))));
    await listener.waitFor(sent.length);
    expect(listener.errors).toEqual([]);
    expect(listener.messages).toEqual(sent.map((l) => l.text));
    expect(new Set(listener.parsers[0]!.kinds)).toEqual(new Set(['lf']));
    expect(sink.maxMessageBytes).toBeUndefined();
    expect(sink.stats()).toMatchObject({ delivered: 3_000, queueDepth: 0, dropped: 0, reconnects: 0 });
    await sink.close(1_000);
    await listener.close();
  });

  it('uses octet counting when asked, with exact byte counts for multibyte and long lines', async () => {
    const listener = await startStreamListener({ framing: 'octet' });
    const sink = createSyslogSink(tcp(listener.port), sinkConfig({ framing: 'octet' }), createMemoryLogger());
    const sent = [
      ...lines(0, 10),
      { text: numberedLine(10, 40_000) }, // ~80 KB: a 5-digit MSG-LEN
      { text: `<13>1 - - - - - - ${'日本語'.repeat(50_000)} seq=11 ` }, // 450 KB of 3-byte characters
      { text: '<13>1 - - - - - - 😀' },
      ...lines(12, 20),
    ];
    await sink.deliver(sent);
    await listener.waitFor(sent.length);
    expect(listener.errors).toEqual([]);
    expect(listener.parsers[0]!.kinds.every((k) => k === 'octet')).toBe(true);
    expect(listener.messages).toEqual(sent.map((l) => l.text));
    await sink.close(1_000);
    await listener.close();
  });

  it('refuses a line with a raw LF (it would split the frame) but delivers the rest of the batch', async () => {
    const listener = await startStreamListener({ framing: 'lf' });
    const logger = createMemoryLogger();
    const sink = createSyslogSink(tcp(listener.port), sinkConfig(), logger);
    const batch = [{ text: 'first' }, { text: 'broken\nline', eventId: '42' }, { text: 'third' }];
    await expect(sink.deliver(batch)).rejects.toMatchObject({ code: 'SEG_ERR_FORMAT', permanent: true });
    await listener.waitFor(2);
    expect(listener.messages).toEqual(['first', 'third']);
    expect((sink.stats() as SyslogSinkStats).rejected).toBe(1);
    const entry = logger.entries.find((e) => e.msg === 'lines refused by the sink: they can never be sent');
    expect(entry).toMatchObject({ level: 'error', refused: 1, lines: [{ index: 1, eventId: '42', problem: 'raw LF at character 6' }] });
    // The log names the problem, never the line's text.
    expect(JSON.stringify(logger.entries)).not.toContain('broken');
    await sink.close(1_000);
    await listener.close();
  });

  it('close() drains what is queued, ends the connection and refuses further batches', async () => {
    const listener = await startStreamListener({ framing: 'lf' });
    const sink = createSyslogSink(tcp(listener.port), sinkConfig(), createMemoryLogger());
    const pending = track(sink.deliver(lines(0, 2_000)));
    const report = await sink.close(5_000);
    expect(report).toEqual({ delivered: 2_000, undelivered: 0 });
    expect(pending.state).toBe('resolved');
    await listener.waitFor(2_000);
    await expect(sink.deliver(lines(0, 1))).rejects.toMatchObject({ code: 'SEG_ERR_SINK_CLOSED' });
    await listener.close();
  });
});

describe('syslog+tls', () => {
  it('defaults to octet counting, verifies the server against the CA and sends no SNI for an IP', async () => {
    const listener = await tlsListener('octet');
    const sink = createSyslogSink(tls(listener.port), sinkConfig({ tls: { ...sinkConfig().tls, ca: pki.caCert } }), createMemoryLogger());
    const sent = [...lines(0, 500, 20), { text: numberedLine(500, 70_000) }];
    await sink.deliver(sent);
    await listener.waitFor(sent.length);
    expect(listener.errors).toEqual([]);
    expect(listener.messages).toEqual(sent.map((l) => l.text));
    expect(listener.connections[0]!.servername).toBe(false);
    expect(sink.name).toBe(`syslog+tls://127.0.0.1:${listener.port}`);
    await sink.close(1_000);
    await listener.close();
  });

  it('sends the configured server name as SNI and checks the certificate against it', async () => {
    const listener = await tlsListener('octet');
    const cfg = sinkConfig({ tls: { ...sinkConfig().tls, ca: pki.caCert, serverName: 'localhost' } });
    const sink = createSyslogSink(tls(listener.port), cfg, createMemoryLogger());
    await sink.deliver(lines(0, 3));
    await listener.waitFor(3);
    expect(listener.connections[0]!.servername).toBe('localhost');
    await sink.close(1_000);
    await listener.close();
  });
});
