/**
 * Parses a sink URL (`--sink`) into what the sink factory needs. Returns a message string
 * when the URL is not one we support.
 */
export type SinkTarget =
  | { kind: 'stdout' }
  | { kind: 'syslog'; transport: 'tcp' | 'tls' | 'udp'; host: string; port: number }
  | { kind: 'forward'; transport: 'tcp' | 'tls'; host: string; port: number }
  | { kind: 'forward'; transport: 'unix'; path: string };

export function parseSinkUrl(url: string): SinkTarget | string {
  if (url === 'stdout' || url === '-') return { kind: 'stdout' };
  const m = /^([a-z+]+):\/\/(.*)$/.exec(url);
  if (!m) return `"${url}" is not a sink URL (stdout, syslog+tcp://H:P, syslog+tls://H:P, syslog+udp://H:P, forward://H:P, forward+tls://H:P, forward+unix:///path)`;
  const scheme = m[1]!;
  const rest = m[2]!;
  if (scheme === 'forward+unix' || scheme === 'unix') {
    if (!rest.startsWith('/')) return `"${url}": a unix socket path must be absolute`;
    return { kind: 'forward', transport: 'unix', path: rest };
  }
  const hostPort = parseHostPort(rest);
  if (typeof hostPort === 'string') return `"${url}": ${hostPort}`;
  switch (scheme) {
    case 'syslog+tcp':
      return { kind: 'syslog', transport: 'tcp', ...hostPort };
    case 'syslog+tls':
      return { kind: 'syslog', transport: 'tls', ...hostPort };
    case 'syslog+udp':
      return { kind: 'syslog', transport: 'udp', ...hostPort };
    case 'forward':
    case 'forward+tcp':
      return { kind: 'forward', transport: 'tcp', ...hostPort };
    case 'forward+tls':
      return { kind: 'forward', transport: 'tls', ...hostPort };
    default:
      return `unknown scheme "${scheme}"`;
  }
}

/** `host:port`, `[v6]:port`. */
export function parseHostPort(text: string): { host: string; port: number } | string {
  const m = /^(?:\[([^\]]+)\]|([^:/\s]+)):(\d{1,5})$/.exec(text);
  if (!m) return 'expected HOST:PORT';
  const port = Number(m[3]);
  if (port < 1 || port > 65_535) return `port ${port} is out of range`;
  return { host: (m[1] ?? m[2])!, port };
}
