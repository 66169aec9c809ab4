/**
 * grpc.health.v1.Health on the main port and on the separate plaintext probe port, and the
 * shutdown order a shipper and kubelet rely on: NOT_SERVING first (Watch streams see it,
 * the probe port answers it while draining), then no new connections, then in-flight calls
 * finish, then everything closes; past the deadline, calls are cancelled.
 */
import { describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { Clients, failure, insecure, seguraRecord, startTestServer, unary } from './support.js';

const SERVING = 1;
const NOT_SERVING = 2;
const SERVICE_UNKNOWN = 3;

type Watch = grpc.ClientReadableStream<{ status: number }>;

function watch(client: grpc.Client, service = ''): { call: Watch; seen: number[]; next(): Promise<number> } {
  const call = (client as unknown as { Watch(req: unknown): Watch }).Watch({ service });
  const seen: number[] = [];
  const waiters: Array<(s: number) => void> = [];
  call.on('data', (m: { status?: number }) => {
    const s = m.status ?? 0;
    seen.push(s);
    waiters.shift()?.(s);
  });
  call.on('error', () => {});
  let read = 0;
  return {
    call,
    seen,
    next: () => (read < seen.length ? Promise.resolve(seen[read++]!) : new Promise((r) => waiters.push((s) => (read++, r(s))))),
  };
}

function ended(call: grpc.ClientReadableStream<unknown> | grpc.ClientDuplexStream<unknown, unknown>): Promise<grpc.StatusObject> {
  call.on('error', () => {}); // the status event carries the outcome
  return new Promise((resolve) => call.on('status', resolve));
}

describe('grpc.health.v1.Health', () => {
  it('answers Check, List and Watch for the server and each service, NOT_FOUND for unknown ones', async () => {
    const s = await startTestServer({ health: '127.0.0.1:0' });
    const main = new (Clients.Health())(s.handle.address, insecure());
    const probe = new (Clients.Health())(s.handle.healthAddress!, insecure());
    try {
      for (const c of [main, probe]) {
        expect((await unary<{ status: number }>(c, 'Check', { service: '' })).status).toBe(SERVING);
        for (const svc of ['segura.siem.v1.Formatter', 'vector.Vector', 'opentelemetry.proto.collector.logs.v1.LogsService']) {
          expect((await unary<{ status: number }>(c, 'Check', { service: svc })).status).toBe(SERVING);
        }
        expect((await failure(unary(c, 'Check', { service: 'no.such.Service' }))).code).toBe(grpc.status.NOT_FOUND);
      }
      const list = await unary<{ statuses: Record<string, { status: number }> }>(main, 'List', {});
      expect(Object.keys(list.statuses).sort()).toEqual(
        ['', 'grpc.health.v1.Health', 'opentelemetry.proto.collector.logs.v1.LogsService', 'segura.siem.v1.Formatter', 'vector.Vector'].sort(),
      );
      const unknown = watch(main, 'no.such.Service');
      expect(await unknown.next()).toBe(SERVICE_UNKNOWN);
      unknown.call.cancel();
      // The probe port serves Health only.
      const formatterOnProbe = new (Clients.Formatter())(s.handle.healthAddress!, insecure());
      expect((await failure(unary(formatterOnProbe, 'Format', { records: [] }))).code).toBe(grpc.status.UNIMPLEMENTED);
      formatterOnProbe.close();
    } finally {
      main.close();
      probe.close();
      await s.handle.shutdown(1000);
    }
  });
});

describe('shutdown', () => {
  it('turns NOT_SERVING first, refuses new connections, lets in-flight calls finish, then closes both ports', async () => {
    const s = await startTestServer({ health: '127.0.0.1:0' });
    const health = new (Clients.Health())(s.handle.address, insecure());
    const probe = new (Clients.Health())(s.handle.healthAddress!, insecure());
    const logs = new (Clients.Logs())(s.handle.address, insecure());
    const order: string[] = [];
    try {
      const w = watch(health);
      const wp = watch(probe);
      expect(await w.next()).toBe(SERVING);
      expect(await wp.next()).toBe(SERVING);
      const watchEnded = ended(w.call);
      // Warm the connection that carries the in-flight call.
      await unary(logs, 'Export', { resourceLogs: [] });

      s.sink.mode = 'hold';
      const inFlight = unary(logs, 'Export', {
        resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: JSON.stringify(seguraRecord(1)) } }] }] }],
      }).then(() => order.push('in-flight call answered OK'));
      await s.sink.whenHolding();

      s.handle.setNotServing();
      const shutdown = s.handle.shutdown(10_000).then(() => order.push('shutdown done'));
      expect(await w.next()).toBe(NOT_SERVING);
      expect(await wp.next()).toBe(NOT_SERVING);
      order.push('watchers saw NOT_SERVING');
      expect((await watchEnded).code).toBe(grpc.status.OK);
      // kubelet's probe (Check on the probe port) sees NOT_SERVING while calls drain.
      expect((await unary<{ status: number }>(probe, 'Check', { service: '' })).status).toBe(NOT_SERVING);
      // A new connection is refused.
      const late = new (Clients.Formatter())(s.handle.address, insecure());
      const lateErr = await failure(unary(late, 'Format', { records: [] }, { deadline: 2000 }));
      expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]).toContain(lateErr.code);
      late.close();

      expect(order).toEqual(['watchers saw NOT_SERVING']);
      s.sink.release();
      await Promise.all([inFlight, shutdown]);
      expect(order).toEqual(['watchers saw NOT_SERVING', 'in-flight call answered OK', 'shutdown done']);
      expect(s.sink.texts).toHaveLength(1);
      const fresh = new (Clients.Health())(s.handle.healthAddress!, insecure());
      const afterErr = await failure(unary(fresh, 'Check', { service: '' }, { deadline: 2000 }));
      fresh.close();
      expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]).toContain(afterErr.code);
    } finally {
      for (const c of [health, probe, logs]) c.close();
    }
  });

  it('cancels calls still waiting on the sink at the deadline; lines already handed over are still delivered', async () => {
    const s = await startTestServer();
    const logs = new (Clients.Logs())(s.handle.address, insecure());
    try {
      s.sink.mode = 'hold';
      const call = failure(
        unary(logs, 'Export', { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: JSON.stringify(seguraRecord(2)) } }] }] }] }),
      );
      await s.sink.whenHolding();
      await s.handle.shutdown(50);
      const err = await call;
      expect([grpc.status.CANCELLED, grpc.status.UNAVAILABLE, grpc.status.INTERNAL]).toContain(err.code);
      s.sink.release();
      expect(s.sink.texts).toHaveLength(1);
    } finally {
      logs.close();
    }
  });

  it('answers what an open FormatStream already sent, then ends it with UNAVAILABLE so the client resends the rest', async () => {
    const s = await startTestServer();
    const c = new (Clients.Formatter())(s.handle.address, insecure());
    try {
      const call = (c as unknown as { FormatStream(): grpc.ClientDuplexStream<unknown, { batchId?: string }> }).FormatStream();
      const got: string[] = [];
      const first = new Promise<void>((resolve) =>
        call.on('data', (r: { batchId?: string }) => {
          got.push(r.batchId!);
          if (got.length === 2) resolve();
        }),
      );
      const status = ended(call);
      call.write({ batchId: 'a', records: [{ json: JSON.stringify(seguraRecord(1)) }] });
      call.write({ batchId: 'b', records: [{ json: JSON.stringify(seguraRecord(2)) }] });
      await first;
      await s.handle.shutdown(5000);
      const st = await status;
      expect(st.code).toBe(grpc.status.UNAVAILABLE);
      expect(st.details).toContain('shutting down');
      expect(got).toEqual(['a', 'b']);
    } finally {
      c.close();
    }
  });
});
