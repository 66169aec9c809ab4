/**
 * Builds the configured sinks. Several `--sink` values fan out: a batch counts as delivered
 * only when every sink has accepted it, so acknowledgements stay truthful.
 */
import { SegError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { CloseReport, OutLine, Sink, SinkStats } from '../core/sink.js';
import type { SinkConfig } from '../config/schema.js';
import { parseSinkUrl } from '../config/sink-url.js';
import { createForwardSink } from './forward/forward-sink.js';
import { createStdoutSink } from './stdout/stdout-sink.js';
import { createSyslogSink } from './syslog/syslog-sink.js';

export function createSink(configs: readonly SinkConfig[], logger: Logger): Sink {
  const sinks = configs.map((c) => createOne(c, logger));
  return sinks.length === 1 ? sinks[0]! : fanOut(sinks);
}

function createOne(cfg: SinkConfig, logger: Logger): Sink {
  const target = parseSinkUrl(cfg.url);
  if (typeof target === 'string') throw new SegError('SEG_ERR_CONFIG', `sink ${cfg.url}: ${target}`);
  switch (target.kind) {
    case 'stdout':
      return createStdoutSink();
    case 'syslog':
      return createSyslogSink(target, cfg, logger);
    case 'forward':
      return createForwardSink(target, cfg, logger);
  }
}

function fanOut(sinks: readonly Sink[]): Sink {
  const caps = sinks.map((s) => s.maxMessageBytes).filter((n): n is number => n !== undefined);
  return {
    name: sinks.map((s) => s.name).join(' + '),
    maxMessageBytes: caps.length > 0 ? Math.min(...caps) : undefined,
    async deliver(batch: readonly OutLine[]) {
      await Promise.all(sinks.map((s) => s.deliver(batch)));
    },
    async close(deadlineMs: number): Promise<CloseReport> {
      const reports = await Promise.all(sinks.map((s) => s.close(deadlineMs)));
      return {
        delivered: Math.min(...reports.map((r) => r.delivered)),
        undelivered: Math.max(...reports.map((r) => r.undelivered)),
      };
    },
    stats(): SinkStats {
      const all = sinks.map((s) => s.stats());
      return {
        queueDepth: Math.max(...all.map((s) => s.queueDepth)),
        delivered: Math.min(...all.map((s) => s.delivered)),
        dropped: all.reduce((n, s) => n + s.dropped, 0),
        reconnects: all.reduce((n, s) => n + s.reconnects, 0),
      };
    },
    onError(listener) {
      for (const s of sinks) s.onError?.(listener);
    },
  };
}
