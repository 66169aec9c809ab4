/**
 * `--sink forward://HOST:PORT` (also `forward+tls://`, `forward+unix:///path`): returns the
 * formatted lines to a Fluent Forward receiver, usually Fluent Bit's `forward` input, so a
 * Fluent Bit pipeline can carry them on to the SIEM. Lines wait in a bounded queue, leave in
 * chunks of `--forward-chunk-lines` (a few chunks in flight), and a deliver() resolves only
 * when the receiver has acked every chunk holding its lines. A chunk not acked within
 * `--forward-ack-timeout`, or whose connection was lost, is re-sent unchanged (same chunk id)
 * on a new connection after a jittered back-off: delivery is at-least-once.
 *
 * Answering callers in bounded time: while the receiver is down (between a failure and the
 * next successful connection) deliver() rejects at once with SEG_ERR_SINK_UNAVAILABLE; a full
 * queue rejects with SEG_ERR_SINK_FULL after `queueWaitMs` (`--on-full block`) or drops
 * (`--on-full drop`); and an accepted batch not acked within twice the ack timeout is rejected
 * with SEG_ERR_SINK_UNAVAILABLE while its lines stay queued and are still sent (a caller that
 * retries may then cause duplicates, which at-least-once allows).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import { SegError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { CloseReport, OutLine, Sink, SinkStats } from '../../core/sink.js';
import type { SinkConfig } from '../../config/schema.js';
import type { SinkTarget } from '../../config/sink-url.js';
import { BoundedQueue } from '../bounded-queue.js';
import { ChunkEncoder } from './chunk-encoder.js';
import { ForwardClient, type ForwardEndpoint } from './forward-client.js';

export type ForwardTarget = Extract<SinkTarget, { kind: 'forward' }>;

/** Fixed behaviour with no flag, in one place so the README and tests can name each value. */
export interface ForwardSinkTuning {
  /** `--on-full block`: how long deliver() waits for queue room. */
  readonly queueWaitMs: number;
  /** TCP connect + TLS + handshake must finish within this time. */
  readonly connectTimeoutMs: number;
  /** Chunks sent and not yet acked, at most. */
  readonly windowChunks: number;
  /** A chunk also ends once its lines reach this many characters (receivers cap a request's size). */
  readonly chunkMaxChars: number;
  /** Shortest gap between two warnings about connection failures or drops. */
  readonly logEveryMs: number;
}

export const DEFAULT_FORWARD_SINK_TUNING: ForwardSinkTuning = {
  queueWaitMs: 1_000,
  connectTimeoutMs: 10_000,
  windowChunks: 4,
  chunkMaxChars: 1_000_000,
  logEveryMs: 60_000,
};

export function createForwardSink(
  target: ForwardTarget,
  cfg: SinkConfig,
  logger: Logger,
  tuning: ForwardSinkTuning = DEFAULT_FORWARD_SINK_TUNING,
): Sink {
  return new ForwardSink(target, cfg, logger, tuning);
}

interface InFlightChunk {
  readonly id: string;
  readonly payload: Uint8Array;
  readonly lines: readonly OutLine[];
  acked: boolean;
}

type State = 'idle' | 'connecting' | 'ready' | 'backoff' | 'closed';

class ForwardSink implements Sink {
  readonly name: string;
  readonly maxMessageBytes = undefined;
  private readonly queue: BoundedQueue<OutLine>;
  private readonly encoder: ChunkEncoder;
  private readonly endpoint: ForwardEndpoint;
  /** Sent (or to be re-sent) and not yet acked, oldest first. */
  private readonly inFlight: InFlightChunk[] = [];
  private client: ForwardClient | undefined;
  private state: State = 'idle';
  /** False from a failed or lost connection until the next one is ready: deliver() answers at once. */
  private healthy = true;
  private lastError: SegError | undefined;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private ackTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private report: CloseReport | undefined;
  private delivered = 0;
  private dropped = 0;
  private reconnects = 0;
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private readonly listeners: Array<(e: SegError) => void> = [];

