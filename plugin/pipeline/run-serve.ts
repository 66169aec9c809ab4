/**
 * `segura-siem serve`: the long-lived sidecar. Starts the gRPC server (Formatter, Vector,
 * OTLP, health) and/or the Fluent Forward server over one shared pipeline, logs a
 * `serving` line with the bound addresses, and on SIGTERM shuts down in the order a
 * shipper expects: health NOT_SERVING, stop accepting, finish in-flight calls, drain sinks.
 */
import { toSegError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { noMetrics, type Metrics } from '../core/metrics.js';
import type { Config } from '../config/schema.js';
import { startForwardServer, type ForwardServerHandle } from '../inputs/forward/forward-server.js';
import { startGrpcServer, type GrpcServerHandle } from '../inputs/grpc/grpc-server.js';
import { createPrometheusMetrics } from '../ops/metrics.js';
import { buildPipeline } from './build.js';
import { onStopSignals } from './run-common.js';

export async function runServe(config: Config): Promise<number> {
  const logger = createLogger(config.errors, config.logLevel);
  const prometheus = config.serve.metrics === undefined ? undefined : createPrometheusMetrics();
  const metrics: Metrics = prometheus ?? noMetrics;
  const pipeline = buildPipeline(config, { logger, metrics });
  const stopper = onStopSignals((reason) => logger.log('info', `${reason}: shutting down`));

  let grpc: GrpcServerHandle | undefined;
  let forward: ForwardServerHandle | undefined;
  let metricsServer: { address: string; close(): Promise<void> } | undefined;
  try {
    if (config.serve.grpc !== undefined) grpc = await startGrpcServer(pipeline, config.serve);
    if (config.serve.forward !== undefined) forward = await startForwardServer(pipeline, config.serve);
    if (prometheus !== undefined) metricsServer = await prometheus.serve(config.serve.metrics!, () => pipeline.sink.stats());
  } catch (e) {
    logger.log('error', `cannot start: ${toSegError(e).message}`);
    await Promise.allSettled([grpc?.shutdown(0), forward?.shutdown(0), metricsServer?.close()]);
    await pipeline.close();
    stopper.dispose();
    await logger.close();
    return 1;
  }
  logger.log('info', 'serving', {
    grpc: grpc?.address,
    health: grpc?.healthAddress,
    forward: forward?.address,
    metrics: metricsServer?.address,
    sinks: pipeline.sink.name,
  });

  await stopper.whenStopped;
  const deadline = config.serve.shutdownTimeoutMs;
  grpc?.setNotServing();
  await Promise.allSettled([grpc?.shutdown(deadline), forward?.shutdown(deadline)]);
  const report = await pipeline.close();
  await metricsServer?.close();
  logger.log('info', 'summary', { mode: 'serve', delivered: report.delivered, undelivered: report.undelivered });
  stopper.dispose();
  await logger.close();
  return 0;
}
