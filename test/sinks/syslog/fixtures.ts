/**
 * Shared pieces of the syslog sink tests: configuration with fast reconnects, numbered lines
 * that carry multibyte text, a port nobody listens on, and promise state tracking.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import { defaultSink, type SinkConfig } from '../../../plugin/config/schema.js';
import type { SegError } from '../../../plugin/core/errors.js';
import type { OutLine, Sink } from '../../../plugin/core/sink.js';
import { DEFAULT_TUNING, type SyslogSinkTuning } from '../../../plugin/sinks/syslog/tuning.js';

export function sinkConfig(overrides: Partial<SinkConfig> = {}): SinkConfig {
  return { ...defaultSink('syslog+tcp://127.0.0.1:1'), reconnectMinMs: 10, reconnectMaxMs: 100, ...overrides };
}

export function tuning(overrides: Partial<SyslogSinkTuning> = {}): SyslogSinkTuning {
  return { ...DEFAULT_TUNING, ...overrides };
}

/** A realistic RFC 5424 line with its number in it and non-ASCII text (2-, 3- and 4-byte UTF-8). */
export function numberedLine(n: number, padding = 0): string {
  return (
    `<110>1 2024-05-01T12:00:00.000Z pam01 Segura - ${n} - ` +
    `CEF:0|MT4|Segura|4.0|${n}|Sessão iniciada ✓ 😀|5|seq=${n} suser=joão msg=${'ü'.repeat(padding)}`
  );
}

export function lines(from: number, to: number, padding = 0): OutLine[] {
  const out: OutLine[] = [];
  for (let n = from; n < to; n++) out.push({ text: numberedLine(n, padding), eventId: String(n) });
  return out;
}

/** The sequence number of a line made by numberedLine. */
export function seqOf(line: string): number {
  const m = /\bseq=(\d+) /.exec(line);
  if (!m) throw new Error(`not a numbered line: ${line.slice(0, 80)}`);
  return Number(m[1]);
}

/** A TCP port on 127.0.0.1 that refuses connections (bound, then released). */
export async function refusingPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Tracked {
  state: 'pending' | 'resolved' | 'rejected';
  error: SegError | undefined;
  readonly promise: Promise<void>;
}

/** Follows a promise's outcome without awaiting it (and without unhandled rejections). */
export function track(p: Promise<void>): Tracked {
  const t: Tracked = { state: 'pending', error: undefined, promise: p };
  p.then(
    () => {
      t.state = 'resolved';
    },
    (e: SegError) => {
      t.state = 'rejected';
      t.error = e;
    },
  );
  return t;
}

/** Resolves when `check` holds; polls on the event loop with a hang guard (not a timing assertion). */
export async function until(check: () => boolean, what: string, guardMs = 15_000): Promise<void> {
  const giveUp = Date.now() + guardMs;
  while (!check()) {
    if (Date.now() > giveUp) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * What a pulling source (follow, stdio) does with a sink: deliver, and on a retryable
 * rejection (full, or down for a while) wait a little and offer the same batch again.
 */
export async function deliverWithRetry(sink: Sink, batch: readonly OutLine[], onRetry: () => void = () => {}): Promise<void> {
  const giveUp = Date.now() + 15_000;
  for (;;) {
    try {
      await sink.deliver(batch);
      return;
    } catch (e) {
      if ((e as SegError).permanent !== false || Date.now() > giveUp) throw e;
      onRetry();
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
