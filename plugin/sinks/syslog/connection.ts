/**
 * Opens one TCP or TLS connection to a syslog receiver (RFC 6587 / RFC 5425). TLS material
 * (CA bundle, client certificate and key for mutual TLS) is read from its PEM files when the
 * sink is built — a missing file is a configuration error then — and read again before each
 * connection, so certificates rotated on disk are picked up on the next reconnect. The
 * server certificate is verified unless `insecure` is set; TLS 1.2 is the minimum (RFC 5425
 * §4.2, RFC 9662). SNI is sent only for host names (RFC 6066 §3 forbids IP literals).
 */
import { readFileSync } from 'node:fs';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import {
  checkServerIdentity,
  connect as tlsConnect,
  createSecureContext,
  type ConnectionOptions,
  type PeerCertificate,
} from 'node:tls';
import { SegError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { TlsClientConfig } from '../../config/schema.js';

export interface StreamEndpoint {
  readonly transport: 'tcp' | 'tls';
  readonly host: string;
  readonly port: number;
}

export interface OpenedStream {
  readonly socket: Socket;
  /** The event after which the socket may carry data: `connect` or `secureConnect`. */
  readonly readyEvent: 'connect' | 'secureConnect';
}

/** PEM contents and the checks derived from the TLS configuration. */
interface TlsMaterial {
  ca: Buffer | undefined;
  cert: Buffer | undefined;
  key: Buffer | undefined;
}

/** Builds connections for one endpoint; holds the last TLS material that could be read. */
export class StreamConnector {
  private material: TlsMaterial | undefined;

  constructor(
    private readonly endpoint: StreamEndpoint,
    private readonly tls: TlsClientConfig,
    private readonly name: string,
    private readonly logger: Logger,
  ) {
    if (endpoint.transport !== 'tls') return;
    if ((tls.cert === undefined) !== (tls.key === undefined)) {
      throw new SegError('SEG_ERR_CONFIG', `${name}: a client certificate and its key must be given together`);
    }
    this.material = readMaterial(tls, name);
    checkMaterial(this.material, name);
    if (tls.insecure) {
      logger.log('warn', 'TLS server certificate verification is OFF (insecure); for lab use only', { sink: name });
    }
  }

  open(): OpenedStream {
    const { host, port } = this.endpoint;
    if (this.endpoint.transport === 'tcp') return { socket: tcpConnect({ host, port }), readyEvent: 'connect' };
    return { socket: tlsConnect(this.tlsOptions()), readyEvent: 'secureConnect' };
  }

  private tlsOptions(): ConnectionOptions {
    this.refreshMaterial();
    const { host, port } = this.endpoint;
    const verifyName = this.tls.serverName ?? host;
    const options: ConnectionOptions = {
      host,
      port,
      minVersion: 'TLSv1.2',
      rejectUnauthorized: !this.tls.insecure,
      // Verify against the configured name even when it is an IP literal, which Node would
      // otherwise take from `servername` (unset for IPs) or fall back to `host`.
      checkServerIdentity: (_hostname: string, cert: PeerCertificate) => checkServerIdentity(verifyName, cert),
    };
    if (isIP(verifyName) === 0) options.servername = verifyName;
    const m = this.material!;
    if (m.ca !== undefined) options.ca = m.ca;
    if (m.cert !== undefined) options.cert = m.cert;
    if (m.key !== undefined) options.key = m.key;
    return options;
  }

  /** Re-reads the PEM files; on failure keeps the previous material and says so. */
  private refreshMaterial(): void {
    try {
      const fresh = readMaterial(this.tls, this.name);
      checkMaterial(fresh, this.name);
      this.material = fresh;
    } catch (e) {
      this.logger.log('warn', 'cannot re-read the TLS files; using the ones read before', {
        sink: this.name,
        error: (e as Error).message,
      });
    }
  }
}

function readMaterial(tls: TlsClientConfig, name: string): TlsMaterial {
  return { ca: readPem(tls.ca, 'ca', name), cert: readPem(tls.cert, 'cert', name), key: readPem(tls.key, 'key', name) };
}

/** Loads the material into an OpenSSL context once, so a bad PEM file is a startup error, not a retry loop. */
function checkMaterial(m: TlsMaterial, name: string): void {
  try {
    createSecureContext({ ca: m.ca, cert: m.cert, key: m.key });
  } catch (e) {
    throw new SegError('SEG_ERR_CONFIG', `${name}: unusable TLS files: ${(e as Error).message}`, { cause: e });
  }
}

function readPem(path: string | undefined, what: string, name: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new SegError('SEG_ERR_CONFIG', `${name}: cannot read TLS ${what} file ${path}: ${(e as Error).message}`, {
      field: `tls.${what}`,
      cause: e,
    });
  }
}
