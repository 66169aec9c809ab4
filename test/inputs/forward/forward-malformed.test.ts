/**
 * Bad input on one Forward connection closes that connection with a logged reason and
 * nothing else: malformed msgpack, requests that are not arrays, unknown modes, bad
 * options, unsupported compression or signals, broken gzip, oversized frames (refused from
 * the header, before the payload arrives) and decompression bombs.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startForwardServer, type ForwardServerHandle } from '../../../plugin/inputs/forward/forward-server.js';
import { fakePipeline, logged, portOf, serveConfig, type FakePipeline } from '../../helpers/forward-fakes.js';
import {
  TestForwardClient,
  arrayHeader,
  binHeader,
  concat,
  entry,
  forwardFrame,
  messageFrame,
  newChunkId,
  packedFrame,
  text,
  time,
  value,
} from '../../helpers/forward-frames.js';

const MAX = 4096;
let pipeline: FakePipeline;
let server: ForwardServerHandle;
/** A connection opened before every bad one; it must keep working. */
let bystander: TestForwardClient;

beforeAll(async () => {
  pipeline = fakePipeline();
  server = await startForwardServer(pipeline, serveConfig({ maxMessageBytes: MAX }));
  bystander = await TestForwardClient.connect({ port: portOf(server.address) });
});

afterAll(async () => {
  bystander.close();
  await server.shutdown(1000);
});

const ok = (msg: string) => forwardFrame('t', [entry(time('int', 1), { msg })]);
const bigEntries = (n: number) => Array.from({ length: n }, (_, i) => entry(time('int', i), { msg: 'y'.repeat(200) }));

const CASES: Array<[string, Buffer, string]> = [
  ['a never-used type byte', Buffer.from([0xc1]), 'is not a valid type'],
  ['a map instead of an array', value({ tag: 't' }), 'request is a map, not an array'],
  ['JSON text', Buffer.from('{"tag":"t"}'), 'not an array'],
  ['a one-element array', concat(arrayHeader(1), value('t')), 'request array has 1 elements'],
  ['a tag that is not a string', concat(arrayHeader(2), value(7), arrayHeader(0)), 'tag is number'],
  ['an unknown mode (map as second element)', concat(arrayHeader(2), value('t'), value({ a: 1 })), 'unknown event mode'],
  ['options that are not a map', concat(arrayHeader(3), value('t'), arrayHeader(0), value('opts')), 'option is str/bin, expected a map'],
  ['a non-string chunk option', forwardFrame('t', [], { chunk: 12 }), 'option chunk is number'],
  ['zstd compression', packedFrame('t', [entry(time('int', 1), { msg: 'z' })], { compressed: 'zstd' }), 'compressed="zstd" is not supported'],
  ['compressed option on Forward mode', forwardFrame('t', [], { compressed: 'gzip' }), 'needs the entries as bin'],
  ['a metrics chunk', forwardFrame('t', [], { fluent_signal: 1 }), 'fluent_signal 1 is not a log chunk'],
  ['broken gzip', concat(arrayHeader(3), value('t'), value(Buffer.from('not gzip at all')), value({ compressed: 'gzip' })), 'not valid gzip'],
  ['a truncated PackedForward stream', concat(arrayHeader(2), value('t'), value(Buffer.from([0x92, 0x01]))), 'entry stream is not valid msgpack'],
  ['a frame declaring a huge bin', concat(arrayHeader(2), value('t'), binHeader(10 * MAX)), `over the limit of ${MAX} bytes`],
  ['an array declaring more elements than fit', concat(arrayHeader(2), value('t'), arrayHeader(MAX + 1)), `over the limit of ${MAX} bytes`],
  ['a Forward frame over the limit', forwardFrame('t', bigEntries(40)), `over the limit of ${MAX} bytes`],
  ['nesting deeper than 64', Buffer.alloc(70, 0x91), 'nesting deeper than 64'],
  [
    'gzip that inflates past the limit',
    concat(arrayHeader(3), value('t'), value(gzipSync(Buffer.alloc(8 * MAX + 1, 0xc0))), value({ compressed: 'gzip' })),
    `decompress to more than ${8 * MAX} bytes`,
  ],
];

describe('Forward server: malformed input', () => {
  it.each(CASES)('closes the connection on %s', async (_name, bytes, reason) => {
    const before = logged(pipeline, reason).length;
    const bad = await TestForwardClient.connect({ port: portOf(server.address) });
    bad.send(bytes);
    await bad.closed;
    expect(bad.responses).toEqual([]);
    expect(logged(pipeline, reason).length).toBe(before + 1);
    expect(logged(pipeline, reason).at(-1)).toMatchObject({ level: 'warn', code: 'SEG_ERR_PROTOCOL' });

    // The connection opened before the bad one still works.
    const chunk = newChunkId();
    bystander.send(messageFrame('t', time('int', 1), { msg: 'still here' }, { chunk }));
    const ack = (await bystander.response(bystander.responses.length + 1)) as { ack: Uint8Array };
    expect(text(ack.ack)).toBe(chunk);
  });

  it('refuses an oversized frame from its header, before the payload is sent', async () => {
    const bad = await TestForwardClient.connect({ port: portOf(server.address) });
    bad.send(concat(arrayHeader(2), value('t'), binHeader(100 * 1024 * 1024)));
    await bad.closed; // closed although only 12 bytes of a 100 MiB frame were sent
    expect(bad.isOpen).toBe(false);
  });

  it('processes the good requests that came before a bad one on the same connection', async () => {
    const c = await TestForwardClient.connect({ port: portOf(server.address) });
    const delivered = pipeline.sink.delivered.length;
    c.send(concat(ok('before'), Buffer.from([0xc1])));
    await c.closed;
    expect(pipeline.sink.delivered.slice(delivered).map((l) => l.text)).toEqual(['msg=before']);
  });
});
