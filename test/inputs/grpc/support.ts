/**
 * Shared pieces of the gRPC tests: a real Pipeline (the real normalizer, formatter registry
 * and processor) over a RecordingSink, a running server on 127.0.0.1 or a unix socket, and
 * real grpc-js clients built from the .proto files in proto/ by @grpc/proto-loader (an
 * independent path from the server's embedded copies).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createMemoryLogger } from '../../../plugin/core/log.js';
import { noMetrics, type Metrics } from '../../../plugin/core/metrics.js';
import { defaultConfig, type Config, type ServeConfig } from '../../../plugin/config/schema.js';
import { buildFormatter } from '../../../plugin/formats/registry.js';
import { buildNormalizer } from '../../../plugin/normalize/normalize.js';
import type { Pipeline, PipelineOverrides } from '../../../plugin/pipeline/build.js';
import { buildProcessor, type Processor } from '../../../plugin/pipeline/processor.js';
import { startGrpcServer, type GrpcServerHandle, type GrpcServerHooks } from '../../../plugin/inputs/grpc/grpc-server.js';
import { RecordingSink } from '../../helpers/recording-sink.js';

export const PROTO_DIR = resolve(__dirname, '../../../proto');

/** A Pipeline like buildPipeline's, but over the given sink. */
export function makePipeline(sink: RecordingSink, opts: { config?: Config; metrics?: Metrics } = {}) {
  const config = opts.config ?? defaultConfig();
  const logger = createMemoryLogger();
  const metrics = opts.metrics ?? noMetrics;
  const cache = new Map<string, Processor>();
  const processorFor = (o: PipelineOverrides): Processor => {
    const format = o.format ?? config.format.format;
    const envelope = o.envelope ?? config.format.envelope;
    const profile = o.profile ?? config.normalize.profile;
    const key = `${format}/${envelope}/${profile}`;
    let p = cache.get(key);
    if (p === undefined) {
      const onDiagnostic = () => {};
      const normalizer = buildNormalizer({ ...config.normalize, profile }, onDiagnostic);
      const formatter = buildFormatter({ ...config.format, format, envelope }, onDiagnostic);
      p = buildProcessor(normalizer, formatter, sink.maxMessageBytes);
      cache.set(key, p);
    }
    return p;
  };
  const pipeline: Pipeline = {
    config,
    logger,
    metrics,
    sink,
    processor: processorFor({}),
    processorFor,
    reportFailure(transport, outcome, extra) {
      metrics.recordsFailed(transport, outcome.error.code, 1);
      logger.log('error', outcome.error.message, { origin: outcome.origin, ...extra, code: outcome.error.code });
    },
    close: () => sink.close(1000),
  };
  return { pipeline, logger };
}

export function serveConfig(over: Partial<ServeConfig> = {}): ServeConfig {
  return { ...defaultConfig().serve, grpc: '127.0.0.1:0', ...over };
}

export function tempSocketPath(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'segura-siem-grpc-')), name);
}

export interface TestServer {
  handle: GrpcServerHandle;
  sink: RecordingSink;
  pipeline: Pipeline;
  logger: ReturnType<typeof createMemoryLogger>;
}

export async function startTestServer(
  over: Partial<ServeConfig> = {},
  opts: { hooks?: GrpcServerHooks; metrics?: Metrics; config?: Config } = {},
): Promise<TestServer> {
  const sink = new RecordingSink();
  const { pipeline, logger } = makePipeline(sink, opts);
  const handle = await startGrpcServer(pipeline, serveConfig(over), opts.hooks);
  return { handle, sink, pipeline, logger };
}

// ------------------------------------------------------------------ clients

const LOADER_OPTIONS = { keepCase: false, longs: String, enums: Number, defaults: false, oneofs: true, includeDirs: [PROTO_DIR] };

type Ctor = new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => grpc.Client;

function loadCtor(file: string, path: string[]): Ctor {
  const def = grpc.loadPackageDefinition(loadSync(file, LOADER_OPTIONS));
  let node: unknown = def;
  for (const p of path) node = (node as Record<string, unknown>)[p];
  return node as Ctor;
}

export const Clients = {
  Formatter: () => loadCtor('segura/siem/v1/formatter.proto', ['segura', 'siem', 'v1', 'Formatter']),
  Vector: () => loadCtor('vector/vector.proto', ['vector', 'Vector']),
  Logs: () => loadCtor('opentelemetry/proto/collector/logs/v1/logs_service.proto', ['opentelemetry', 'proto', 'collector', 'logs', 'v1', 'LogsService']),
  Health: () => loadCtor('grpc/health/v1/health.proto', ['grpc', 'health', 'v1', 'Health']),
};

/** Any method of a client, promisified (unary). */
export function unary<Res>(
  client: grpc.Client,
  method: string,
  request: unknown,
  opts: { metadata?: grpc.Metadata; deadline?: number } = {},
): Promise<Res> {
  return new Promise((resolvePromise, reject) => {
    const fn = (client as unknown as Record<string, Function>)[method]!.bind(client);
    const callOpts = opts.deadline === undefined ? {} : { deadline: Date.now() + opts.deadline };
    fn(request, opts.metadata ?? new grpc.Metadata(), callOpts, (err: grpc.ServiceError | null, res: Res) =>
      err ? reject(err) : resolvePromise(res),
    );
  });
}

/** Resolves with the error a call fails with (rejects if it succeeds). */
export async function failure(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (e) {
    return e as grpc.ServiceError;
  }
  throw new Error('the call succeeded, a failure was expected');
}

export const insecure = () => grpc.credentials.createInsecure();

// ------------------------------------------------------------------ records

/** A Segura event record, as Segura writes it. */
export function seguraRecord(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { event_id: '16', type: 'session-started', msg: `session ${i}`, suser: 'stlee', timestamp: '2026-01-19T10:41:00Z', ...extra };
}
