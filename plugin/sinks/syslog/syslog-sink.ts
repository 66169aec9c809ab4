/**
 * The syslog sink: `syslog+tcp://`, `syslog+tls://` and `syslog+udp://`. deliver() checks
 * each line, puts the batch in a bounded queue and resolves once the kernel accepted every
 * line of it; a link (stream-link.ts for TCP/TLS, datagram-link.ts for UDP) drains the queue,
 * reconnecting with back-off. Delivery over TCP/TLS is at-least-once: after a lost connection
 * the last lines written (the replay window) are sent again, so a receiver that died with
 * unread data loses nothing, at the price of duplicates. Nothing is dropped silently: drops
 * (`--on-full drop`), refused lines and lines left at the shutdown deadline are counted and logged.
 */
import type { SinkConfig } from '../../config/schema.js';
import type { SinkTarget } from '../../config/sink-url.js';
import { SegError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { CloseReport, OutLine, Sink, SinkStats } from '../../core/sink.js';
import { frameProblem, type Framing } from '../../framing/framer.js';
import { BoundedQueue } from '../bounded-queue.js';
import { Backoff } from './backoff.js';
import { StreamConnector } from './connection.js';
import { DatagramLink } from './datagram-link.js';
import { ReplayWindow } from './replay-window.js';
import { StreamLink, type LinkEvents } from './stream-link.js';
import { DEFAULT_TUNING, type SyslogSinkTuning } from './tuning.js';

export type SyslogTarget = Extract<SinkTarget, { kind: 'syslog' }>;

/** SinkStats plus the lines deliver() refused because they could never be sent. */
export interface SyslogSinkStats extends SinkStats {
  readonly rejected: number;
}

/** On close, the longest wait for the receiver to acknowledge our end of the connection. */
const GRACEFUL_CLOSE_MAX_MS = 1_000;
/** Refused lines described in one log entry (the count covers all of them). */
const REFUSALS_LOGGED = 5;

export function createSyslogSink(
  target: SyslogTarget,
  cfg: SinkConfig,
  logger: Logger,
  tuning: SyslogSinkTuning = DEFAULT_TUNING,
): Sink {
  return new SyslogSink(target, cfg, logger, tuning);
}

/** `lf` for plain TCP (what most SIEM "TCP syslog" inputs expect), octet counting for TLS (RFC 5425 §4.3). */
export function defaultFraming(transport: 'tcp' | 'tls'): Framing {
  return transport === 'tls' ? 'octet' : 'lf';
}

export function syslogSinkName(target: SyslogTarget): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `syslog+${target.transport}://${host}:${target.port}`;
}

interface Refusal {
  readonly index: number;
  readonly eventId: string | undefined;
  readonly problem: string;
}

class SyslogSink implements Sink {
  readonly name: string;
  readonly maxMessageBytes: number | undefined;
  private readonly framing: Framing | undefined;
  private readonly queue: BoundedQueue<string>;
  private readonly link: StreamLink | DatagramLink;
  private readonly listeners: Array<(e: SegError) => void> = [];
  private delivered = 0;
  private dropped = 0;
  private rejected = 0;
  private reconnects = 0;
  private dropsNotLogged = 0;
  private lastDropLogAt = 0;
  private closing: Promise<CloseReport> | undefined;

  constructor(
    target: SyslogTarget,
    private readonly cfg: SinkConfig,
    private readonly logger: Logger,
    private readonly tuning: SyslogSinkTuning,
  ) {
    this.name = syslogSinkName(target);
    this.maxMessageBytes = target.transport === 'udp' ? cfg.udpMaxBytes : undefined;
    this.framing = target.transport === 'udp' ? undefined : (cfg.framing ?? defaultFraming(target.transport));
    this.queue = new BoundedQueue<string>({
      capacity: Math.max(1, cfg.queueSize),
      onFull: cfg.onFull,
      blockTimeoutMs: tuning.queueWaitMs,
      fullError: () => this.fullError(),
      onReady: () => this.link.kick(),
      onDrop: (n) => this.noteDrops(n),
    });
    const events: LinkEvents = {
      delivered: (n) => {
        this.delivered += n;
      },
      connected: (again) => {
        if (again) this.reconnects++;
      },
      failed: (e) => this.emitError(e),
    };
    const backoff = new Backoff(cfg.reconnectMinMs, cfg.reconnectMaxMs);
    const common = { name: this.name, queue: this.queue, backoff, tuning, logger, events };
    if (target.transport === 'udp') {
      this.link = new DatagramLink({ ...common, host: target.host, port: target.port });
    } else {
      const connector = new StreamConnector(target as SyslogTarget & { transport: 'tcp' | 'tls' }, cfg.tls, this.name, logger);
      const replay = new ReplayWindow(Math.min(cfg.queueSize, tuning.replayWindowLines), tuning.replayWindowChars);
      this.link = new StreamLink({ ...common, framing: this.framing!, replay, connector });
    }
    this.link.start();
  }

