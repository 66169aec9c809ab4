/**
 * segura.siem.v1.Formatter over real sockets with a grpc-js client built from
 * proto/segura/siem/v1/formatter.proto: per-record results in order, one bad record never
 * failing a batch, options per request, `deliver`, and FormatStream's ordering and flow
 * control (a client that writes fast and does not read cannot make the server read ahead).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { decodeCef } from '../../helpers/cef-decoder.js';
import { Clients, failure, insecure, seguraRecord, startTestServer, tempSocketPath, unary, type TestServer } from './support.js';

interface Result {
  id?: string;
  line?: string;
  error?: { code: string; field?: string; message: string };
  eventId?: string;
  severity?: string;
  outcome?: string;
}
interface FormatResponse {
  results: Result[];
  batchId?: string;
  formatted?: number;
  failed?: number;
}

const FORMAT_RFC5424 = 2;
const ENVELOPE_RFC5424 = 2;
const PROFILE_STRICT = 2;

/** A CEF line's extension pairs as an object. */
function ext(line: string): Record<string, string> {
  return Object.fromEntries(decodeCef(line).extensions);
}

let srv: TestServer;
let client: grpc.Client;

beforeAll(async () => {
  srv = await startTestServer();
  client = new (Clients.Formatter())(srv.handle.address, insecure());
});

afterAll(async () => {
  client.close();
  await srv.handle.shutdown(1000);
});