  constructor(
    target: ForwardTarget,
    private readonly cfg: SinkConfig,
    private readonly logger: Logger,
    private readonly tuning: ForwardSinkTuning,
  ) {
    this.name = sinkName(target);
    this.endpoint = endpointOf(target, cfg);
    this.encoder = new ChunkEncoder(cfg.forward.tag);
    this.queue = new BoundedQueue<OutLine>({
      capacity: cfg.queueSize,
      onFull: cfg.onFull,
      blockTimeoutMs: tuning.queueWaitMs,
      fullError: () =>
        this.healthy
          ? new SegError('SEG_ERR_SINK_FULL', `${this.name}: queue full (${cfg.queueSize} lines)`)
          : this.downError(),
      onReady: () => this.kick(),
      onDrop: (count) => {
        this.dropped += count;
        this.warn(`${this.name}: queue full, dropped ${count} lines (--on-full drop)`, { dropped: this.dropped });
      },
    });
  }

  deliver(batch: readonly OutLine[]): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError());
    if (batch.length === 0) return Promise.resolve();
    if (!this.healthy) return Promise.reject(this.downError());
    const accepted = this.queue.offer(batch, () => this.closedError());
    return settleWithin(accepted, 2 * this.cfg.forward.ackTimeoutMs, () =>
      new SegError('SEG_ERR_SINK_UNAVAILABLE', `${this.name}: lines not acknowledged within ${2 * this.cfg.forward.ackTimeoutMs} ms (they stay queued)`),
    );
  }

  async close(deadlineMs: number): Promise<CloseReport> {
    if (this.report !== undefined) return this.report;
    this.closing = true;
    this.queue.close(() => this.closedError());
    if (this.queue.depth > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.queue.whenEmpty(), new Promise((r) => (timer = setTimeout(r, Math.max(0, deadlineMs))))]);
      clearTimeout(timer);
    }
    this.state = 'closed';
    clearTimeout(this.retryTimer);
    clearTimeout(this.ackTimer);
    this.client?.destroy(this.closedError());
    this.client = undefined;
    const undelivered = this.logUndelivered();
    this.queue.failAll(this.closedError());
    this.report = { delivered: this.delivered, undelivered };
    return this.report;
  }

  stats(): SinkStats {
    return { queueDepth: this.queue.depth, delivered: this.delivered, dropped: this.dropped, reconnects: this.reconnects };
  }

  onError(listener: (e: SegError) => void): void {
    this.listeners.push(listener);
  }

  /** New lines were queued: connect if idle, send if connected. */
  private kick(): void {
    if (this.state === 'idle') this.connect();
    else if (this.state === 'ready') this.pump();
  }

  private connect(): void {
    this.state = 'connecting';
    const client: ForwardClient = new ForwardClient(
      {
        endpoint: this.endpoint,
        sharedKey: this.cfg.forward.sharedKey,
        hostname: hostname(),
        connectTimeoutMs: this.tuning.connectTimeoutMs,
      },
      {
        ready: () => this.onReady(client),
        ack: (id) => this.onAck(id),
        closed: (error) => this.onClosed(client, error),
      },
    );
    this.client = client;
  }

  private onReady(client: ForwardClient): void {
    if (this.state === 'closed') return;
    if (!this.healthy) this.logger.log('info', `${this.name}: connected again`, { resending: this.inFlight.length });
    this.state = 'ready';
    this.healthy = true;
    this.lastError = undefined;
    this.failures = 0;
    // Chunks of the lost connection go first and unchanged, so the order of lines is kept.
    for (const chunk of this.inFlight) client.write(chunk.payload);
    this.armAckTimer();
    this.pump();
  }

  private pump(): void {
    const client = this.client;
    if (this.state !== 'ready' || client === undefined) return;
    while (this.inFlight.length < this.tuning.windowChunks && this.queue.waiting > 0) {
      let chars = 0;
      const lines = this.queue.take(this.cfg.forward.chunkLines, (line) => (chars += line.text.length) <= this.tuning.chunkMaxChars);
      const { id, payload } = this.encoder.encode(lines);
      this.inFlight.push({ id, payload, lines, acked: false });
      client.write(payload);
    }
    this.armAckTimer();
  }

  /** Acks release chunks in order; one acked out of order waits for those before it. */
  private onAck(id: string): void {
    const chunk = this.inFlight.find((c) => c.id === id);
    if (chunk === undefined) {
      this.logger.log('debug', `${this.name}: ack for an unknown chunk ignored`, { chunk: id });
      return;
    }
    chunk.acked = true;
    while (this.inFlight.length > 0 && this.inFlight[0]!.acked) {
      const done = this.inFlight.shift()!;
      this.queue.ack(done.lines.length);
      this.delivered += done.lines.length;
    }
    // The ack timer measures time without progress.
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.pump();
  }

  private armAckTimer(): void {
    if (this.ackTimer !== undefined || this.inFlight.length === 0) return;
    const timeout = this.cfg.forward.ackTimeoutMs;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      const oldest = this.inFlight[0];
      this.client?.destroy(
        new SegError('SEG_ERR_SINK_UNAVAILABLE', `no ack for chunk ${oldest?.id ?? '?'} within ${timeout} ms; reconnecting to re-send it`),
      );
    }, timeout);
  }

  private onClosed(client: ForwardClient, error: SegError | undefined): void {
    if (client !== this.client) return;
    this.client = undefined;
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.state === 'closed') return;
    const pending = this.inFlight.length > 0 || this.queue.waiting > 0;
    if (error === undefined && !pending) {
      // The receiver closed an idle connection: reconnect when there is something to send.
      this.state = 'idle';
      return;
    }
    const reason = error ?? new SegError('SEG_ERR_SINK_UNAVAILABLE', 'the receiver closed the connection with chunks unacknowledged');
    this.healthy = false;
    this.lastError = reason;
    this.failures++;
    this.state = 'backoff';
    const delay = backoffDelay(this.failures, this.cfg.reconnectMinMs, this.cfg.reconnectMaxMs);
    this.warn(`${this.name}: ${reason.message}; retrying in ${delay} ms`, { failures: this.failures, queued: this.queue.depth });
    for (const listener of this.listeners) listener(reason);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state !== 'backoff') return;
      this.reconnects++;
      this.connect();
    }, delay);
  }

  private logUndelivered(): number {
    const waiting = this.queue.take(this.queue.waiting);
    const lines = [...this.inFlight.flatMap((c) => c.lines), ...waiting];
    for (const line of lines) {
      this.logger.log('error', `${this.name}: line not delivered before the shutdown deadline`, { line: line.text });
    }
    return lines.length;
  }

  private downError(): SegError {
    return new SegError('SEG_ERR_SINK_UNAVAILABLE', `${this.name} is unavailable: ${this.lastError?.message ?? 'not connected'}`);
  }

  private closedError(): SegError {
    return new SegError('SEG_ERR_SINK_CLOSED', `${this.name} is closed`, { permanent: true });
  }

  private warn(msg: string, fields: Record<string, unknown>): void {
    const now = Date.now();
    if (now - this.lastWarnAt < this.tuning.logEveryMs) return;
    this.lastWarnAt = now;
    this.logger.log('warn', msg, { sink: this.name, ...fields });
  }
}

