/**
 * Limits: `--max-message-bytes` (also after gzip decompression), `--max-concurrent-streams`
 * as advertised in the server's HTTP/2 SETTINGS, and per-call deadlines: a call whose
 * deadline passes while the sink stalls ends DEADLINE_EXCEEDED, and the lines it already
 * handed to the sink are still delivered (documented at-least-once behaviour).
 */
import { connect } from 'node:http2';
import { describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { Clients, failure, insecure, seguraRecord, startTestServer, unary } from './support.js';

describe('limits', () => {
  it('refuses a request over --max-message-bytes with RESOURCE_EXHAUSTED, compressed or not', async () => {
    const s = await startTestServer({ maxMessageBytes: 16 * 1024 });
    const plain = new (Clients.Formatter())(s.handle.address, insecure());
    const gz = new (Clients.Formatter())(s.handle.address, insecure(), { 'grpc.default_compression_algorithm': 2 });
    try {
      const small = { records: [{ json: JSON.stringify(seguraRecord(1)) }] };
      // Compresses to far below the limit, decompresses to far above it.
      const big = { records: Array.from({ length: 200 }, (_, i) => ({ json: JSON.stringify(seguraRecord(i, { note: 'a'.repeat(100) })) })) };
      await unary(plain, 'Format', small);
      expect((await failure(unary(plain, 'Format', big))).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect((await failure(unary(gz, 'Format', big))).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      await unary(plain, 'Format', small);
    } finally {
      plain.close();
      gz.close();
      await s.handle.shutdown(1000);
    }
  });

  it('advertises --max-concurrent-streams and a receive window of two maximum messages in its HTTP/2 SETTINGS', async () => {
    const s = await startTestServer({ maxConcurrentStreams: 7, maxMessageBytes: 3 * 1024 * 1024 });
    try {
      // The window comes in a second SETTINGS frame, sent once the session exists.
      const settings = await new Promise<{ maxConcurrentStreams?: number; initialWindowSize?: number }>((resolve, reject) => {
        const session = connect(`http://${s.handle.address}`);
        let last: { maxConcurrentStreams?: number; initialWindowSize?: number } = {};
        const done = () => {
          clearTimeout(timer);
          session.close();
          resolve(last);
        };
        const timer = setTimeout(done, 5000);
        session.on('error', reject);
        session.on('remoteSettings', (remote) => {
          last = remote;
          if (remote.initialWindowSize !== 65_535) done();
        });
      });
      expect(settings.maxConcurrentStreams).toBe(7);
      expect(settings.initialWindowSize).toBe(6 * 1024 * 1024);
    } finally {
      await s.handle.shutdown(1000);
    }
  });

  it('ends a call DEADLINE_EXCEEDED while the sink stalls; lines already handed over are delivered', async () => {
    const s = await startTestServer();
    const logs = new (Clients.Logs())(s.handle.address, insecure());
    try {
      s.sink.mode = 'hold';
      const req = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: JSON.stringify(seguraRecord(1)) } }] }] }] };
      const err = await failure(unary(logs, 'Export', req, { deadline: 200 }));
      expect(err.code).toBe(grpc.status.DEADLINE_EXCEEDED);
      await s.sink.whenHolding();
      s.sink.release();
      expect(s.sink.texts).toHaveLength(1);
    } finally {
      logs.close();
      await s.handle.shutdown(1000);
    }
  });
});
