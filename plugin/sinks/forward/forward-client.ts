/**
 * One client connection to a Fluent Forward receiver (Fluent Bit's or Fluentd's `forward`
 * input): connects over TCP, TLS or a unix socket, runs the shared-key handshake when a key
 * is configured (HELO → PING → PONG, spec "Handshake Messages"), then reports each
 * `{"ack": chunk}` the receiver sends. It never retries: the sink decides what a lost
 * connection means. Every failure ends in exactly one `closed` event with the reason.
 */
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { SegError } from '../../core/errors.js';
import {
  bytesOf,
  createForwardDecoder,
  createForwardEncoder,
  describe,
  digestMatches,
  isPlainMap,
  pingMessage,
  sharedKeyDigest,
  textOf,
} from '../../framing/forward-protocol.js';
import { MsgpackFrameReader } from '../../framing/msgpack-frame-reader.js';

export type ForwardEndpoint =
  | { readonly transport: 'tcp'; readonly host: string; readonly port: number }
  | { readonly transport: 'tls'; readonly host: string; readonly port: number; readonly tls: ConnectionOptions }
  | { readonly transport: 'unix'; readonly path: string };

export interface ForwardClientOptions {
  readonly endpoint: ForwardEndpoint;
  readonly sharedKey: string | undefined;
  /** Our name in PING (`client_hostname`). */
  readonly hostname: string;
  /** TCP connect + TLS + handshake must finish within this time. */
  readonly connectTimeoutMs: number;
}

export interface ForwardClientEvents {
  ready(): void;
  ack(chunk: string): void;
  /** `error` is undefined when the receiver closed a healthy connection cleanly. */
  closed(error: SegError | undefined): void;
}

/** Responses are small (HELO, PONG, acks); anything larger is not a Forward receiver. */
const MAX_RESPONSE_BYTES = 64 * 1024;
const encoder = createForwardEncoder();
/** Raw strings: Fluent Bit's HELO packs its random nonce as str. */
const decoder = createForwardDecoder(true);

type Phase = 'connecting' | 'helo' | 'pong' | 'ready' | 'closed';

export class ForwardClient {
  private readonly socket: Socket;
  private readonly reader = new MsgpackFrameReader(MAX_RESPONSE_BYTES);
  private phase: Phase = 'connecting';
  private timer: NodeJS.Timeout | undefined;
  private nonce: Uint8Array | undefined;
  private salt = '';
  private failure: SegError | undefined;

