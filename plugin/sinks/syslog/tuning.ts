/**
 * Fixed behaviour of the syslog sink that has no flag, in one place so the README and the
 * tests can name each value. Tests pass smaller values to run fast; production uses these.
 */
export interface SyslogSinkTuning {
  /**
   * `--on-full block`: how long deliver() waits for queue room before SEG_ERR_SINK_FULL (or
   * SEG_ERR_SINK_UNAVAILABLE while down), and how long an outage lasts before new batches are
   * refused at once with SEG_ERR_SINK_UNAVAILABLE.
   */
  readonly queueWaitMs: number;
  /** Most recently written lines re-sent after a lost connection (capped by --queue-size)... */
  readonly replayWindowLines: number;
  /** ...and at most this many characters of them (about bytes for ASCII), so long lines pin little memory. */
  readonly replayWindowChars: number;
  /**
   * A connection the receiver closed cleanly (FIN, no error) after the sink wrote nothing for
   * this long is not replayed: a TCP stack that closes a socket with unread data resets it
   * (RFC 1122 §4.2.2.13), so a clean close after a quiet spell means the receiver read all
   * of it (what it did with the data next is beyond what TCP can tell).
   */
  readonly cleanCloseQuietMs: number;
  /** TLS 1.3: wait this long for the server's session ticket (its acceptance) before writing. */
  readonly tlsAcceptWaitMs: number;
  /** A connection attempt (TCP + TLS handshake) that takes longer fails and is retried. */
  readonly connectTimeoutMs: number;
  /** TCP keep-alive probe delay: finds a dead peer (or a NAT that forgot us) on an idle link. */
  readonly keepAliveMs: number;
  /** Most lines and (approximate) bytes coalesced into one socket write. */
  readonly writeMaxLines: number;
  readonly writeMaxBytes: number;
  /** Shortest gap between two identical warnings (connection failures, drops). */
  readonly logEveryMs: number;
}

export const DEFAULT_TUNING: SyslogSinkTuning = {
  queueWaitMs: 1_000,
  replayWindowLines: 1_000,
  replayWindowChars: 4 * 1024 * 1024,
  cleanCloseQuietMs: 2_000,
  tlsAcceptWaitMs: 250,
  connectTimeoutMs: 10_000,
  keepAliveMs: 30_000,
  writeMaxLines: 1_024,
  writeMaxBytes: 1024 * 1024,
  logEveryMs: 60_000,
};