  deliver(batch: readonly OutLine[]): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(this.closedError());
    if (this.failFastWhileDown()) return Promise.reject(this.fullError());
    const texts: string[] = [];
    let refusals: Refusal[] | undefined;
    for (let i = 0; i < batch.length; i++) {
      const line = batch[i]!;
      const problem = this.problemWith(line.text);
      if (problem === undefined) texts.push(line.text);
      else (refusals ??= []).push({ index: i, eventId: line.eventId, problem });
    }
    const queued = this.queue.offer(texts, () => this.closedError());
    if (refusals === undefined) return queued;
    const error = this.refuse(refusals, batch.length);
    // The other lines of the batch still go out; the caller learns of the refusal afterwards.
    return queued.then(() => Promise.reject(error));
  }

  close(deadlineMs: number): Promise<CloseReport> {
    this.closing ??= this.drain(deadlineMs);
    return this.closing;
  }

  stats(): SyslogSinkStats {
    return {
      queueDepth: this.queue.depth,
      delivered: this.delivered,
      dropped: this.dropped,
      reconnects: this.reconnects,
      rejected: this.rejected,
    };
  }

  onError(listener: (e: SegError) => void): void {
    this.listeners.push(listener);
  }

  /**
   * `block` policy: once the target has been unreachable for `queueWaitMs`, new batches are
   * refused at once with SEG_ERR_SINK_UNAVAILABLE instead of being queued behind an outage of
   * unknown length — the caller keeps them (a file offset, a client's retry) and tries again.
   * Batches queued before stay queued. `drop` keeps queueing up to capacity.
   */
  private failFastWhileDown(): boolean {
    return this.cfg.onFull === 'block' && this.link.downForMs() >= this.tuning.queueWaitMs;
  }

  /** Why a line can never be sent, or undefined. A UDP line must fit one datagram (RFC 5426 §3.2). */
  private problemWith(text: string): string | undefined {
    const framingProblem = frameProblem(text, this.framing ?? 'lf');
    if (framingProblem !== undefined || this.maxMessageBytes === undefined) return framingProblem;
    // UTF-8 needs at most 3 bytes per UTF-16 unit: short lines skip the byte count.
    if (text.length * 3 <= this.maxMessageBytes) return undefined;
    const bytes = Buffer.byteLength(text, 'utf8');
    return bytes > this.maxMessageBytes ? `${bytes} bytes, over the UDP limit of ${this.maxMessageBytes}` : undefined;
  }

  /** Counts and logs refused lines (never their text) and returns the permanent error. */
  private refuse(refusals: readonly Refusal[], batchSize: number): SegError {
    this.rejected += refusals.length;
    const first = refusals[0]!;
    const message = `${this.name}: ${refusals.length} of ${batchSize} lines refused (line ${first.index}: ${first.problem}); the others were delivered`;
    this.logger.log('error', 'lines refused by the sink: they can never be sent', {
      sink: this.name,
      code: 'SEG_ERR_FORMAT',
      refused: refusals.length,
      batchSize,
      lines: refusals.slice(0, REFUSALS_LOGGED).map((r) => ({ index: r.index, eventId: r.eventId, problem: r.problem })),
    });
    return new SegError('SEG_ERR_FORMAT', message, { permanent: true });
  }

  private async drain(deadlineMs: number): Promise<CloseReport> {
    const started = Date.now();
    this.queue.close(() => this.closedError());
    const drained = await this.queueEmptiesWithin(deadlineMs);
    let undelivered = 0;
    if (drained) {
      const left = deadlineMs - (Date.now() - started);
      await this.stopLink(true, Math.min(left, GRACEFUL_CLOSE_MAX_MS));
    } else {
      await this.stopLink(false, 0);
      undelivered = this.queue.failAll(
        new SegError('SEG_ERR_SINK_CLOSED', `${this.name}: not delivered within the ${deadlineMs} ms shutdown deadline`),
      );
      this.dropped += undelivered;
      this.logger.log('error', 'lines not delivered before the shutdown deadline', {
        sink: this.name,
        undelivered,
        deadlineMs,
        lastFailure: this.link instanceof StreamLink ? this.link.lastFailure : undefined,
      });
    }
    this.logDrops(true);
    this.logger.log('info', 'closed', { sink: this.name, delivered: this.delivered, undelivered });
    return { delivered: this.delivered, undelivered };
  }

  private stopLink(graceful: boolean, graceMs: number): Promise<void> {
    return this.link instanceof StreamLink ? this.link.stop(graceful, graceMs) : this.link.stop();
  }

  private queueEmptiesWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, ms));
      void this.queue.whenEmpty().then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private fullError(): SegError {
    const lines = this.cfg.queueSize;
    if (this.link.connected) {
      return new SegError('SEG_ERR_SINK_FULL', `${this.name}: queue full (${lines} lines) for ${this.tuning.queueWaitMs} ms; retry later`);
    }
    const reason = this.link instanceof StreamLink ? this.link.lastFailure : undefined;
    return new SegError(
      'SEG_ERR_SINK_UNAVAILABLE',
      `${this.name}: not connected for ${this.link.downForMs()} ms${reason === undefined ? '' : ` (${reason})`}; ${this.queue.depth} of ${lines} queued lines waiting; retry later`,
    );
  }

  private closedError(): SegError {
    return new SegError('SEG_ERR_SINK_CLOSED', `${this.name}: the sink is shutting down`);
  }

  /** `--on-full drop`: counted at once, logged at most once per `logEveryMs` with the running count. */
  private noteDrops(count: number): void {
    this.dropped += count;
    this.dropsNotLogged += count;
    this.logDrops(false);
  }

  private logDrops(final: boolean): void {
    if (this.dropsNotLogged === 0) return;
    const now = Date.now();
    if (!final && this.lastDropLogAt !== 0 && now - this.lastDropLogAt < this.tuning.logEveryMs) return;
    this.logger.log('warn', 'queue full: new lines dropped (--on-full drop)', {
      sink: this.name,
      droppedSinceLastLog: this.dropsNotLogged,
      droppedTotal: this.dropped,
    });
    this.lastDropLogAt = now;
    this.dropsNotLogged = 0;
  }

  private emitError(e: SegError): void {
    for (const listener of this.listeners) {
      try {
        listener(e);
      } catch (thrown) {
        this.logger.log('error', 'an onError listener threw', { sink: this.name, error: String(thrown) });
      }
    }
  }
}
