/** Listen-address helpers shared by the gRPC and Forward servers. */
import { isIP } from 'node:net';
import { parseHostPort } from './sink-url.js';

export type ListenAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/** Parses `HOST:PORT`, `[::1]:PORT` or `unix:///path`. */
export function parseListenAddress(text: string): ListenAddress | string {
  if (text.startsWith('unix://')) {
    const path = text.slice('unix://'.length);
    return path.startsWith('/') ? { kind: 'unix', path } : `"${text}": a unix socket path must be absolute`;
  }
  const hp = parseHostPort(text);
  return typeof hp === 'string' ? `"${text}": ${hp}` : { kind: 'tcp', ...hp };
}

/** True for unix sockets and addresses only this machine can reach. */
export function isLoopbackOrUnix(text: string): boolean {
  const a = parseListenAddress(text);
  if (typeof a === 'string') return false;
  if (a.kind === 'unix') return true;
  if (a.host === 'localhost') return true;
  if (isIP(a.host) === 4) return a.host.startsWith('127.');
  return a.host === '::1';
}
