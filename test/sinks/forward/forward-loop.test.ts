/**
 * Both directions end to end with the real implementations: the forward sink talking to the
 * Forward server over TLS with a shared key, and the loop a Fluent Bit deployment builds —
 * client → server A → forward sink → server B — where A acks its client only after B has
 * acked the sink (leg 1 is acknowledged only after leg 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSink, type SinkConfig } from '../../../plugin/config/schema.js';
import { createMemoryLogger } from '../../../plugin/core/log.js';
import { startForwardServer } from '../../../plugin/inputs/forward/forward-server.js';
import { createForwardSink } from '../../../plugin/sinks/forward/forward-sink.js';
import { makeTestPki, type TestPki } from '../../helpers/certs.js';
import { fakePipeline, fakeProcessor, portOf, recordingMetrics, serveConfig } from '../../helpers/forward-fakes.js';
import { TestForwardClient, entry, forwardFrame, newChunkId, time } from '../../helpers/forward-frames.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

function sinkConfig(url: string, forward: Partial<SinkConfig['forward']> = {}, tls: Partial<SinkConfig['tls']> = {}): SinkConfig {
  const base = defaultSink(url);
  return { ...base, reconnectMinMs: 10, reconnectMaxMs: 50, tls: { ...base.tls, ...tls }, forward: { ...base.forward, ...forward } };
}

describe('forward sink → Forward server', () => {
  it('delivers over TLS with a shared key; the server sees the routing fields', async () => {
    const receiving = fakePipeline();
    const server = await startForwardServer(
      receiving,
      serveConfig({ forward: 'localhost:0', forwardSharedKey: 'k3y', tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: undefined } }),
    );
    const sink = createForwardSink(
      { kind: 'forward', transport: 'tls', host: 'localhost', port: portOf(server.address) },
      sinkConfig('forward+tls://localhost:0', { sharedKey: 'k3y', tag: 'segura.cef' }, { ca: pki.caCert }),
      createMemoryLogger(),
    );
    await sink.deliver([
      { text: 'CEF:0|MT4|Segura|1|42|x|5|', eventId: '42', severity: '5', host: 'pam' },
      { text: 'second' },
    ]);
    expect(receiving.processor.seen.map((r) => r.data)).toEqual([
      { line: 'CEF:0|MT4|Segura|1|42|x|5|', event_id: '42', severity: '5', host: 'pam' },
      { line: 'second' },
    ]);
    expect(receiving.processor.seen[0]!.origin).toMatch(/^forward:segura\.cef#[A-Za-z0-9+/]{22}==:0$/);
    expect(await sink.close(1000)).toEqual({ delivered: 2, undelivered: 0 });
    await server.shutdown(1000);
  });

  it('presents its client certificate to a server that requires one', async () => {
    const receiving = fakePipeline();
    const server = await startForwardServer(receiving, serveConfig({ forward: 'localhost:0', tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.caCert } }));
    const target = { kind: 'forward', transport: 'tls', host: 'localhost', port: portOf(server.address) } as const;
    const withCert = createForwardSink(target, sinkConfig('forward+tls://localhost:0', {}, { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey }), createMemoryLogger());
    await withCert.deliver([{ text: 'mutual' }]);
    const without = createForwardSink(target, sinkConfig('forward+tls://localhost:0', { ackTimeoutMs: 100 }, { ca: pki.caCert }), createMemoryLogger());
    await expect(without.deliver([{ text: 'anonymous' }])).rejects.toMatchObject({ code: 'SEG_ERR_SINK_UNAVAILABLE' });
    expect(receiving.processor.seen.map((r) => r.data.line)).toEqual(['mutual']);
    await Promise.all([withCert.close(0), without.close(0)]);
    await server.shutdown(1000);
  });

  it('does not trust a TLS server outside its CA', async () => {
    const receiving = fakePipeline();
    const server = await startForwardServer(receiving, serveConfig({ forward: 'localhost:0', tls: { cert: pki.rogueServerCert, key: pki.rogueServerKey, clientCa: undefined } }));
    const sink = createForwardSink(
      { kind: 'forward', transport: 'tls', host: 'localhost', port: portOf(server.address) },
      sinkConfig('forward+tls://localhost:0', { ackTimeoutMs: 100 }, { ca: pki.caCert }),
      createMemoryLogger(),
    );
    await expect(sink.deliver([{ text: 'secret' }])).rejects.toMatchObject({ code: 'SEG_ERR_SINK_UNAVAILABLE' });
    expect(receiving.processor.seen).toEqual([]);
    await sink.close(0);
    await server.shutdown(1000);
  });
});

describe('the Fluent Bit loop: client → A → forward sink → B', () => {
  it('acks the client only after B accepted the lines', async () => {
    const b = fakePipeline();
    b.sink.mode = 'gate';
    const serverB = await startForwardServer(b, serveConfig());

    const logger = createMemoryLogger();
    const returnLeg = createForwardSink(
      { kind: 'forward', transport: 'tcp', host: '127.0.0.1', port: portOf(serverB.address) },
      sinkConfig('forward://127.0.0.1:0', { tag: 'segura.cef' }),
      logger,
    );
    const a = { processor: fakeProcessor(), sink: returnLeg, logger, metrics: recordingMetrics(), reportFailure: () => {} };
    const serverA = await startForwardServer(a, serveConfig());

    const client = await TestForwardClient.connect({ port: portOf(serverA.address) });
    const chunk = newChunkId();
    client.send(forwardFrame('segura.raw', [entry(time('fixext8', 1), { msg: 'loop', id: '7' }, 'v5')], { chunk, size: 1 }));

    const atB = await b.sink.call(1);
    expect(b.processor.seen.map((r) => r.data)).toEqual([{ line: 'msg=loop', event_id: '7' }]); // A's line, as a record
    await new Promise((r) => setTimeout(r, 50));
    expect(client.responses).toEqual([]); // B has not accepted yet: no ack on leg 1

    atB.resolve();
    await client.response(1);
    expect(client.acks()).toEqual([chunk]);

    client.close();
    await serverA.shutdown(1000);
    await returnLeg.close(1000);
    await serverB.shutdown(1000);
  });

  it('leaves leg 1 unacked and closed when B is down, and acks the retry once B is back', async () => {
    const b = fakePipeline();
    b.sink.mode = 'reject';
    const serverB = await startForwardServer(b, serveConfig());
    const logger = createMemoryLogger();
    const returnLeg = createForwardSink(
      { kind: 'forward', transport: 'tcp', host: '127.0.0.1', port: portOf(serverB.address) },
      sinkConfig('forward://127.0.0.1:0', { ackTimeoutMs: 200 }),
      logger,
    );
    const a = { processor: fakeProcessor(), sink: returnLeg, logger, metrics: recordingMetrics(), reportFailure: () => {} };
    const serverA = await startForwardServer(a, serveConfig());
    const chunk = newChunkId();
    const frame = forwardFrame('segura.raw', [entry(time('int', 1), { msg: 'retry me' })], { chunk });

    const first = await TestForwardClient.connect({ port: portOf(serverA.address) });
    first.send(frame);
    await first.closed;
    expect(first.responses).toEqual([]);

    b.sink.mode = 'accept';
    let acked = false;
    for (let attempt = 0; attempt < 50 && !acked; attempt++) {
      const retry = await TestForwardClient.connect({ port: portOf(serverA.address) });
      retry.send(frame);
      await Promise.race([retry.response(1).catch(() => undefined), retry.closed]);
      acked = retry.acks().includes(chunk);
      retry.close();
      if (!acked) await new Promise((r) => setTimeout(r, 50));
    }
    expect(acked).toBe(true);
    expect(b.processor.seen.map((r) => r.data.line)).toContain('msg=retry me');

    await serverA.shutdown(1000);
    await returnLeg.close(1000);
    await serverB.shutdown(1000);
  });
});
