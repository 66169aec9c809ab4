/**
 * Keeps one TCP or TLS connection to a syslog receiver alive and writes the sink's queue to
 * it. Queued lines are taken in order, framed and coalesced into one socket write; when the
 * write callback fires the kernel has the bytes and the lines count as delivered. A lost
 * connection puts unconfirmed lines back in the queue, and the next connection first re-sends
 * the replay window (the most recent lines written), because bytes the kernel accepted may
 * never have been read by a receiver that died. Reconnects use capped, jittered back-off.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SegError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { frameBatch, type Framing } from '../../framing/framer.js';
import type { BoundedQueue } from '../bounded-queue.js';
import type { Backoff } from './backoff.js';
import type { StreamConnector } from './connection.js';
import type { ReplayWindow } from './replay-window.js';
import { ThrottledLog } from './throttled-log.js';
import type { SyslogSinkTuning } from './tuning.js';

/** What a link tells its sink. */
export interface LinkEvents {
  delivered(count: number): void;
  /** A connection became usable; `again` is false only for the very first one. */
  connected(again: boolean): void;
  /** A background failure (connect refused, connection lost, TLS rejected). */
  failed(error: SegError): void;
}

export interface StreamLinkDeps {
  readonly name: string;
  readonly framing: Framing;
  readonly queue: BoundedQueue<string>;
  readonly replay: ReplayWindow;
  readonly connector: StreamConnector;
  readonly backoff: Backoff;
  readonly tuning: SyslogSinkTuning;
  readonly logger: Logger;
  readonly events: LinkEvents;
}

/** A connection that lived less than this counts as a failed attempt for the back-off. */
const STABLE_AFTER_MS = 5_000;

