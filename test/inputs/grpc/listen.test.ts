/**
 * Binding: a taken TCP port is a clear configuration error; a unix socket file left by a
 * process that was killed is reused, but a live socket or a path that is not a socket is
 * refused rather than deleted.
 */
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startGrpcServer } from '../../../plugin/inputs/grpc/grpc-server.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { Clients, insecure, makePipeline, seguraRecord, serveConfig, tempSocketPath, unary } from './support.js';

const pipeline = () => makePipeline(new RecordingSink()).pipeline;

describe('listening', () => {
  it('reports a port already in use as a configuration error naming the address; grpc-js diagnostics go to our log', async () => {
    const first = await startGrpcServer(pipeline(), serveConfig());
    const second = makePipeline(new RecordingSink());
    try {
      await expect(startGrpcServer(second.pipeline, serveConfig({ grpc: first.address }))).rejects.toThrow(`cannot listen on ${first.address}`);
      expect(second.logger.entries.some((e) => String(e['msg']).startsWith('grpc-js: '))).toBe(true);
    } finally {
      await first.shutdown(1000);
    }
  });

  it('reuses a stale unix socket file left by a killed process', async () => {
    const path = tempSocketPath('stale.sock');
    // A process that binds the path and dies without cleaning up.
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`], {
      stdio: 'ignore',
    });
    expect(statSync(path).isSocket()).toBe(true);
    const s = await startGrpcServer(pipeline(), serveConfig({ grpc: `unix://${path}` }));
    const c = new (Clients.Formatter())(`unix://${path}`, insecure());
    try {
      const res = await unary<{ results: Array<{ line?: string }> }>(c, 'Format', { records: [{ json: JSON.stringify(seguraRecord(1)) }] });
      expect(res.results[0]!.line).toContain('msg=session 1');
    } finally {
      c.close();
      await s.shutdown(1000);
    }
  });

  it('refuses a unix path with a live listener, or one that is not a socket', async () => {
    const live = tempSocketPath('live.sock');
    const other = createServer();
    await new Promise<void>((r) => other.listen(live, r));
    try {
      await expect(startGrpcServer(pipeline(), serveConfig({ grpc: `unix://${live}` }))).rejects.toThrow(/another process is listening/);
    } finally {
      other.close();
    }
    const file = tempSocketPath('not-a-socket');
    writeFileSync(file, 'keep me');
    await expect(startGrpcServer(pipeline(), serveConfig({ grpc: `unix://${file}` }))).rejects.toThrow(/not a socket/);
    expect(statSync(file).isFile()).toBe(true);
  });
});
