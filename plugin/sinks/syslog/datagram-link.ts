/**
 * Sends the sink's queue over UDP, one syslog message per datagram with no framing
 * (RFC 5426 §3.1). The socket is connected to the receiver so the kernel reports ICMP "port
 * unreachable" as ECONNREFUSED on a later send; such a failed send puts its line and the
 * ones after it back in the queue and waits with back-off before trying again. A datagram the
 * kernel accepted counts as delivered: UDP has no acknowledgement, so the datagram that drew
 * the ICMP error, or one lost on the network, cannot be noticed. Size caps are checked by the
 * sink before lines are queued.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { SegError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { BoundedQueue } from '../bounded-queue.js';
import type { Backoff } from './backoff.js';
import type { LinkEvents } from './stream-link.js';
import { ThrottledLog } from './throttled-log.js';
import type { SyslogSinkTuning } from './tuning.js';

export interface DatagramLinkDeps {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly queue: BoundedQueue<string>;
  readonly backoff: Backoff;
  readonly tuning: SyslogSinkTuning;
  readonly logger: Logger;
  readonly events: LinkEvents;
}

export class DatagramLink {
  private socket: Socket | undefined;
  private generation = 0;
  private ready = false;
  /** When the link became unusable: a connection lost or an attempt failed; undefined while up or connecting. */
  private downSince: number | undefined;
  private sending = false;
  private everConnected = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly failures: ThrottledLog;

  constructor(private readonly deps: DatagramLinkDeps) {
    this.failures = new ThrottledLog(deps.logger, deps.tuning.logEveryMs);
  }

  get connected(): boolean {
    return this.ready;
  }

  /** How long the link has been unusable; 0 while sending works. */
  downForMs(): number {
    return this.ready || this.downSince === undefined ? 0 : Date.now() - this.downSince;
  }

  start(): void {
    void this.open();
  }

  kick(): void {
    this.pump();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.ready = false;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.drop();
  }

  /** Resolves the receiver's address family, then opens and connects a socket of that family. */
  private async open(): Promise<void> {
    this.retryTimer = undefined;
    if (this.stopped) return;
    const gen = ++this.generation;
    const { host, port } = this.deps;
    let family = isIP(host);
    if (family === 0) {
      try {
        family = (await lookup(host)).family;
      } catch (e) {
        if (gen === this.generation) this.fail(e as Error);
        return;
      }
    }
    if (gen !== this.generation || this.stopped) return;
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    this.socket = socket;
    socket.on('error', (e) => {
      if (gen === this.generation) this.fail(e);
    });
    socket.connect(port, host, () => {
      if (gen !== this.generation) return;
      this.ready = true;
      this.downSince = undefined;
      this.failures.reset();
      this.deps.logger.log('info', this.everConnected ? 'reconnected' : 'connected', { sink: this.deps.name });
      this.deps.events.connected(this.everConnected);
      this.everConnected = true;
      this.pump();
    });
  }

  /** Sends the next lines, one datagram each; acks the prefix the kernel accepted. */
  private pump(): void {
    if (!this.ready || this.sending) return;
    const { queue, tuning, events } = this.deps;
    const lines = queue.take(tuning.writeMaxLines);
    if (lines.length === 0) return;
    const gen = this.generation;
    this.sending = true;
    let pending = lines.length;
    let firstFailure = lines.length;
    let failure: Error | undefined;
    const onSent = (index: number, err: Error | null): void => {
      if (gen !== this.generation) return;
      if (err && index < firstFailure) {
        firstFailure = index;
        failure = err;
      }
      if (--pending > 0) return;
      this.sending = false;
      if (firstFailure > 0) {
        queue.ack(firstFailure);
        events.delivered(firstFailure);
      }
      if (failure === undefined) {
        this.deps.backoff.reset();
        this.downSince = undefined;
        this.pump();
      } else {
        queue.requeue();
        this.fail(failure);
      }
    };
    const socket = this.socket!;
    for (let i = 0; i < lines.length; i++) {
      try {
        socket.send(lines[i]!, (err) => onSent(i, err));
      } catch (e) {
        onSent(i, e as Error);
      }
    }
  }

  /** Logs a failure and retries later; the socket is replaced only if it is unusable. */
  private fail(e: Error): void {
    const { name, backoff, events, queue } = this.deps;
    const code = (e as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    const delay = backoff.next();
    this.failures.log('warn', code, `cannot send: ${e.message}`, { sink: name, code, retryInMs: delay, queued: queue.depth });
    events.failed(new SegError('SEG_ERR_SINK_UNAVAILABLE', `${name}: ${e.message}`, { cause: e }));
    if (this.sending || this.stopped || this.retryTimer !== undefined) return;
    // ECONNREFUSED leaves the socket usable: pause sending. Anything else: start afresh.
    const reusable = code === 'ECONNREFUSED' && this.socket !== undefined;
    this.downSince ??= Date.now();
    this.ready = false;
    if (!reusable) this.drop();
    const gen = this.generation;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stopped) return;
      if (!reusable || gen !== this.generation) {
        void this.open();
        return;
      }
      this.ready = true;
      this.pump();
    }, delay);
  }

  /** Abandons the socket; sends still in flight on it count as not delivered. */
  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.generation++;
    if (this.sending) {
      this.sending = false;
      this.deps.queue.requeue();
    }
    if (socket === undefined) return;
    try {
      socket.close();
    } catch {
      // Already closed: nothing to release.
    }
  }
}
