/**
 * TLS and mutual TLS on the main gRPC port, with certificates made by openssl for this run
 * (test/helpers/certs.ts): a client trusting our CA is served; with `--tls-client-ca`, a
 * client without a certificate or with one from another CA is refused during the
 * handshake. The plaintext guard refuses a non-loopback address unless --plaintext.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { makeTestPki, type TestPki } from '../../helpers/certs.js';
import { Clients, failure, insecure, makePipeline, seguraRecord, serveConfig, startTestServer, unary } from './support.js';
import { startGrpcServer } from '../../../plugin/inputs/grpc/grpc-server.js';
import { RecordingSink } from '../../helpers/recording-sink.js';

let pki: TestPki;
/** A client certificate (clientAuth) issued by the rogue CA: right kind, wrong issuer. */
let rogueClient: { cert: string; key: string };

beforeAll(() => {
  pki = makeTestPki();
  const at = (f: string) => join(pki.dir, f);
  writeFileSync(at('rogue-client.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: pki.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', 'rogue-client.key', '-out', 'rogue-client.csr', '-subj', '/CN=segura-siem-test-client']);
  openssl(['x509', '-req', '-in', 'rogue-client.csr', '-CA', 'rogue-ca.pem', '-CAkey', 'rogue-ca.key', '-CAcreateserial',
    '-out', 'rogue-client.pem', '-days', '2', '-extfile', 'rogue-client.ext']);
  rogueClient = { cert: at('rogue-client.pem'), key: at('rogue-client.key') };
});

afterAll(() => pki.cleanup());

const read = (p: string) => readFileSync(p);
const formatOne = { records: [{ json: JSON.stringify(seguraRecord(1)) }] };

describe('TLS', () => {
  it('serves a client that trusts the server CA, and refuses a plaintext client', async () => {
    const s = await startTestServer({ tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: undefined } });
    const port = s.handle.address.split(':').pop();
    const tls = new (Clients.Formatter())(`localhost:${port}`, grpc.credentials.createSsl(read(pki.caCert)));
    const plain = new (Clients.Formatter())(`localhost:${port}`, insecure());
    const rogue = new (Clients.Formatter())(`localhost:${port}`, grpc.credentials.createSsl(read(pki.rogueCaCert)));
    try {
      const res = await unary<{ results: Array<{ line?: string }> }>(tls, 'Format', formatOne);
      expect(res.results[0]!.line).toContain('msg=session 1');
      expect((await failure(unary(plain, 'Format', formatOne, { deadline: 3000 }))).code).toBe(grpc.status.UNAVAILABLE);
      // A client that does not trust our CA refuses the server.
      expect((await failure(unary(rogue, 'Format', formatOne, { deadline: 3000 }))).code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      for (const c of [tls, plain, rogue]) c.close();
      await s.handle.shutdown(1000);
    }
  });

  it('with a client CA, requires a client certificate chaining to it', async () => {
    const s = await startTestServer({ tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.caCert } });
    const target = `localhost:${s.handle.address.split(':').pop()}`;
    const good = new (Clients.Formatter())(target, grpc.credentials.createSsl(read(pki.caCert), read(pki.clientKey), read(pki.clientCert)));
    const none = new (Clients.Formatter())(target, grpc.credentials.createSsl(read(pki.caCert)));
    const wrong = new (Clients.Formatter())(
      target,
      grpc.credentials.createSsl(read(pki.caCert), read(rogueClient.key), read(rogueClient.cert)),
    );
    try {
      const res = await unary<{ results: Array<{ line?: string }> }>(good, 'Format', formatOne);
      expect(res.results[0]!.line).toContain('msg=session 1');
      expect((await failure(unary(none, 'Format', formatOne, { deadline: 3000 }))).code).toBe(grpc.status.UNAVAILABLE);
      expect((await failure(unary(wrong, 'Format', formatOne, { deadline: 3000 }))).code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      for (const c of [good, none, wrong]) c.close();
      await s.handle.shutdown(1000);
    }
  });
});

describe('plaintext guard', () => {
  it('refuses plaintext on a non-loopback address unless --plaintext is given', async () => {
    const { pipeline } = makePipeline(new RecordingSink());
    await expect(startGrpcServer(pipeline, serveConfig({ grpc: '0.0.0.0:0' }))).rejects.toThrow(/not loopback or a unix socket/);
    const allowed = await startGrpcServer(pipeline, serveConfig({ grpc: '0.0.0.0:0', plaintext: true }));
    const c = new (Clients.Formatter())(`127.0.0.1:${allowed.address.split(':').pop()}`, insecure());
    try {
      await unary(c, 'Format', formatOne);
    } finally {
      c.close();
      await allowed.shutdown(1000);
    }
  });
});
