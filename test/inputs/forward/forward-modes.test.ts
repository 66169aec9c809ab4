/**
 * The Forward server over a real TCP socket, fed frames built byte by byte: every event mode,
 * both entry shapes, integer and both EventTime encodings, gzip with several members, records
 * with bin values and bin keys, heartbeats, and per-record failures that do not hold the ack.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startForwardServer, type ForwardServerHandle } from '../../../plugin/inputs/forward/forward-server.js';
import { fakePipeline, portOf, serveConfig, type FakePipeline } from '../../helpers/forward-fakes.js';
import {
  NIL,
  concat,
  strHeader,
  TestForwardClient,
  compressedFrame,
  entry,
  forwardFrame,
  messageFrame,
  newChunkId,
  packedFrame,
  rawMap,
  text,
  time,
  value,
  type EntryShape,
  type TimeForm,
} from '../../helpers/forward-frames.js';

let pipeline: FakePipeline;
let server: ForwardServerHandle;
let client: TestForwardClient;

beforeEach(async () => {
  pipeline = fakePipeline();
  server = await startForwardServer(pipeline, serveConfig());
  client = await TestForwardClient.connect({ port: portOf(server.address) });
});

afterEach(async () => {
  client.close();
  await server.shutdown(1000);
});

/** Sends a frame with a chunk id and waits for its ack. */
async function sendAcked(build: (chunk: string) => Buffer): Promise<string> {
  const chunk = newChunkId();
  client.send(build(chunk));
  const ack = (await client.response()) as { ack: Uint8Array };
  expect(text(ack.ack)).toBe(chunk);
  return chunk;
}

const TIMES: TimeForm[] = ['int', 'fixext8', 'ext8'];
const SHAPES: EntryShape[] = ['plain', 'v5'];