/**
 * Capped exponential back-off with jitter: the n-th consecutive failure waits a uniformly
 * random time in [min, min(max, min * 2^(n-1))], so many senders that lost the same receiver
 * do not reconnect in lock-step.
 */
export function backoffDelay(failures: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const min = Math.max(0, minMs);
  const ceiling = Math.max(min, Math.min(maxMs, min * 2 ** Math.min(failures - 1, 52)));
  return Math.round(min + random() * (ceiling - min));
}

/** Settles like `promise`, or rejects with `onTimeout()` if that takes longer than `ms`. */
function settleWithin(promise: Promise<void>, ms: number, onTimeout: () => SegError): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function sinkName(target: ForwardTarget): string {
  switch (target.transport) {
    case 'unix':
      return `forward+unix://${target.path}`;
    case 'tcp':
      return `forward://${hostPort(target.host, target.port)}`;
    case 'tls':
      return `forward+tls://${hostPort(target.host, target.port)}`;
  }
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function endpointOf(target: ForwardTarget, cfg: SinkConfig): ForwardEndpoint {
  if (target.transport === 'unix') return { transport: 'unix', path: target.path };
  if (target.transport === 'tcp') return { transport: 'tcp', host: target.host, port: target.port };
  const { ca, cert, key, serverName, insecure } = cfg.tls;
  const tls: ConnectionOptions = { rejectUnauthorized: !insecure };
  if (ca !== undefined) tls.ca = readFileSync(ca);
  if (cert !== undefined) tls.cert = readFileSync(cert);
  if (key !== undefined) tls.key = readFileSync(key);
  const name = serverName ?? (isIP(target.host) === 0 ? target.host : undefined);
  if (name !== undefined) tls.servername = name;
  return { transport: 'tls', host: target.host, port: target.port, tls };
}
