/**
 * When the Forward server acks: only after the sink accepted every line of the chunk; never
 * when the sink refuses (the connection is closed so the client retries at once); a retry
 * after the outage succeeds; and a connection holds its next request until the one in
 * flight is settled.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SegError } from '../../../plugin/core/errors.js';
import { startForwardServer, type ForwardServerHandle } from '../../../plugin/inputs/forward/forward-server.js';
import { fakePipeline, logged, portOf, serveConfig, type FakePipeline } from '../../helpers/forward-fakes.js';
import { TestForwardClient, entry, forwardFrame, messageFrame, newChunkId, time } from '../../helpers/forward-frames.js';

let pipeline: FakePipeline;
let server: ForwardServerHandle;
const clients: TestForwardClient[] = [];

async function connect(): Promise<TestForwardClient> {
  const c = await TestForwardClient.connect({ port: portOf(server.address) });
  clients.push(c);
  return c;
}

/** Lets the server run long enough that an early ack, if it were written, would have arrived. */
function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 50));
}

beforeEach(async () => {
  pipeline = fakePipeline();
  server = await startForwardServer(pipeline, serveConfig());
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.shutdown(1000);
});

const frame = (chunk: string, msg = 'x') => forwardFrame('segura.raw', [entry(time('fixext8', 1), { msg }, 'v5')], { chunk, size: 1 });

describe('Forward server: acknowledgements', () => {
  it('acks only after the sink resolved the delivery', async () => {
    pipeline.sink.mode = 'gate';
    const client = await connect();
    const chunk = newChunkId();
    client.send(frame(chunk));
    const call = await pipeline.sink.call(1);
    await settle();
    expect(client.responses).toEqual([]); // delivery pending: no ack yet
    call.resolve();
    await client.response(1);
    expect(client.acks()).toEqual([chunk]);
  });

  it('does not ack, and closes the connection, when the sink refuses', async () => {
    pipeline.sink.mode = 'reject';
    const client = await connect();
    client.send(frame(newChunkId()));
    await client.closed;
    expect(client.responses).toEqual([]);
    const [entry] = logged(pipeline, 'closing connection: sink did not accept 1 lines');
    expect(entry).toMatchObject({ level: 'warn', code: 'SEG_ERR_SINK_UNAVAILABLE', retryable: true });
    expect(pipeline.metrics.calls.filter((c) => c.kind === 'recordsFailed').map((c) => c.args)).toEqual([['forward', 'SEG_ERR_SINK_UNAVAILABLE', 1]]);
  });

  it('acks the same chunk when the client retries after the outage', async () => {
    pipeline.sink.mode = 'reject';
    const chunk = newChunkId();
    const first = await connect();
    first.send(frame(chunk, 'retried'));
    await first.closed;
    pipeline.sink.mode = 'accept';
    const second = await connect();
    second.send(frame(chunk, 'retried'));
    await second.response(1);
    expect(second.acks()).toEqual([chunk]);
    expect(pipeline.sink.calls.map((c) => c.lines.map((l) => l.text))).toEqual([['msg=retried'], ['msg=retried']]);
  });

  it('holds the next request of a connection until the one in flight is settled', async () => {
    pipeline.sink.mode = 'gate';
    const client = await connect();
    const [a, b] = [newChunkId(), newChunkId()];
    client.send(Buffer.concat([frame(a, 'a'), frame(b, 'b')]));
    const first = await pipeline.sink.call(1);
    await settle();
    expect(pipeline.sink.calls).toHaveLength(1); // b waits while a is in flight
    first.resolve();
    (await pipeline.sink.call(2)).resolve();
    await client.response(2);
    expect(client.acks()).toEqual([a, b]);
  });

  it('serves other connections while one waits for its sink delivery', async () => {
    pipeline.sink.mode = 'gate';
    const slow = await connect();
    slow.send(frame(newChunkId(), 'slow'));
    const slowCall = await pipeline.sink.call(1);
    const fast = await connect();
    const chunk = newChunkId();
    fast.send(messageFrame('t', time('int', 1), { msg: 'fast' }, { chunk }));
    (await pipeline.sink.call(2)).resolve();
    await fast.response(1);
    expect(fast.acks()).toEqual([chunk]);
    expect(slow.responses).toEqual([]);
    slowCall.reject(new SegError('SEG_ERR_SINK_FULL', 'full'));
    await slow.closed;
    expect(slow.responses).toEqual([]);
  });
});