describe('Forward server: event modes', () => {
  it.each(TIMES)('Message mode with %s time', async (form) => {
    const chunk = await sendAcked((c) => messageFrame('segura.raw', time(form, 1_700_000_000, 5), { msg: 'one', id: '336.501' }, { chunk: c }));
    expect(pipeline.processor.seen.map((r) => r.data)).toEqual([{ msg: 'one', id: '336.501' }]);
    expect(pipeline.processor.seen[0]!.origin).toBe(`forward:segura.raw#${chunk}:0`);
    expect(pipeline.sink.delivered).toEqual([{ text: 'msg=one', eventId: '336.501', severity: undefined, host: undefined }]);
  });

  for (const shape of SHAPES) {
    it.each(TIMES)(`Forward mode, ${shape} entries, %s time`, async (form) => {
      const entries = [0, 1, 2].map((i) => entry(time(form, 1_700_000_000 + i, i), { msg: `m${i}` }, shape, { otlp: { n: i } }));
      await sendAcked((c) => forwardFrame('segura.raw', entries, { chunk: c, size: 3, fluent_signal: 0 }));
      expect(pipeline.processor.seen.map((r) => r.data.msg)).toEqual(['m0', 'm1', 'm2']);
      expect(pipeline.sink.calls).toHaveLength(1); // one request, one batch
      expect(pipeline.sink.delivered.map((l) => l.text)).toEqual(['msg=m0', 'msg=m1', 'msg=m2']);
    });
  }

  it.each(['bin', 'str'] as const)('PackedForward with the entry stream as %s', async (as) => {
    const entries = [entry(time('fixext8', 1, 0), { msg: 'a' }, 'v5'), entry(time('int', 2), { msg: 'b' }), entry(time('ext8', 3, 9), { msg: 'c' })];
    await sendAcked((c) => packedFrame('t', entries, { chunk: c }, as));
    expect(pipeline.sink.delivered.map((l) => l.text)).toEqual(['msg=a', 'msg=b', 'msg=c']);
  });

  it.each([1, 3])('CompressedPackedForward in %i gzip member(s)', async (members) => {
    const entries = Array.from({ length: 6 }, (_, i) => entry(time('fixext8', 10 + i), { msg: `z${i}` }, i % 2 === 0 ? 'v5' : 'plain'));
    await sendAcked((c) => compressedFrame('t', entries, { chunk: c, size: 6 }, members));
    expect(pipeline.sink.delivered.map((l) => l.text)).toEqual(['msg=z0', 'msg=z1', 'msg=z2', 'msg=z3', 'msg=z4', 'msg=z5']);
  });

  it('processes requests without a chunk but does not answer them', async () => {
    client.send(forwardFrame('t', [entry(time('int', 1), { msg: 'quiet' })]));
    await sendAcked((c) => messageFrame('t', time('int', 2), { msg: 'loud' }, { chunk: c }));
    expect(client.responses).toHaveLength(1);
    expect(pipeline.sink.delivered.map((l) => l.text)).toEqual(['msg=quiet', 'msg=loud']);
    expect(pipeline.processor.seen[0]!.origin).toMatch(/^forward:t#\d+\.1:0$/);
  });

  it('treats nil as a heartbeat', async () => {
    client.send(NIL);
    client.send(NIL);
    await sendAcked((c) => messageFrame('t', time('int', 1), { msg: 'after' }, { chunk: c }));
    expect(pipeline.sink.delivered.map((l) => l.text)).toEqual(['msg=after']);
  });

  it('reads bin values and bin keys as UTF-8 text, at any depth', async () => {
    const record = rawMap([
      [value(Buffer.from('msg')), value(Buffer.from('sen\u00e7a'))],
      [value('nested'), value({ list: [Buffer.from('x'), 1] })],
    ]);
    await sendAcked((c) => messageFrame('t', time('int', 1), record, { chunk: c }));
    expect(pipeline.processor.seen[0]!.data).toEqual({ msg: 'sen\u00e7a', nested: { list: ['x', 1] } });
  });

  it('fails bad records one by one and still acks the chunk', async () => {
    const entries = [
      entry(time('int', 1), { msg: 'ok1' }),
      entry(time('int', 1), { msg: 'x', fail: true }), // the processor refuses it
      entry(time('int', 1), 'not a map'),
      Buffer.concat([Buffer.from([0x91]), value(1)]), // [1]: not [time, record]
      entry(value('noon'), { msg: 'bad time' }),
      entry(time('int', 1), { msg: Buffer.from([0xff, 0xfe]) }), // invalid UTF-8 in a bin value
      entry(time('int', 1), rawMap([[value('msg'), concat(strHeader(2), Buffer.from([0xc3, 0x28]))]])), // and in a str value
      entry(time('int', 1), { msg: 'ok2' }),
    ];
    const chunk = await sendAcked((c) => forwardFrame('t', entries, { chunk: c }));
    expect(pipeline.sink.delivered.map((l) => l.text)).toEqual(['msg=ok1', 'msg=ok2']);
    expect(pipeline.failures.map((f) => [f.origin, f.error.code])).toEqual([
      [`forward:t#${chunk}:1`, 'SEG_ERR_FIELD'],
      [`forward:t#${chunk}:2`, 'SEG_ERR_NOT_OBJECT'],
      [`forward:t#${chunk}:3`, 'SEG_ERR_PROTOCOL'],
      [`forward:t#${chunk}:4`, 'SEG_ERR_PROTOCOL'],
      [`forward:t#${chunk}:5`, 'SEG_ERR_UTF8'],
      [`forward:t#${chunk}:6`, 'SEG_ERR_UTF8'],
    ]);
    expect(pipeline.metrics.total('recordsIn')).toBe(8);
    expect(pipeline.metrics.total('recordsOut')).toBe(2);
  });

  it('acks a chunk whose every record failed without calling the sink', async () => {
    await sendAcked((c) => forwardFrame('t', [entry(time('int', 1), { fail: true })], { chunk: c }));
    expect(pipeline.sink.calls).toHaveLength(0);
    expect(pipeline.failures).toHaveLength(1);
  });

  it('keeps the order of requests pipelined on one connection', async () => {
    const chunks = [newChunkId(), newChunkId(), newChunkId()];
    client.send(Buffer.concat(chunks.map((c, i) => messageFrame('t', time('int', i), { msg: `p${i}` }, { chunk: c }))));
    await client.response(3);
    expect(client.acks()).toEqual(chunks);
    expect(pipeline.sink.delivered.map((l) => l.text)).toEqual(['msg=p0', 'msg=p1', 'msg=p2']);
  });

  it('reassembles a frame sent one byte at a time', async () => {
    const chunk = newChunkId();
    const frame = forwardFrame('t', [entry(time('fixext8', 1, 2), { msg: 'slow' }, 'v5')], { chunk });
    for (const byte of frame) client.send(Buffer.from([byte]));
    expect(text(((await client.response()) as { ack: Uint8Array }).ack)).toBe(chunk);
    expect(pipeline.sink.delivered.map((l) => l.text)).toEqual(['msg=slow']);
  });
});
