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
import { buildPipeline, type Pipeline } from '../../../plugin/pipeline/build.js';
import { startGrpcServer, type GrpcServerHandle, type GrpcServerHooks } from '../../../plugin/inputs/grpc/grpc-server.js';
import { RecordingSink } from '../../helpers/recording-sink.js';

export const PROTO_DIR = resolve(__dirname, '../../../proto');

/** The real pipeline (buildPipeline) over the given sink. */
export function makePipeline(sink: RecordingSink, opts: { config?: Config; metrics?: Metrics } = {}) {
  const logger = createMemoryLogger();
  const pipeline = buildPipeline(opts.config ?? defaultConfig(), { logger, metrics: opts.metrics ?? noMetrics, sink });
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
