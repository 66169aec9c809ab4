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
  // Port 0 asks the OS for a free port (tests, benches); servers report the port they bound.
  const ephemeral = /^(.+):0$/.exec(text);
  const hp = parseHostPort(ephemeral === null ? text : `${ephemeral[1]}:1`);
  if (typeof hp === 'string') return `"${text}": ${hp}`;
  return { kind: 'tcp', host: hp.host, port: ephemeral === null ? hp.port : 0 };
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
