/**
 * The composition root: config → normalizer + formatter + sinks, joined into the Pipeline
 * every mode runs. The only module that knows every other folder.
 */
import type { Config } from '../config/schema.js';
import type { Logger } from '../core/log.js';
import type { Metrics, Transport } from '../core/metrics.js';
import type { CloseReport, Sink } from '../core/sink.js';
import type { EnvelopeName, FormatName, DiagnosticListener } from '../formats/formatter.js';
import { buildFormatter } from '../formats/registry.js';
import type { ProfileName } from '../normalize/normalizer.js';
import { buildNormalizer } from '../normalize/normalize.js';
import { createSink } from '../sinks/factory.js';
import { buildProcessor, type Outcome, type Processor } from './processor.js';

/** Per-request choices a caller may make (gRPC Formatter options). */
export interface PipelineOverrides {
  format?: FormatName | undefined;
  envelope?: EnvelopeName | undefined;
  profile?: ProfileName | undefined;
}

export interface Pipeline {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** All configured sinks behind one Sink (fan-out: delivered = delivered by every sink). */
  readonly sink: Sink;
  /** Processor built from the configuration. */
  readonly processor: Processor;
  /** Processor with per-request overrides (cached per combination). */
  processorFor(overrides: PipelineOverrides): Processor;
  /** Logs one failed record as a JSON error line (plus `extra` fields, e.g. `line`) and counts it. */
  reportFailure(transport: Transport, outcome: Extract<Outcome, { ok: false }>, extra?: Record<string, unknown>): void;
  /** Drains and closes the sinks within the configured drain deadline. */
  close(): Promise<CloseReport>;
}

/** `deps.sink` replaces the configured sinks (tests, embedding). */
export function buildPipeline(config: Config, deps: { logger: Logger; metrics: Metrics; sink?: Sink }): Pipeline {
  const { logger, metrics } = deps;
  const onDiagnostic: DiagnosticListener = (origin, d) => {
    metrics.diagnostics(d.code, 1);
    logger.log('warn', d.message, { origin, code: d.code, field: d.field });
  };
  const sink = deps.sink ?? createSink(config.sinks, logger);
  const cache = new Map<string, Processor>();

  const processorFor = (o: PipelineOverrides): Processor => {
    const format = o.format ?? config.format.format;
    const envelope = o.envelope ?? config.format.envelope;
    const profile = o.profile ?? config.normalize.profile;
    const key = `${format}/${envelope}/${profile}`;
    let p = cache.get(key);
    if (p === undefined) {
      const normalizer = buildNormalizer({ ...config.normalize, profile }, onDiagnostic);
      const formatter = buildFormatter({ ...config.format, format, envelope }, onDiagnostic);
      p = buildProcessor(normalizer, formatter, sink.maxMessageBytes);
      cache.set(key, p);
    }
    return p;
  };

  return {
    config,
    logger,
    metrics,
    sink,
    processor: processorFor({}),
    processorFor,
    reportFailure(transport, outcome, extra) {
      metrics.recordsFailed(transport, outcome.error.code, 1);
      logger.log('error', outcome.error.message, {
        origin: outcome.origin,
        ...extra,
        code: outcome.error.code,
        ...(outcome.error.field === undefined ? {} : { field: outcome.error.field }),
      });
    },
    close() {
      const deadline = Math.max(...config.sinks.map((s) => s.drainTimeoutMs));
      return sink.close(deadline);
    },
  };
}
