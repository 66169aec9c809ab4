/**
 * The gRPC side of `segura-siem serve`: one grpc-js server on one address (`HOST:PORT` or
 * `unix:///path`) carrying segura.siem.v1.Formatter, vector.Vector, the OTLP LogsService and
 * grpc.health.v1.Health, plus an optional plaintext listener that serves only Health for
 * kubelet probes (they dial the pod IP, without TLS). Limits come from `serve`:
 * `--max-message-bytes` (grpc.max_receive_message_length; larger requests get
 * RESOURCE_EXHAUSTED from grpc-js), `--max-concurrent-streams` (HTTP/2 SETTINGS), and
 * `--stream-window` (FormatStream read-ahead). Shutdown: health NOT_SERVING first, stop
 * accepting, finish in-flight calls within the deadline, then cancel what is left.
 */
import type { EventEmitter } from 'node:events';
import type { Http2Session } from 'node:http2';
import { format } from 'node:util';
import { Server, ServerCredentials, setLogger, type ChannelOptions, type MethodDefinition, type ServiceDefinition } from '@grpc/grpc-js';
import { SegError } from '../../core/errors.js';
import type { Logger, LogLevel } from '../../core/log.js';
import { isLoopbackOrUnix } from '../../config/address.js';
import type { ServeConfig } from '../../config/schema.js';
import type { Pipeline } from '../../pipeline/build.js';
import { compressionInterceptor } from './compression.js';
import { formatterService, type StreamObserver, type StreamRegistry } from './formatter-service.js';
import { HealthState, HealthStatus } from './health-service.js';
import { bindOrStop, listenAddress, serverCredentials } from './listen.js';
import { decodeExportRequest } from './otlp-decode.js';
import { otlpLogsService } from './otlp-service.js';
import { SERVICE_NAMES, serviceDefinition } from './proto-root.js';
import { vectorService } from './vector-service.js';

export interface GrpcServerHandle {
  /** The bound address: `HOST:PORT` with the real port, or `unix:///path`. */
  readonly address: string;
  /** The separate health listener's bound address, when `--health` was given. */
  readonly healthAddress: string | undefined;
  /** Health turns NOT_SERVING everywhere (Watch streams see it); calls are still served. */
  setNotServing(): void;
  /** NOT_SERVING, stop accepting, finish in-flight calls within `deadlineMs`, then force. */
  shutdown(deadlineMs: number): Promise<void>;
}

/** Test and diagnostics hooks; production passes none. */
export interface GrpcServerHooks extends StreamObserver {
  /** Called for every request message grpc-js decodes on the main port (method path). */
  onRequestDecoded?(path: string): void;
}

export async function startGrpcServer(pipeline: Pipeline, serve: ServeConfig, hooks?: GrpcServerHooks): Promise<GrpcServerHandle> {
  if (serve.grpc === undefined) throw new SegError('SEG_ERR_CONFIG', 'serve.grpc: no gRPC listen address');
  const main = listenAddress('serve.grpc', serve.grpc);
  const credentials = serverCredentials(serve);
  if (credentials.insecure && !serve.plaintext && !isLoopbackOrUnix(serve.grpc)) {
    // validate.ts refuses this too; keep the guard where the socket is opened.
    throw new SegError('SEG_ERR_CONFIG', `serve.grpc: ${serve.grpc} is not loopback or a unix socket; give --tls-cert/--tls-key, or --plaintext`);
  }

  routeGrpcLogs(pipeline.logger);
  const health = new HealthState(Object.values(SERVICE_NAMES));
  const streams = new StreamSet();
  const server = mainServer(pipeline, serve, health, streams, hooks);
  const address = await bindOrStop(server, main, credentials.creds);
  widenFlowControlWindows(server, receiveWindowBytes(serve.maxMessageBytes));
  let healthServer: Server | undefined;
  let healthAddress: string | undefined;
  if (serve.health !== undefined) {
    // kubelet probes dial the pod IP without TLS; this listener carries no data, only Health.
    healthServer = new Server({ interceptors: [compressionInterceptor] });
    healthServer.addService(serviceDefinition(SERVICE_NAMES.health), health.service());
    try {
      healthAddress = await bindOrStop(healthServer, listenAddress('serve.health', serve.health), ServerCredentials.createInsecure());
    } catch (e) {
      server.forceShutdown();
      throw e;
    }
  }

  let shutdownPromise: Promise<void> | undefined;
  return {
    address,
    healthAddress,
    setNotServing: () => health.setAll(HealthStatus.NOT_SERVING),
    shutdown(deadlineMs) {
      shutdownPromise ??= shutdown(server, healthServer, health, streams, deadlineMs);
      return shutdownPromise;
    },
  };
}

