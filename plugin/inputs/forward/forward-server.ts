/**
 * `serve --forward ADDR`: a Fluent Forward protocol v1 server (TCP, TLS or a unix socket)
 * that Fluent Bit's and Fluentd's `forward` outputs can send to. Each connection is handled by
 * ./forward-connection.ts; this module owns listening, TLS, the shared key, limits and an
 * orderly shutdown (stop accepting, let each connection finish and ack its request in
 * flight, then close). Not supported: user/password authentication (HELO sends an empty
 * `auth`), the UDP heartbeat port (TCP `nil` heartbeats are accepted), JSON requests.
 */
import { lstatSync, readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { connect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { SegError } from '../../core/errors.js';
import { parseListenAddress, type ListenAddress } from '../../config/address.js';
import type { ServeConfig } from '../../config/schema.js';
import { ForwardConnection, type ConnectionContext, type ForwardPipeline } from './forward-connection.js';
import { ForwardRequestDecoder } from './forward-request.js';

export interface ForwardServerHandle {
  /** Bound address: `HOST:PORT` (the real port when 0 was asked) or `unix:///path`. */
  readonly address: string;
  /** Stops accepting, lets requests in flight finish (and be acked), closes every connection. */
  shutdown(deadlineMs: number): Promise<void>;
}

/** Fixed limits with no flag, in one place so the README can name them. */
export interface ForwardServerTuning {
  /** A client must answer HELO with PING within this time. */
  readonly handshakeTimeoutMs: number;
  /** Concurrent connections; more are refused by the kernel backlog / closed by Node. */
  readonly maxConnections: number;
  /** Gunzipped CompressedPackedForward entries may be at most this many times `maxMessageBytes`. */
  readonly decompressedRatio: number;
}

export const DEFAULT_FORWARD_SERVER_TUNING: ForwardServerTuning = {
  handshakeTimeoutMs: 10_000,
  maxConnections: 256,
  decompressedRatio: 8,
};

export async function startForwardServer(
  pipeline: ForwardPipeline,
  serve: ServeConfig,
  tuning: ForwardServerTuning = DEFAULT_FORWARD_SERVER_TUNING,
): Promise<ForwardServerHandle> {
  const listenAt = parseListenAddress(serve.forward ?? '');
  if (typeof listenAt === 'string') throw new SegError('SEG_ERR_CONFIG', `serve.forward: ${listenAt}`);
  const ctx: ConnectionContext = {
    pipeline,
    requests: new ForwardRequestDecoder(serve.maxMessageBytes * tuning.decompressedRatio),
    maxFrameBytes: serve.maxMessageBytes,
    sharedKey: serve.forwardSharedKey === undefined ? undefined : Buffer.from(serve.forwardSharedKey, 'utf8'),
    hostname: hostname(),
    handshakeTimeoutMs: tuning.handshakeTimeoutMs,
  };
  const { logger } = pipeline;
  const connections = new Set<ForwardConnection>();
  let stopping = false;

  const onSocket = (socket: Socket): void => {
    if (stopping) {
      socket.destroy();
      return;
    }
    const conn = new ForwardConnection(socket, ctx, peerOf(socket));
    connections.add(conn);
    void conn.closed.then(() => connections.delete(conn));
    conn.start();
  };

  const tls = tlsOptions(serve);
  const server: Server = tls === undefined ? createNetServer(onSocket) : createTlsServer(tls, onSocket);
  server.maxConnections = tuning.maxConnections;
  server.on('drop', (info?: { remoteAddress?: string; remotePort?: number }) => {
    logger.log('warn', `forward: connection refused: already ${tuning.maxConnections} connections`, {
      peer: info?.remoteAddress === undefined ? 'unix' : `${info.remoteAddress}:${info.remotePort}`,
    });
  });
  server.on('tlsClientError', (e: Error, socket: Socket) => {
    logger.log('warn', `forward: TLS handshake failed: ${e.message}`, { peer: peerOf(socket) });
  });
  await listen(server, listenAt);
  server.on('error', (e: Error) => logger.log('error', `forward: server error: ${e.message}`));
  const address = boundAddress(server, listenAt);

  return {
    address,
    async shutdown(deadlineMs: number): Promise<void> {
      stopping = true;
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const conn of connections) conn.shutdown();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadlineMs))));
      await Promise.race([Promise.all([...connections].map((c) => c.closed)), deadline]);
      clearTimeout(timer);
      for (const conn of connections) conn.destroy();
      await serverClosed;
    },
  };
}

/** TLS from `serve.tls`; a client CA makes client certificates mandatory. */
function tlsOptions(serve: ServeConfig): TlsOptions | undefined {
  const { cert, key, clientCa } = serve.tls;
  if (cert === undefined || key === undefined) return undefined;
  const options: TlsOptions = { cert: readFileSync(cert), key: readFileSync(key) };
  if (clientCa !== undefined) {
    options.ca = readFileSync(clientCa);
    options.requestCert = true;
    options.rejectUnauthorized = true;
  }
  return options;
}

/**
 * Listens on TCP or a unix socket. A unix socket file left by a process that died is
 * removed, but only when it is a socket and a connection attempt proves nobody listens on it.
 */
async function listen(server: Server, at: ListenAddress): Promise<void> {
  try {
    await listenOnce(server, at);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (at.kind !== 'unix' || err.code !== 'EADDRINUSE' || !isSocketFile(at.path) || (await someoneListens(at.path))) {
      throw new SegError('SEG_ERR_CONFIG', `serve.forward: cannot listen on ${describeAddress(at)}: ${err.message}`, { cause: e });
    }
    unlinkSync(at.path);
    await listenOnce(server, at);
  }
}

function listenOnce(server: Server, at: ListenAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    const done = () => {
      server.off('error', onError);
      resolve();
    };
    if (at.kind === 'unix') server.listen(at.path, done);
    else server.listen(at.port, at.host, done);
  });
}

/** Only a socket file is ever removed, never a regular file that happens to sit at the path. */
function isSocketFile(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}

function someoneListens(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

function boundAddress(server: Server, at: ListenAddress): string {
  if (at.kind === 'unix') return `unix://${at.path}`;
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : at.port;
  return at.host.includes(':') ? `[${at.host}]:${port}` : `${at.host}:${port}`;
}

function describeAddress(at: ListenAddress): string {
  return at.kind === 'unix' ? `unix://${at.path}` : `${at.host}:${at.port}`;
}

function peerOf(socket: Socket): string {
  return socket.remoteAddress === undefined ? 'unix' : `${socket.remoteAddress}:${socket.remotePort}`;
}