  constructor(
    private readonly opts: ForwardClientOptions,
    private readonly events: ForwardClientEvents,
  ) {
    this.socket = open(opts.endpoint, () => this.onConnected());
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (e: Error) => this.fail(`${e.message}`));
    this.socket.on('close', () => this.onClose());
    this.timer = setTimeout(() => this.fail(this.notReadyReason()), opts.connectTimeoutMs);
  }

  write(bytes: Uint8Array): void {
    if (this.phase === 'ready') this.socket.write(bytes);
  }

  /** Closes the connection; `closed` reports `reason`. */
  destroy(reason: SegError): void {
    if (this.phase === 'closed') return;
    this.failure ??= reason;
    this.socket.destroy();
  }

  private notReadyReason(): string {
    const within = `within ${this.opts.connectTimeoutMs} ms`;
    if (this.phase === 'helo') return `no HELO from the receiver ${within}: a shared key is set here, is shared_key set on the receiver?`;
    if (this.phase === 'pong') return `no PONG from the receiver ${within}`;
    return `could not connect ${within}`;
  }

  private onConnected(): void {
    if (this.opts.sharedKey === undefined) return this.becomeReady();
    this.phase = 'helo';
  }

  private becomeReady(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.phase = 'ready';
    this.events.ready();
  }

  private onData(chunk: Buffer): void {
    this.reader.push(chunk);
    try {
      for (let frame = this.reader.next(); frame !== undefined && this.phase !== 'closed'; frame = this.reader.next()) {
        this.onMessage(decoder.decode(frame));
      }
    } catch (e) {
      this.fail(e instanceof SegError ? e.message : `response is not valid msgpack (${(e as Error).message})`);
    }
  }

  private onMessage(msg: unknown): void {
    if (msg === null) return; // heartbeat
    const kind = Array.isArray(msg) ? textOf(msg[0]) : undefined;
    if (kind === 'HELO' && this.phase !== 'helo') {
      return this.fail('the receiver requires a shared key (it sent HELO); set SEGURA_SIEM_SINK_SHARED_KEY');
    }
    switch (this.phase) {
      case 'helo':
        return kind === 'HELO' ? this.onHelo(msg as unknown[]) : this.fail(`expected HELO, got ${describe(msg)}`);
      case 'pong':
        return kind === 'PONG' ? this.onPong(msg as unknown[]) : this.fail(`expected PONG, got ${describe(msg)}`);
      case 'ready':
        return this.onAck(msg);
      default:
        return undefined;
    }
  }

  /** Spec "PING": shared_key_hexdigest = sha512_hex(salt + client_hostname + nonce + shared_key). */
  private onHelo(helo: unknown[]): void {
    const options = helo[1];
    const nonce = isPlainMap(options) ? bytesOf(options.nonce) : undefined;
    if (nonce === undefined) return this.fail('HELO without a nonce');
    this.nonce = nonce;
    // Hex keeps the salt valid UTF-8 for receivers that read it as str (Fluent Bit does).
    this.salt = randomBytes(16).toString('hex');
    const digest = sharedKeyDigest(Buffer.from(this.salt), Buffer.from(this.opts.hostname), nonce, Buffer.from(this.opts.sharedKey!));
    this.socket.write(encoder.encode(pingMessage(this.opts.hostname, this.salt, digest)));
    this.phase = 'pong';
  }

  /** Spec "PONG": checks the receiver's digest over its own hostname, so it proves it knows the key too. */
  private onPong(pong: unknown[]): void {
    if (pong[1] !== true) return this.fail(`the receiver refused the handshake: ${textOf(pong[2]) || 'no reason given'}`);
    const serverName = bytesOf(pong[3]);
    const digest = bytesOf(pong[4]);
    if (serverName === undefined || digest === undefined) return this.fail('PONG without hostname or digest');
    const expected = sharedKeyDigest(Buffer.from(this.salt), serverName, this.nonce!, Buffer.from(this.opts.sharedKey!));
    if (!digestMatches(digest, expected)) return this.fail('PONG digest mismatch: the receiver does not hold the same shared key');
    this.becomeReady();
  }

  private onAck(msg: unknown): void {
    const chunk = isPlainMap(msg) ? textOf(msg.ack) : undefined;
    if (chunk === undefined) return this.fail(`expected {"ack": chunk}, got ${describe(msg)}`);
    this.events.ack(chunk);
  }

  private fail(reason: string): void {
    if (this.phase === 'closed') return;
    this.failure ??= new SegError('SEG_ERR_SINK_UNAVAILABLE', reason);
    this.socket.destroy();
  }

  private onClose(): void {
    if (this.phase === 'closed') return;
    const wasReady = this.phase === 'ready';
    this.phase = 'closed';
    clearTimeout(this.timer);
    const error = this.failure ?? (wasReady ? undefined : new SegError('SEG_ERR_SINK_UNAVAILABLE', 'connection closed before it was ready'));
    this.events.closed(error);
  }
}

function open(endpoint: ForwardEndpoint, onConnected: () => void): Socket {
  switch (endpoint.transport) {
    case 'unix':
      return netConnect({ path: endpoint.path }, onConnected);
    case 'tcp':
      return netConnect({ host: endpoint.host, port: endpoint.port }, onConnected);
    case 'tls':
      return tlsConnect({ ...endpoint.tls, host: endpoint.host, port: endpoint.port }, onConnected);
  }
}