describe('Format', () => {
  it('answers one result per record, in order, and a bad record fails only itself', async () => {
    const res = await unary<FormatResponse>(client, 'Format', {
      batchId: 'b-1',
      records: [
        { id: 'a', json: JSON.stringify(seguraRecord(1)) },
        { id: 'b', json: '{"event_id": "16", "msg": ' },
        { json: '[1,2]' },
        { id: 'd', fields: { fields: { event_id: { stringValue: '16' }, msg: { stringValue: 'from a struct' }, suser: { stringValue: 'ana' } } } },
        { id: 'e', fields: { fields: { event_id: { stringValue: '16' }, severity: { stringValue: 'bogus' } } } },
        { id: 'f' },
      ],
    });
    expect(res.batchId).toBe('b-1');
    expect(res.results.map((r) => r.id ?? '')).toEqual(['a', 'b', '', 'd', 'e', 'f']);
    expect(res.results.map((r) => r.outcome)).toEqual(['line', 'error', 'error', 'line', 'error', 'error']);
    expect(res.formatted).toBe(2);
    expect(res.failed).toBe(4);

    const first = decodeCef(res.results[0]!.line!);
    expect(first.vendor).toBe('MT4');
    expect(first.eventClassId).toBe('16');
    expect(ext(res.results[0]!.line!)['msg']).toBe('session 1');
    expect(res.results[0]!.eventId).toBe('16');
    expect(ext(res.results[3]!.line!)['suser']).toBe('ana');

    expect(res.results[1]!.error!.code).toBe('SEG_ERR_JSON');
    expect(res.results[1]!.error!.message).toContain('b');
    expect(res.results[2]!.error!.code).toBe('SEG_ERR_NOT_OBJECT');
    expect(res.results[2]!.error!.message).toContain('record #2');
    expect(res.results[4]!.error).toMatchObject({ code: 'SEG_ERR_FIELD', field: 'severity' });
    expect(res.results[5]!.error!.code).toBe('SEG_ERR_NOT_OBJECT');
    // Returned, not delivered.
    expect(srv.sink.lines).toHaveLength(0);
  });

  it('applies format, envelope and profile per request', async () => {
    const json = JSON.stringify(seguraRecord(7));
    const [cef, syslog, enveloped] = await Promise.all([
      unary<FormatResponse>(client, 'Format', { records: [{ json }] }),
      unary<FormatResponse>(client, 'Format', { records: [{ json }], options: { format: FORMAT_RFC5424 } }),
      unary<FormatResponse>(client, 'Format', { records: [{ json }], options: { envelope: ENVELOPE_RFC5424, profile: PROFILE_STRICT } }),
    ]);
    expect(cef.results[0]!.line).toMatch(/^CEF:0\|MT4\|Segura\|/);
    expect(syslog.results[0]!.line).toMatch(/^<\d+>1 2026-01-19T10:41:00Z /);
    expect(syslog.results[0]!.line).not.toContain('CEF:0');
    expect(enveloped.results[0]!.line).toMatch(/^<\d+>1 \S+ \S+ Segura \S+ 16 - CEF:0\|MT4\|Segura\|/);
  });

  it('refuses an option value it does not know with INVALID_ARGUMENT', async () => {
    const err = await failure(unary(client, 'Format', { records: [{ json: '{}' }], options: { format: 42 } }));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toContain('options.format');
  });

  it('with deliver, answers only after the sink accepted the lines, and UNAVAILABLE / RESOURCE_EXHAUSTED when it cannot', async () => {
    const records = [{ json: JSON.stringify(seguraRecord(1)) }, { json: 'nope' }, { json: JSON.stringify(seguraRecord(2)) }];
    srv.sink.mode = 'down';
    const down = await failure(unary(client, 'Format', { records, options: { deliver: true } }));
    expect(down.code).toBe(grpc.status.UNAVAILABLE);
    srv.sink.mode = 'full';
    const full = await failure(unary(client, 'Format', { records, options: { deliver: true } }));
    expect(full.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(srv.sink.lines).toHaveLength(0);

    srv.sink.mode = 'hold';
    let answered = false;
    const call = unary<FormatResponse>(client, 'Format', { records, options: { deliver: true } }).then((r) => {
      answered = true;
      return r;
    });
    await srv.sink.whenHolding();
    expect(answered).toBe(false);
    srv.sink.release();
    const res = await call;
    expect(res.formatted).toBe(2);
    expect(srv.sink.texts).toEqual([res.results[0]!.line, res.results[2]!.line]);
    srv.sink.lines.length = 0;
  });

  it('serves on a unix socket', async () => {
    const path = tempSocketPath('formatter.sock');
    const unix = await startTestServer({ grpc: `unix://${path}` });
    const c = new (Clients.Formatter())(`unix://${path}`, insecure());
    try {
      expect(unix.handle.address).toBe(`unix://${path}`);
      const res = await unary<FormatResponse>(c, 'Format', { records: [{ json: JSON.stringify(seguraRecord(3)) }] });
      expect(res.results[0]!.line).toContain('msg=session 3');
    } finally {
      c.close();
      await unix.handle.shutdown(1000);
    }
  });
});

describe('FormatStream', () => {
  it('answers every request once, in request order, and ends OK after the client half-closes', async () => {
    const call = (client as unknown as { FormatStream(): grpc.ClientDuplexStream<unknown, FormatResponse> }).FormatStream();
    const got: FormatResponse[] = [];
    call.on('data', (r: FormatResponse) => got.push(r));
    const ended = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    for (let b = 0; b < 40; b++) {
      const records = Array.from({ length: 25 }, (_, i) => ({ json: JSON.stringify(seguraRecord(b * 25 + i)) }));
      if (b % 7 === 3) records[5] = { json: '{broken' };
      // Every 10th batch is delivered to the sink: later responses must still keep their order.
      call.write({ batchId: String(b), records, options: { deliver: b % 10 === 0 } });
    }
    call.end();
    const status = await ended;
    expect(status.code).toBe(grpc.status.OK);
    expect(got.map((r) => r.batchId)).toEqual(Array.from({ length: 40 }, (_, b) => String(b)));
    for (const [b, r] of got.entries()) {
      expect(r.results).toHaveLength(25);
      r.results.forEach((res, i) => {
        if (b % 7 === 3 && i === 5) expect(res.error!.code).toBe('SEG_ERR_JSON');
        else expect(ext(res.line!)['msg']).toBe(`session ${b * 25 + i}`);
      });
    }
    // Batches 0, 10, 20, 30 asked for delivery; batch 10 holds one broken record.
    const delivered = got.filter((_, b) => b % 10 === 0).flatMap((r) => r.results.flatMap((x) => (x.line === undefined ? [] : [x.line])));
    expect(delivered).toHaveLength(4 * 25 - 1);
    expect(srv.sink.texts).toEqual(delivered);
    srv.sink.lines.length = 0;
  });

  it('stops reading at the window when the client does not read responses, then catches up', async () => {
    const window = 4;
    let maxInFlight = 0;
    let reachedWindow!: () => void;
    const atWindow = new Promise<void>((r) => (reachedWindow = r));
    const hooks = {
      onStreamInFlight(n: number) {
        maxInFlight = Math.max(maxInFlight, n);
        if (n === window) reachedWindow();
      },
    };
    let decoded = 0;
    const fc = await startTestServer({ streamWindow: window }, { hooks: { ...hooks, onRequestDecoded: () => decoded++ } });
    const c = new (Clients.Formatter())(fc.handle.address, insecure());
    try {
      const call = (c as unknown as { FormatStream(): grpc.ClientDuplexStream<unknown, FormatResponse> }).FormatStream();
      // A slow reader: responses are taken only after resume(). grpc-js then keeps at most
      // its Readable buffer (16 messages) and pauses HTTP/2, whose window closes.
      const got: string[] = [];
      call.on('data', (r: FormatResponse) => got.push(r.batchId!));
      call.pause();
      const statusP = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
      // ~70 KB requests whose ~55 KB responses overflow every buffer on the way back.
      const records = Array.from({ length: 300 }, (_, i) => ({ json: JSON.stringify(seguraRecord(i, { note: 'x'.repeat(150) })) }));
      const total = 120;
      for (let b = 0; b < total; b++) call.write({ batchId: String(b), records });
      call.end();
      await atWindow;
      // Give the client time to push everything it can: wait until the server has decoded
      // nothing new for a while. The assertions below are about counts, not about time.
      for (let quiet = 0, last = -1, i = 0; quiet < 3 && i < 60; i++) {
        quiet = decoded === last ? quiet + 1 : 0;
        last = decoded;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(got).toHaveLength(0);
      expect(maxInFlight).toBe(window);
      // Read-ahead is bounded by the window plus grpc-js's fixed buffers: 16 decoded
      // messages in the server's Readable, 16 responses in the client's, and about one
      // message in each HTTP/2 window and decoder queue. Without flow control it is `total`.
      expect(decoded).toBeLessThanOrEqual(window + 16 + 16 + 4);

      call.resume();
      const status = await statusP;
      expect(status.code).toBe(grpc.status.OK);
      expect(got).toEqual(Array.from({ length: total }, (_, b) => String(b)));
      expect(decoded).toBe(total);
      expect(maxInFlight).toBe(window);
    } finally {
      c.close();
      await fc.handle.shutdown(1000);
    }
  });
});
