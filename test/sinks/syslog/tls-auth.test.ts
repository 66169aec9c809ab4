/**
 * TLS trust for the syslog sink, with a CA, server, client and rogue certificates made by
 * openssl for this run: mutual TLS accepted, a server signed by an unknown CA or carrying the
 * wrong name refused (nothing delivered, the error reported), `insecure` as an explicit and
 * logged opt-out, and unreadable or half-given TLS files refused when the sink is built.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegError } from '../../../plugin/core/errors.js';
import { createMemoryLogger } from '../../../plugin/core/log.js';
import { createSyslogSink } from '../../../plugin/sinks/syslog/syslog-sink.js';
import { makeTestPki, type TestPki } from '../../helpers/certs.js';
import { startStreamListener } from '../../helpers/syslog-listener.js';
import { lines, sinkConfig, track, until } from './fixtures.js';
import type { TlsClientConfig } from '../../../plugin/config/schema.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

const tls = (port: number, host = '127.0.0.1') => ({ kind: 'syslog', transport: 'tls', host, port }) as const;
const tlsCfg = (t: Partial<TlsClientConfig>) => sinkConfig({ tls: { ...sinkConfig().tls, ...t } });

/** An octet-framed TLS listener that requires a client certificate signed by the test CA. */
function mutualTlsListener(): ReturnType<typeof startStreamListener> {
  return startStreamListener({
    framing: 'octet',
    tls: {
      key: readFileSync(pki.serverKey),
      cert: readFileSync(pki.serverCert),
      ca: readFileSync(pki.caCert),
      requestCert: true,
      rejectUnauthorized: true,
    },
  });
}

function firstError(sink: { onError?(l: (e: SegError) => void): void }): Promise<SegError> {
  return new Promise((resolve) => sink.onError!(resolve));
}

