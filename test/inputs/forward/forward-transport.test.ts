/**
 * Where and how the Forward server listens, and how it stops: TLS, TLS with mandatory
 * client certificates, unix sockets (a stale socket file left by a killed process is
 * replaced, a regular file never is), and a shutdown that lets the request in flight finish
 * and be acked, or cuts it at the deadline.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FORWARD_SERVER_TUNING, startForwardServer } from '../../../plugin/inputs/forward/forward-server.js';
import { makeTestPki, type TestPki } from '../../helpers/certs.js';
import { fakePipeline, logged, portOf, serveConfig } from '../../helpers/forward-fakes.js';
import { TestForwardClient, messageFrame, newChunkId, time } from '../../helpers/forward-frames.js';

let pki: TestPki;
let dir: string;

beforeAll(() => {
  pki = makeTestPki();
  dir = mkdtempSync(join(tmpdir(), 'segura-forward-'));
});

afterAll(() => {
  pki.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function roundTrip(client: TestForwardClient, msg: string): Promise<string[]> {
  const chunk = newChunkId();
  client.send(messageFrame('t', time('int', 1), { msg }, { chunk }));
  await client.response(client.responses.length + 1);
  expect(client.acks().at(-1)).toBe(chunk);
  return client.acks();
}

describe('Forward server: transports', () => {
  it('serves TLS', async () => {
    const pipeline = fakePipeline();
    const server = await startForwardServer(pipeline, serveConfig({ tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: undefined } }));
    const client = await TestForwardClient.connect({ port: portOf(server.address) }, { ca: readFileSync(pki.caCert), servername: 'localhost' });
    await roundTrip(client, 'over tls');
    expect(pipeline.sink.delivered.map((l) => l.text)).toEqual(['msg=over tls']);
    client.close();
    await server.shutdown(1000);
  });

  it('requires a client certificate signed by the client CA when one is configured', async () => {
    const pipeline = fakePipeline();
    const server = await startForwardServer(pipeline, serveConfig({ tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.caCert } }));
    const port = portOf(server.address);
    const ca = readFileSync(pki.caCert);

    const withCert = await TestForwardClient.connect({ port }, { ca, servername: 'localhost', cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) });
    await roundTrip(withCert, 'mutual');

    // TLS 1.3 finishes the client side before the server checks the certificate: the server
    // then drops the connection, and nothing sent is processed.
    const without = await TestForwardClient.connect({ port }, { ca, servername: 'localhost' }).catch(() => undefined);
    if (without !== undefined) {
      without.send(messageFrame('t', time('int', 1), { msg: 'anonymous' }, { chunk: newChunkId() }));
      await without.closed;
      expect(without.responses).toEqual([]);
    }
    expect(pipeline.sink.delivered.map((l) => l.text)).toEqual(['msg=mutual']);
    expect(logged(pipeline, 'TLS handshake failed').length).toBeGreaterThan(0);
    withCert.close();
    await server.shutdown(1000);
  });

  it('serves a unix socket and replaces a stale socket file left by a killed process', async () => {
    const path = join(dir, 'stale.sock');
    // A child listens on the path, then dies without cleaning up.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    await new Promise((r) => child.once('exit', r));
    const pipeline = fakePipeline();
    const server = await startForwardServer(pipeline, serveConfig({ forward: `unix://${path}` }));
    expect(server.address).toBe(`unix://${path}`);
    const client = await TestForwardClient.connect({ path });
    await roundTrip(client, 'local');
    client.close();
    await server.shutdown(1000);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses to take over a path that is a regular file', async () => {
    const path = join(dir, 'not-a-socket');
    writeFileSync(path, 'precious');
    await expect(startForwardServer(fakePipeline(), serveConfig({ forward: `unix://${path}` }))).rejects.toMatchObject({ code: 'SEG_ERR_CONFIG' });
    expect(readFileSync(path, 'utf8')).toBe('precious');
  });
});

describe('Forward server: connection limit', () => {
  it('closes connections beyond the limit and logs it, serving the ones within', async () => {
    const pipeline = fakePipeline();
    const server = await startForwardServer(pipeline, serveConfig(), { ...DEFAULT_FORWARD_SERVER_TUNING, maxConnections: 1 });
    const port = portOf(server.address);
    const first = await TestForwardClient.connect({ port });
    await roundTrip(first, 'first'); // the server has counted it
    const second = await TestForwardClient.connect({ port });
    await second.closed;
    expect(logged(pipeline, 'connection refused: already 1 connections')).toHaveLength(1);
    await roundTrip(first, 'still served');
    first.close();
    await server.shutdown(1000);
  });
});

describe('Forward server: shutdown', () => {
  it('stops accepting, lets the request in flight be acked, then closes the connection', async () => {
    const pipeline = fakePipeline();
    pipeline.sink.mode = 'gate';
    const server = await startForwardServer(pipeline, serveConfig());
    const port = portOf(server.address);
    const client = await TestForwardClient.connect({ port });
    const chunk = newChunkId();
    client.send(messageFrame('t', time('int', 1), { msg: 'in flight' }, { chunk }));
    const call = await pipeline.sink.call(1);

    const stopped = server.shutdown(10_000);
    const refused = await new Promise<boolean>((resolve) => {
      const probe = connect({ host: '127.0.0.1', port }, () => {
        probe.destroy();
        resolve(false);
      });
      probe.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);

    call.resolve();
    await client.closed;
    expect(client.acks()).toEqual([chunk]);
    await stopped;
  });

  it('cuts a request that is still in flight at the deadline, without an ack', async () => {
    const pipeline = fakePipeline();
    pipeline.sink.mode = 'gate';
    const server = await startForwardServer(pipeline, serveConfig());
    const client = await TestForwardClient.connect({ port: portOf(server.address) });
    client.send(messageFrame('t', time('int', 1), { msg: 'stuck' }, { chunk: newChunkId() }));
    await pipeline.sink.call(1);
    await server.shutdown(50);
    await client.closed;
    expect(client.responses).toEqual([]);
  });
});
