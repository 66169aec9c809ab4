/**
 * One Forward client connection on the server side: the optional shared-key handshake
 * (HELO → PING → PONG), then requests in arrival order. Each request's records go through
 * the processor, the lines to the sink, and only when the sink has accepted all of them is
 * `{"ack": chunk}` written. While a request is in flight the socket is paused, so a fast
 * client is held back by TCP flow control instead of filling memory. Anything the protocol
 * does not allow closes this connection (with a logged reason) and nothing else.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { SegError, toSegError } from '../../core/errors.js';
import type { OutLine } from '../../core/sink.js';
import {
  bytesOf,
  createForwardDecoder,
  createForwardEncoder,
  describe,
  digestMatches,
  heloMessage,
  pongMessage,
  sharedKeyDigest,
  textOf,
} from '../../framing/forward-protocol.js';
import { MsgpackFrameReader } from '../../framing/msgpack-frame-reader.js';
import type { Pipeline } from '../../pipeline/build.js';
import type { Outcome } from '../../pipeline/processor.js';
import { entryToRawRecord, type ForwardRequest, type ForwardRequestDecoder } from './forward-request.js';

/** The parts of the pipeline the Forward server uses (a full Pipeline fits). */
export type ForwardPipeline = Pick<Pipeline, 'logger' | 'metrics' | 'sink' | 'processor' | 'reportFailure'>;

/** What every connection of one server shares. */
export interface ConnectionContext {
  readonly pipeline: ForwardPipeline;
  readonly requests: ForwardRequestDecoder;
  readonly maxFrameBytes: number;
  /** Set: clients must pass the HELO/PING/PONG handshake before sending events. */
  readonly sharedKey: Buffer | undefined;
  readonly hostname: string;
  readonly handshakeTimeoutMs: number;
}

const encoder = createForwardEncoder();
/** The handshake needs raw strings: Fluent Bit packs its random salt (and nonce) as str. */
const handshakeDecoder = createForwardDecoder(true);

/** The sink refused a request's lines: the connection is closed without an ack. */
class DeliveryRefused extends Error {
  constructor(readonly error: SegError) {
    super(error.message);
  }
}

let nextConnectionId = 1;