describe('mutual TLS', () => {
  it('a server that requires client certificates accepts ours', async () => {
    const listener = await mutualTlsListener();
    const cfg = tlsCfg({ ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey });
    const sink = createSyslogSink(tls(listener.port), cfg, createMemoryLogger());
    await sink.deliver(lines(0, 100));
    await listener.waitFor(100);
    expect(listener.connections[0]!.clientCn).toBe('segura-siem-test-client');
    expect(listener.messages).toEqual(lines(0, 100).map((l) => l.text));
    expect(listener.handshakeErrors).toEqual([]);
    await sink.close(1_000);
    await listener.close();
  });

  it('the same server turns away a client without a certificate, and the sink reports it', async () => {
    const listener = await mutualTlsListener();
    const logger = createMemoryLogger();
    const sink = createSyslogSink(tls(listener.port), tlsCfg({ ca: pki.caCert }), logger);
    const errors: SegError[] = [];
    sink.onError!((e) => errors.push(e));
    // TLS 1.3 lets the client finish its handshake before the server rejects it; the sink
    // waits for the server's session ticket, so no line is counted as delivered here.
    const attempt = track(sink.deliver(lines(0, 5)));
    await until(() => errors.length >= 3, 'three failed attempts');
    expect(errors[0]!.code).toBe('SEG_ERR_SINK_UNAVAILABLE');
    expect(errors[0]!.message).toMatch(/certificate required/);
    expect(listener.handshakeErrors.length).toBeGreaterThan(0);
    expect(listener.messages).toEqual([]);
    expect(listener.connections).toEqual([]);
    expect(attempt.state).toBe('pending');
    expect(sink.stats()).toMatchObject({ delivered: 0, queueDepth: 5, reconnects: 0 });
    const logged = logger.entries.find((e) => e.code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    expect(String(logged?.hint)).toMatch(/client certificate/);
    expect(await sink.close(0)).toEqual({ delivered: 0, undelivered: 5 });
    await listener.close();
  });
});

describe('server verification', () => {
  it('refuses a server whose certificate comes from an unknown CA: nothing is delivered, the error is reported', async () => {
    const listener = await startStreamListener({
      framing: 'octet',
      tls: { key: readFileSync(pki.rogueServerKey), cert: readFileSync(pki.rogueServerCert) },
    });
    const logger = createMemoryLogger();
    const sink = createSyslogSink(tls(listener.port), tlsCfg({ ca: pki.caCert }), logger);
    const errors: SegError[] = [];
    sink.onError!((e) => errors.push(e));
    const attempt = track(sink.deliver(lines(0, 10)));
    // Three attempts (10-100 ms apart): retrying never delivers to an untrusted server.
    await until(() => errors.length >= 3, 'three failed attempts');
    for (const error of errors) {
      expect(error).toMatchObject({ code: 'SEG_ERR_SINK_UNAVAILABLE', permanent: false });
      expect(error.message).toMatch(/certificate/i);
    }
    expect(attempt.state).toBe('pending');
    expect(sink.stats()).toMatchObject({ delivered: 0, queueDepth: 10 });
    const logged = logger.entries.find((e) => String(e.msg).startsWith('cannot connect'))!;
    expect(logged).toMatchObject({ level: 'error', sink: `syslog+tls://127.0.0.1:${listener.port}` });
    expect(String(logged.hint)).toMatch(/not trusted/);
    expect(listener.messages).toEqual([]);

    const report = await sink.close(50);
    expect(report).toEqual({ delivered: 0, undelivered: 10 });
    await until(() => attempt.state !== 'pending', 'the batch to settle');
    expect(attempt.error?.code).toBe('SEG_ERR_SINK_CLOSED');
    await listener.close();
  });

  it('refuses a trusted certificate issued for another name', async () => {
    const listener = await startStreamListener({
      framing: 'octet',
      tls: { key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert) },
    });
    const sink = createSyslogSink(tls(listener.port), tlsCfg({ ca: pki.caCert, serverName: 'siem.example.org' }), createMemoryLogger());
    const failed = firstError(sink);
    const attempt = track(sink.deliver(lines(0, 1)));
    const error = await failed;
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(attempt.state).toBe('pending');
    expect(listener.messages).toEqual([]);
    await sink.close(0);
    await listener.close();
  });

  it('insecure: connects to the unknown server only when explicitly asked, with a warning', async () => {
    const listener = await startStreamListener({
      framing: 'octet',
      tls: { key: readFileSync(pki.rogueServerKey), cert: readFileSync(pki.rogueServerCert) },
    });
    const logger = createMemoryLogger();
    const sink = createSyslogSink(tls(listener.port), tlsCfg({ insecure: true }), logger);
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/verification is OFF/) }));
    await sink.deliver(lines(0, 3));
    await listener.waitFor(3);
    await sink.close(1_000);
    await listener.close();
  });
});

describe('TLS configuration', () => {
  it('a missing CA file is a configuration error when the sink is built', () => {
    expect(() => createSyslogSink(tls(6514), tlsCfg({ ca: `${pki.dir}/nope.pem` }), createMemoryLogger())).toThrow(
      expect.objectContaining({ code: 'SEG_ERR_CONFIG', permanent: true }),
    );
  });

  it('a key file that is not a key is a configuration error, not a retry loop', () => {
    expect(() =>
      createSyslogSink(tls(6514), tlsCfg({ ca: pki.caCert, cert: pki.clientCert, key: pki.caCert }), createMemoryLogger()),
    ).toThrow(expect.objectContaining({ code: 'SEG_ERR_CONFIG', message: expect.stringMatching(/unusable TLS files/) }));
  });

  it('a client certificate without its key is a configuration error', () => {
    expect(() => createSyslogSink(tls(6514), tlsCfg({ cert: pki.clientCert }), createMemoryLogger())).toThrow(
      expect.objectContaining({ code: 'SEG_ERR_CONFIG' }),
    );
  });
});