/** Error codes that mean "the receiver's certificate is not trusted", not "it is down". */
const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export class StreamLink {
  private socket: Socket | undefined;
  /** Bumped whenever a socket is abandoned, so its late callbacks are ignored. */
  private generation = 0;
  private ready = false;
  /** When the link became unusable: a connection lost or an attempt failed; undefined while up or connecting. */
  private downSince: number | undefined;
  private writing = false;
  private replayDue = false;
  private everConnected = false;
  /** Failed attempts and lost connections since the link was last usable. */
  private failuresSinceReady = 0;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  // Per-connection facts, reset by connect().
  private readyAt = 0;
  private wroteOnConnection = false;
  private lastWriteDoneAt = 0;
  private lastError: Error | undefined;
  private lastFailureText: string | undefined;
  private endedWhileQuiet = false;
  private sessionTicketSeen = false;
  private readonly failures: ThrottledLog;

  constructor(private readonly deps: StreamLinkDeps) {
    this.failures = new ThrottledLog(deps.logger, deps.tuning.logEveryMs);
  }

  get connected(): boolean {
    return this.ready;
  }

  /** How long the link has been unusable; 0 while connected. */
  downForMs(): number {
    return this.ready || this.downSince === undefined ? 0 : Date.now() - this.downSince;
  }

  /**
   * The last connection failure, for the messages of SEG_ERR_SINK_UNAVAILABLE. Kept until a
   * connection is ready again, so it still explains the outage while a retry is in flight.
   */
  get lastFailure(): string | undefined {
    return this.lastFailureText;
  }

  start(): void {
    this.connect();
  }

  /** New lines are waiting. */
  kick(): void {
    this.pump();
  }

  /**
   * Stops reconnecting and releases the socket: `graceful` ends it (TLS close_notify, FIN)
   * and waits up to `graceMs` for the receiver to close, otherwise it is destroyed at once.
   */
  async stop(graceful: boolean, graceMs: number): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    const socket = this.socket;
    if (socket === undefined || socket.destroyed) return;
    if (!graceful || !this.ready) {
      // Abandon first, so a write callback racing the destroy cannot ack a failed-over queue.
      this.generation++;
      this.ready = false;
      this.writing = false;
      this.deps.queue.requeue();
      socket.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.destroy(), Math.max(0, graceMs));
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }

  private connect(): void {
    this.retryTimer = undefined;
    if (this.stopped) return;
    const { connector, tuning } = this.deps;
    let opened;
    try {
      opened = connector.open();
    } catch (e) {
      this.lastError = e as Error;
      this.afterFailure(false);
      return;
    }
    const gen = ++this.generation;
    const { socket, readyEvent } = opened;
    this.socket = socket;
    this.readyAt = 0;
    this.wroteOnConnection = false;
    this.lastError = undefined;
    this.endedWhileQuiet = false;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, tuning.keepAliveMs);
    socket.setTimeout(tuning.connectTimeoutMs, () => {
      const e = Object.assign(new Error(`no connection within ${tuning.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' });
      socket.destroy(e);
    });
    this.sessionTicketSeen = false;
    socket.once('session', () => {
      this.sessionTicketSeen = true;
    });
    socket.once(readyEvent, () => this.onHandshake(gen));
    // Syslog receivers send nothing back; reading anyway is how a reset or a close is noticed.
    socket.on('data', ignore);
    socket.on('end', () => this.onPeerEnd(gen));
    socket.on('error', (e) => {
      if (gen === this.generation) this.lastError = e;
    });
    socket.on('close', () => this.onClose(gen));
  }

  /**
   * TCP is usable once connected. With TLS 1.3 the client finishes its handshake before the
   * server has checked the client certificate (RFC 8446 §4.4.2): a server that rejects it
   * answers with an alert one round trip later, after our first lines would have counted as
   * delivered. The server's NewSessionTicket, sent only after it accepted the handshake, is
   * the proof we wait for; servers that send no tickets are trusted after `tlsAcceptWaitMs`.
   */
  private onHandshake(gen: number): void {
    if (gen !== this.generation) return;
    const socket = this.socket as TLSSocket;
    if (typeof socket.getProtocol !== 'function' || socket.getProtocol() !== 'TLSv1.3' || this.sessionTicketSeen) {
      this.onReady(gen);
      return;
    }
    const timer = setTimeout(() => this.onReady(gen), this.deps.tuning.tlsAcceptWaitMs);
    socket.once('session', () => {
      clearTimeout(timer);
      // 'session' fires inside OpenSSL's read callback; writing from there can stall, so defer.
      setImmediate(() => this.onReady(gen));
    });
    socket.once('close', () => clearTimeout(timer));
  }

  private onReady(gen: number): void {
    if (gen !== this.generation || this.ready) return;
    const { logger, name, events } = this.deps;
    this.socket!.setTimeout(0);
    this.ready = true;
    this.downSince = undefined;
    this.readyAt = Date.now();
    const again = this.everConnected;
    this.everConnected = true;
    this.failures.reset();
    logger.log('info', again ? 'reconnected' : 'connected', {
      sink: name,
      ...(again ? { failures: this.failuresSinceReady, replayLines: this.replayDue ? this.deps.replay.length : 0 } : {}),
    });
    this.failuresSinceReady = 0;
    this.lastFailureText = undefined;
    events.connected(again);
    this.pump();
  }

  /** The receiver closed its side (FIN). Quiet means nothing was written for a while. */
  private onPeerEnd(gen: number): void {
    if (gen !== this.generation) return;
    this.endedWhileQuiet = !this.writing && Date.now() - this.lastWriteDoneAt >= this.deps.tuning.cleanCloseQuietMs;
  }

  private onClose(gen: number): void {
    if (gen !== this.generation) return;
    this.generation++;
    const wasReady = this.ready;
    this.ready = false;
    this.writing = false;
    this.socket = undefined;
    this.deps.queue.requeue();
    if (this.wroteOnConnection) this.decideReplay();
    if (this.stopped) return;
    if (wasReady && Date.now() - this.readyAt >= STABLE_AFTER_MS) this.deps.backoff.reset();
    this.afterFailure(wasReady);
  }

  /**
   * After a connection that carried data: replay the window, unless the receiver closed
   * cleanly after a quiet spell (it read everything; see SyslogSinkTuning.cleanCloseQuietMs).
   */
  private decideReplay(): void {
    if (this.lastError === undefined && this.endedWhileQuiet) {
      this.deps.replay.clear();
      this.replayDue = false;
    } else {
      this.replayDue = this.deps.replay.length > 0;
    }
  }

  private afterFailure(wasReady: boolean): void {
    const { backoff, name, events } = this.deps;
    this.downSince ??= Date.now();
    this.failuresSinceReady++;
    const delay = backoff.next();
    const e = this.lastError;
    const code = errorCode(e);
    const hint = tlsHint(code);
    const what = wasReady ? 'connection lost' : 'cannot connect';
    const detail = e === undefined ? (wasReady ? 'closed by the receiver' : 'closed before it was ready') : describe(e);
    this.lastFailureText = detail;
    this.failures.log(hint === undefined ? 'warn' : 'error', `${wasReady ? 'lost' : 'connect'}:${code}`, `${what}: ${detail}`, {
      sink: name,
      code,
      retryInMs: delay,
      queued: this.deps.queue.depth,
      ...(hint === undefined ? {} : { hint }),
      ...(this.replayDue ? { replayLines: this.deps.replay.length } : {}),
    });
    events.failed(new SegError('SEG_ERR_SINK_UNAVAILABLE', `${name}: ${what}: ${detail}`, { cause: e }));
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private pump(): void {
    if (!this.ready || this.writing) return;
    const { queue, replay, tuning, events } = this.deps;
    if (this.replayDue) {
      this.write(replay.lines(), () => {
        this.replayDue = false;
        this.pump();
      });
      return;
    }
    let bytes = 0;
    const lines = queue.take(tuning.writeMaxLines, (line) => (bytes += line.length) <= tuning.writeMaxBytes);
    if (lines.length === 0) return;
    this.write(lines, () => {
      replay.push(lines);
      queue.ack(lines.length);
      events.delivered(lines.length);
      this.pump();
    });
  }

  /** One coalesced write; `done` runs when the kernel took every byte of it. */
  private write(lines: readonly string[], done: () => void): void {
    const gen = this.generation;
    this.writing = true;
    this.wroteOnConnection = true;
    this.socket!.write(frameBatch(lines, this.deps.framing), (err) => {
      // A failed write leaves `writing` set: the close that follows requeues and reconnects.
      if (gen !== this.generation || err) return;
      this.writing = false;
      this.lastWriteDoneAt = Date.now();
      done();
    });
  }
}

function ignore(): void {}

/** One readable line for an error: OpenSSL's reason rather than its multi-part message. */
function describe(e: Error): string {
  const reason = (e as { reason?: unknown }).reason;
  const text = typeof reason === 'string' && reason.length > 0 ? reason : e.message;
  return text.split('\n')[0]!.trim();
}

/** A configuration hint for TLS failures that retrying alone will not fix. */
function tlsHint(code: string): string | undefined {
  if (TLS_TRUST_CODES.has(code)) return 'the receiver\'s certificate is not trusted: check --sink-tls-ca and --sink-tls-servername';
  if (code.startsWith('ERR_SSL_') && code.includes('ALERT')) {
    return 'the receiver refused the TLS handshake: check the client certificate (--sink-tls-cert/--sink-tls-key) and TLS versions';
  }
  return undefined;
}

function errorCode(e: Error | undefined): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'ECLOSED';
}