export class ForwardConnection {
  readonly id = nextConnectionId++;
  /** Resolves once the socket is closed. */
  readonly closed: Promise<void>;
  private readonly reader: MsgpackFrameReader;
  private phase: 'handshake' | 'transport';
  private nonce: Buffer | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  /** A request is being delivered; the socket is paused. */
  private busy = false;
  /** No more frames are taken (shutdown, failure, or refused handshake). */
  private stopping = false;
  private requestSeq = 0;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ConnectionContext,
    readonly peer: string,
  ) {
    this.reader = new MsgpackFrameReader(ctx.maxFrameBytes);
    this.phase = ctx.sharedKey === undefined ? 'transport' : 'handshake';
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  start(): void {
    const { socket } = this;
    socket.setNoDelay(true); // acks are tiny and the client waits for each one
    socket.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      this.pump();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => this.log('debug', `socket error: ${e.message}`, { code: e.code }));
    socket.once('close', () => clearTimeout(this.handshakeTimer));
    if (this.phase === 'handshake') this.sendHelo();
  }

  /** Stops taking frames; the request in flight finishes (and is acked) before the socket ends. */
  shutdown(): void {
    if (this.stopping) return;
    this.stopping = true;
    if (!this.busy) this.socket.end();
  }

  destroy(): void {
    this.stopping = true;
    this.socket.destroy();
  }

  private pump(): void {
    while (!this.busy && !this.stopping) {
      let frame: Uint8Array | undefined;
      let pending: Promise<void> | undefined;
      try {
        frame = this.reader.next();
        if (frame === undefined) return;
        pending = this.handleFrame(frame);
      } catch (e) {
        this.fail(toSegError(e));
        return;
      }
      if (pending !== undefined) this.wait(pending);
    }
  }

  /** Holds the socket while a request is delivered, then continues with the next frame. */
  private wait(pending: Promise<void>): void {
    this.busy = true;
    this.socket.pause();
    pending.then(
      () => {
        this.busy = false;
        if (this.stopping) {
          // Keep reading (frames are no longer taken) so the client's FIN is seen and the close completes.
          this.socket.resume();
          this.socket.end();
          return;
        }
        this.socket.resume();
        this.pump();
      },
      (e: unknown) => {
        this.busy = false;
        this.fail(e instanceof DeliveryRefused ? e.error : toSegError(e), e instanceof DeliveryRefused);
      },
    );
  }

  private handleFrame(frame: Uint8Array): Promise<void> | undefined {
    if (this.phase === 'handshake') {
      this.handlePing(frame);
      return undefined;
    }
    const request = this.ctx.requests.decode(frame);
    if (request.kind === 'heartbeat') return undefined;
    return this.handleEvents(request);
  }

  /**
   * Formats every entry, delivers the lines, then acks. Records that cannot be formatted are
   * accounted failures (logged, counted) and do not hold back the ack: retrying the same bytes
   * can never format them.
   */
  private handleEvents(request: Extract<ForwardRequest, { kind: 'events' }>): Promise<void> | undefined {
    const started = performance.now();
    const { pipeline } = this.ctx;
    const { tag, entries, chunk } = request;
    const prefix = `forward:${tag}#${chunk ?? `${this.id}.${++this.requestSeq}`}:`;
    const lines: OutLine[] = [];
    for (let i = 0; i < entries.length; i++) {
      const outcome = this.processEntry(entries[i], prefix + i);
      if (outcome.ok) lines.push(outcome.line);
      else pipeline.reportFailure('forward', outcome, { tag });
    }
    pipeline.metrics.recordsIn('forward', entries.length);
    if (lines.length === 0) {
      this.ack(chunk, started);
      return undefined;
    }
    return pipeline.sink.deliver(lines).then(
      () => {
        pipeline.metrics.recordsOut('forward', lines.length);
        this.ack(chunk, started);
      },
      (e: unknown) => {
        const err = toSegError(e);
        pipeline.metrics.recordsFailed('forward', err.code, lines.length);
        throw new DeliveryRefused(
          new SegError(err.code, `sink did not accept ${lines.length} lines of ${chunk === undefined ? 'a request' : `chunk ${chunk}`} (${err.message}); closing without ack so the client retries`, { permanent: err.permanent }),
        );
      },
    );
  }

  private processEntry(entry: unknown, origin: string): Outcome {
    try {
      return this.ctx.pipeline.processor.process(entryToRawRecord(entry, origin));
    } catch (e) {
      return { ok: false, origin, error: toSegError(e) };
    }
  }

  private ack(chunk: string | undefined, started: number): void {
    if (chunk !== undefined) this.socket.write(encoder.encode({ ack: chunk }));
    this.ctx.pipeline.metrics.requestLatency('forward', (performance.now() - started) / 1000);
  }

  private sendHelo(): void {
    this.nonce = randomBytes(16);
    this.socket.write(encoder.encode(heloMessage(this.nonce)));
    this.handshakeTimer = setTimeout(() => {
      this.fail(new SegError('SEG_ERR_PROTOCOL', `no PING within ${this.ctx.handshakeTimeoutMs} ms of HELO`));
    }, this.ctx.handshakeTimeoutMs);
  }

  /** Spec "PING"/"PONG": checks sha512_hex(salt + client_hostname + nonce + shared_key). */
  private handlePing(frame: Uint8Array): void {
    let ping: unknown;
    try {
      ping = handshakeDecoder.decode(frame);
    } catch (e) {
      throw new SegError('SEG_ERR_PROTOCOL', `handshake message is not valid msgpack (${(e as Error).message})`);
    }
    if (ping === null) return; // heartbeat
    if (!Array.isArray(ping) || textOf(ping[0]) !== 'PING' || ping.length !== 6) {
      throw new SegError('SEG_ERR_PROTOCOL', `expected PING after HELO, got ${Array.isArray(ping) ? `[${textOf(ping[0]) ?? describe(ping[0])}, …]` : describe(ping)} (a shared key is required)`);
    }
    const [, hostname, salt, digest] = ping.map(bytesOf);
    if (hostname === undefined || salt === undefined || digest === undefined) {
      throw new SegError('SEG_ERR_PROTOCOL', 'PING hostname, salt and digest must be str or bin');
    }
    const key = this.ctx.sharedKey!;
    const nonce = this.nonce!;
    const self = Buffer.from(this.ctx.hostname, 'utf8');
    clearTimeout(this.handshakeTimer);
    if (!digestMatches(digest, sharedKeyDigest(salt, hostname, nonce, key))) {
      // Spec "Fluentd Forward Server": the server MUST disconnect when authentication fails.
      this.socket.write(encoder.encode(pongMessage(false, 'shared_key mismatch', this.ctx.hostname, '')));
      this.log('warn', 'closing connection: shared key mismatch in PING', { client: textOf(hostname) });
      this.shutdown();
      return;
    }
    this.socket.write(encoder.encode(pongMessage(true, '', this.ctx.hostname, sharedKeyDigest(salt, self, nonce, key))));
    this.phase = 'transport';
    this.log('debug', 'handshake complete', { client: textOf(hostname) });
  }

  /** Closes this connection (never the server) and logs why. */
  private fail(error: SegError, refusedBySink = false): void {
    if (this.socket.destroyed) return;
    this.stopping = true;
    this.log('warn', `closing connection: ${error.message}`, { code: error.code, ...(refusedBySink ? { retryable: !error.permanent } : {}) });
    this.socket.destroy();
  }

  private log(level: 'warn' | 'debug', msg: string, fields: Record<string, unknown> = {}): void {
    this.ctx.pipeline.logger.log(level, `forward: ${msg}`, { peer: this.peer, connection: this.id, ...fields });
  }
}
