/**
 * The shared-key handshake of the Forward server (spec "Handshake Messages"): HELO carries a
 * 16-byte nonce; a PING whose sha512 digest matches gets a PONG that proves the server holds
 * the key too; a wrong key, events before PING, or no PING at all close the connection. The
 * PING is built here the way Fluent Bit builds it: a random binary salt packed as str.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FORWARD_SERVER_TUNING, startForwardServer, type ForwardServerHandle } from '../../../plugin/inputs/forward/forward-server.js';
import { fakePipeline, logged, portOf, serveConfig, type FakePipeline } from '../../helpers/forward-fakes.js';
import {
  TestForwardClient,
  arrayHeader,
  concat,
  messageFrame,
  newChunkId,
  sha512Hex,
  strHeader,
  text,
  time,
  value,
} from '../../helpers/forward-frames.js';

const KEY = 'correct horse battery staple';
let pipeline: FakePipeline;
let server: ForwardServerHandle;
let client: TestForwardClient;

beforeEach(async () => {
  pipeline = fakePipeline();
  server = await startForwardServer(pipeline, serveConfig({ forwardSharedKey: KEY }), { ...DEFAULT_FORWARD_SERVER_TUNING, handshakeTimeoutMs: 300 });
  client = await TestForwardClient.connect({ port: portOf(server.address) });
});

afterEach(async () => {
  client.close();
  await server.shutdown(1000);
});

interface Helo {
  nonce: Uint8Array;
}

async function readHelo(): Promise<Helo> {
  const helo = (await client.response(1)) as [Uint8Array, { nonce: Uint8Array; auth: Uint8Array; keepalive: boolean }];
  expect(text(helo[0])).toBe('HELO');
  expect(helo[1].nonce).toHaveLength(16);
  expect(text(helo[1].auth)).toBe(''); // no user authentication
  expect(helo[1].keepalive).toBe(true);
  return { nonce: helo[1].nonce };
}

/** `["PING", hostname, salt (raw bytes as str), digest, "", ""]`. */
function ping(hostname: string, salt: Buffer, digest: string): Buffer {
  return concat(arrayHeader(6), value('PING'), value(hostname), strHeader(salt.length), salt, value(digest), value(''), value(''));
}

describe('Forward server: shared-key handshake', () => {
  it('accepts the right key, proves its own knowledge of it, then takes events', async () => {
    const { nonce } = await readHelo();
    const salt = randomBytes(16);
    client.send(ping('fluent-bit-host', salt, sha512Hex(salt, 'fluent-bit-host', nonce, KEY)));
    const pong = (await client.response(2)) as [Uint8Array, boolean, Uint8Array, Uint8Array, Uint8Array];
    expect(text(pong[0])).toBe('PONG');
    expect(pong[1]).toBe(true);
    expect(text(pong[2])).toBe('');
    expect(text(pong[4])).toBe(sha512Hex(salt, pong[3], nonce, KEY));

    const chunk = newChunkId();
    client.send(messageFrame('t', time('int', 1), { msg: 'authenticated' }, { chunk }));
    await client.response(3);
    expect(client.acks()).toEqual([chunk]);
    expect(pipeline.sink.delivered.map((l) => l.text)).toEqual(['msg=authenticated']);
  });

  it('refuses a wrong key with a PONG false, then disconnects', async () => {
    const { nonce } = await readHelo();
    const salt = randomBytes(16);
    client.send(ping('intruder', salt, sha512Hex(salt, 'intruder', nonce, 'wrong key')));
    client.send(messageFrame('t', time('int', 1), { msg: 'sneaky' }, { chunk: newChunkId() }));
    await client.closed;
    const pong = client.responses[1] as [Uint8Array, boolean, Uint8Array];
    expect(pong[1]).toBe(false);
    expect(text(pong[2])).toBe('shared_key mismatch');
    expect(client.responses).toHaveLength(2);
    expect(pipeline.processor.seen).toEqual([]);
    expect(logged(pipeline, 'shared key mismatch')).toHaveLength(1);
  });

  it('closes a connection that sends events instead of PING', async () => {
    await readHelo();
    client.send(messageFrame('t', time('int', 1), { msg: 'no auth' }, { chunk: newChunkId() }));
    await client.closed;
    expect(client.responses).toHaveLength(1);
    expect(pipeline.processor.seen).toEqual([]);
    expect(logged(pipeline, 'expected PING after HELO')).toHaveLength(1);
  });

  it('closes a connection that never answers HELO', async () => {
    await readHelo();
    await client.closed;
    expect(logged(pipeline, 'no PING within 300 ms')).toHaveLength(1);
  });
});
