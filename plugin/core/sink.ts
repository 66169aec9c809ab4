/**
 * The hand-off from the pipeline to whatever delivers lines (stdout, syslog, Fluent Forward).
 * Delivery status is a value that flows back: `deliver` resolves only once every line of the
 * batch was accepted, so push transports can acknowledge exactly what was delivered.
 */
import type { SegError } from './errors.js';

/** A formatted line (no terminator) plus a few routing fields some sinks forward. */
export interface OutLine {
  readonly text: string;
  readonly eventId?: string | undefined;
  readonly severity?: string | undefined;
  readonly host?: string | undefined;
}

export interface SinkStats {
  /** Lines waiting in the sink's bounded queue. */
  readonly queueDepth: number;
  readonly delivered: number;
  /** Lines dropped (only by an explicit `--on-full drop` policy or at a shutdown deadline). */
  readonly dropped: number;
  readonly reconnects: number;
}

export interface CloseReport {
  readonly delivered: number;
  /** Lines that could not be delivered before the deadline; each was also logged. */
  readonly undelivered: number;
}

export interface Sink {
  /** Human-readable target for logs: `stdout`, `syslog+tls://siem:6514`. */
  readonly name: string;
  /**
   * Largest message the transport can carry in bytes (UDP datagram cap), or undefined.
   * The pipeline hands it to the formatter as a byte budget so nothing is cut blindly.
   */
  readonly maxMessageBytes: number | undefined;
  /**
   * Queues the batch and resolves when every line was accepted by the transport (socket
   * write accepted, or Forward ack received). Batches are delivered in call order.
   * Rejects with a SegError: SEG_ERR_SINK_FULL / SEG_ERR_SINK_UNAVAILABLE are retryable,
   * SEG_ERR_SINK_CLOSED means the sink is shutting down.
   */
  deliver(batch: readonly OutLine[]): Promise<void>;
  /**
   * Optional, for sinks that write lines as bytes unchanged (stdout): delivers a batch already
   * encoded as UTF-8, `lines` lines each ending in LF, with deliver()'s semantics. Saves
   * building a string per line when the formatter can write bytes (Formatter.formatInto).
   * The caller may reuse `bytes` once the promise settles: the sink must not keep them.
   */
  deliverEncoded?(bytes: Buffer, lines: number): Promise<void>;
  /** Stops accepting, drains what is queued within `deadlineMs`, then releases resources. */
  close(deadlineMs: number): Promise<CloseReport>;
  stats(): SinkStats;
  /** Optional listener for errors that happen outside a deliver() call (reconnect failures). */
  onError?(listener: (e: SegError) => void): void;
}
