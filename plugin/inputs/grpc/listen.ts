/**
 * Opening the gRPC listeners: parsing `HOST:PORT` / `unix:///path`, server credentials
 * (TLS, and mutual TLS when a client CA is given), binding with the real port reported back,
 * and a unix socket file left behind by a process that died.
 */
import { readFileSync, statSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { ServerCredentials, type Server } from '@grpc/grpc-js';
import { SegError } from '../../core/errors.js';
import { parseListenAddress, type ListenAddress } from '../../config/address.js';
import type { ServeConfig } from '../../config/schema.js';

export function listenAddress(what: string, text: string): ListenAddress {
  const a = parseListenAddress(text);
  if (typeof a === 'string') throw new SegError('SEG_ERR_CONFIG', `${what}: ${a}`);
  return a;
}

export function serverCredentials(serve: ServeConfig): { creds: ServerCredentials; insecure: boolean } {
  const { cert, key, clientCa } = serve.tls;
  if (cert === undefined || key === undefined) return { creds: ServerCredentials.createInsecure(), insecure: true };
  const pair = { cert_chain: readPem('serve.tls.cert', cert), private_key: readPem('serve.tls.key', key) };
  // With a client CA, a client certificate chaining to it is required (mutual TLS).
  const ca = clientCa === undefined ? null : readPem('serve.tls.clientCa', clientCa);
  return { creds: ServerCredentials.createSsl(ca, [pair], ca !== null), insecure: false };
}

function readPem(what: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new SegError('SEG_ERR_CONFIG', `${what}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Binds and resolves the address clients dial (with the real port when 0 was asked). */
async function bind(server: Server, addr: ListenAddress, creds: ServerCredentials): Promise<string> {
  if (addr.kind === 'unix') await removeStaleSocket(addr.path);
  const target = addr.kind === 'unix' ? `unix://${addr.path}` : `${hostForUri(addr.host)}:${addr.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(target, creds, (err, p) => (err ? reject(bindError(target, err)) : resolve(p)));
  });
  return addr.kind === 'unix' ? target : `${hostForUri(addr.host)}:${port}`;
}

function hostForUri(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function bindError(target: string, err: Error): SegError {
  return new SegError('SEG_ERR_CONFIG', `cannot listen on ${target}: ${err.message}`, { cause: err });
}

/**
 * A socket file left by a process that died keeps the path taken. Remove it only when
 * nothing answers on it; a live server there is an error, as is a path that is not a socket.
 */
async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = statSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) throw new SegError('SEG_ERR_CONFIG', `unix://${path}: the path exists and is not a socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (alive) throw new SegError('SEG_ERR_CONFIG', `unix://${path}: another process is listening there`);
  unlinkSync(path);
}

/** Binds, or stops the server and rethrows, so nothing is left half-open on failure. */
export async function bindOrStop(server: Server, addr: ListenAddress, creds: ServerCredentials): Promise<string> {
  try {
    return await bind(server, addr, creds);
  } catch (e) {
    server.forceShutdown();
    throw e;
  }
}