/**
 * grpc-js writes its own diagnostics to stderr as plain text ("E No address added ...");
 * route them into our JSON log instead, so stderr stays one JSON object per line.
 */
function routeGrpcLogs(logger: Logger): void {
  const to = (level: LogLevel) => (...args: unknown[]) => logger.log(level, `grpc-js: ${format(...args)}`);
  setLogger({ error: to('warn'), info: to('debug'), debug: to('debug') });
}

/** HTTP/2 receive window: two of the largest messages, within [64 KiB, 16 MiB] (8 MiB by default). */
function receiveWindowBytes(maxMessageBytes: number): number {
  return Math.min(16 * 1024 * 1024, Math.max(65_535, 2 * maxMessageBytes));
}

/**
 * HTTP/2's default receive window is 64 KiB (RFC 9113 §6.9.2), less than one batch of 500
 * records: a client would wait for a WINDOW_UPDATE several times per request, each one a
 * turn of both event loops. grpc-js has no server option for it, so widen it on each new
 * session: SETTINGS_INITIAL_WINDOW_SIZE for the streams, setLocalWindowSize for the
 * connection. Data the application has not read yet is bounded per connection by the
 * connection window (Node acknowledges bytes only as grpc-js reads them). grpc-js keeps
 * its http2 servers in a private field; if a later version renames it this is skipped (the
 * defaults still work, only slower).
 */
function widenFlowControlWindows(server: Server, windowBytes: number): void {
  const servers = (server as unknown as { http2Servers?: Map<EventEmitter, unknown> }).http2Servers;
  if (!(servers instanceof Map)) return;
  for (const h2 of servers.keys()) {
    h2.on('session', (session: Http2Session) => {
      session.settings({ initialWindowSize: windowBytes });
      session.setLocalWindowSize(windowBytes);
    });
  }
}

/** The data server: Formatter, Vector, OTLP logs and Health, with the configured limits. */
function mainServer(pipeline: Pipeline, serve: ServeConfig, health: HealthState, streams: StreamSet, hooks: GrpcServerHooks | undefined): Server {
  const server = new Server(serverOptions(serve));
  const definition = (name: string) => observed(serviceDefinition(name), hooks?.onRequestDecoded);
  server.addService(
    definition(SERVICE_NAMES.formatter),
    formatterService(pipeline, { streamWindow: serve.streamWindow, streams, observer: hooks }),
  );
  server.addService(definition(SERVICE_NAMES.vector), vectorService(pipeline, () => health.get('') === HealthStatus.SERVING));
  const otlp = withRequestDecoder(serviceDefinition(SERVICE_NAMES.otlpLogs), 'Export', decodeExportRequest);
  server.addService(observed(otlp, hooks?.onRequestDecoded), otlpLogsService(pipeline));
  server.addService(definition(SERVICE_NAMES.health), health.service());
  return server;
}

async function shutdown(server: Server, healthServer: Server | undefined, health: HealthState, streams: StreamSet, deadlineMs: number): Promise<void> {
  health.setAll(HealthStatus.NOT_SERVING);
  health.endWatches();
  streams.drainAll();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, Math.max(0, deadlineMs));
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  // The probe listener answers NOT_SERVING until the data port is closed.
  healthServer?.forceShutdown();
}

/** Replaces one method's request decoder (OTLP Export's direct decoder). */
function withRequestDecoder(def: ServiceDefinition, method: string, decode: (bytes: Buffer) => unknown): ServiceDefinition {
  return { ...def, [method]: { ...def[method]!, requestDeserialize: decode } };
}

/** Wraps each method's request decoder to report decoded messages (hooks only). */
function observed(def: ServiceDefinition, onDecoded: ((path: string) => void) | undefined): ServiceDefinition {
  if (onDecoded === undefined) return def;
  const out: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, m] of Object.entries(def)) {
    const decode = m.requestDeserialize;
    out[name] = {
      ...m,
      requestDeserialize: (bytes: Buffer) => {
        onDecoded(m.path);
        return decode(bytes);
      },
    };
  }
  return out;
}

function serverOptions(serve: ServeConfig): ChannelOptions {
  return {
    'grpc.max_receive_message_length': serve.maxMessageBytes,
    'grpc.max_concurrent_streams': serve.maxConcurrentStreams,
    interceptors: [compressionInterceptor],
  };
}

/** Open FormatStream calls, so shutdown can ask each to finish. */
class StreamSet implements StreamRegistry {
  private readonly drains = new Set<() => void>();

  add(drain: () => void): () => void {
    this.drains.add(drain);
    return () => this.drains.delete(drain);
  }

  drainAll(): void {
    for (const drain of [...this.drains]) drain();
  }
}
