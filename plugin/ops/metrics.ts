/**
 * Prometheus metrics for `serve --metrics HOST:PORT`, with prom-client on its own registry,
 * served by a small HTTP server on GET /metrics. Records in, out and failed are counted by
 * transport (and failures by SegError code); request latency is a histogram per transport;
 * the sink's queue depth, delivered, dropped and reconnect counts are read from
 * `sink.stats()` at scrape time, so the hot path never touches them. Label children are
 * cached, so counting costs one Map lookup and an addition.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SegError } from '../core/errors.js';
import type { Metrics, Transport } from '../core/metrics.js';
import type { SinkStats } from '../core/sink.js';
import { parseListenAddress } from '../config/address.js';

export interface MetricsServer {
  /** Bound address, `HOST:PORT` with the real port (or `unix:///path`). */
  readonly address: string;
  close(): Promise<void>;
}

export interface PrometheusMetrics extends Metrics {
  readonly registry: Registry;
  /** Starts the /metrics listener; `sinkStats` is read at every scrape. */
  serve(address: string, sinkStats: () => SinkStats): Promise<MetricsServer>;
}

const PREFIX = 'segura_siem_';
/** Seconds: from sub-millisecond batches to a sink that stalls for seconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Child = { inc(n: number): void };

export function createPrometheusMetrics(): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let readSinkStats: (() => SinkStats) | undefined;

  const recordsIn = new Counter({ name: `${PREFIX}records_in_total`, help: 'Records received, by transport', labelNames: ['transport'], registers: [registry] });
  const recordsOut = new Counter({ name: `${PREFIX}records_out_total`, help: 'Lines accepted by the sink (or returned to a Formatter caller), by transport', labelNames: ['transport'], registers: [registry] });
  const recordsFailed = new Counter({ name: `${PREFIX}records_failed_total`, help: 'Records not delivered, by transport and reason (SegError code)', labelNames: ['transport', 'reason'], registers: [registry] });
  const diagnostics = new Counter({ name: `${PREFIX}diagnostics_total`, help: 'Repairs made to records (truncations, sanitised header fields), by code', labelNames: ['code'], registers: [registry] });
  const latency = new Histogram({ name: `${PREFIX}request_duration_seconds`, help: 'Time from receiving a request or batch to answering it, by transport', labelNames: ['transport'], buckets: LATENCY_BUCKETS, registers: [registry] });

  new Gauge({
    name: `${PREFIX}sink_queue_depth`,
    help: 'Lines waiting in the sink queue',
    registers: [registry],
    collect() {
      if (readSinkStats !== undefined) this.set(readSinkStats().queueDepth);
    },
  });
  sinkCounter(registry, 'sink_delivered_total', 'Lines the sink delivered', (s) => s.delivered, () => readSinkStats);
  sinkCounter(registry, 'sink_dropped_total', 'Lines the sink dropped (--on-full drop, or a shutdown deadline)', (s) => s.dropped, () => readSinkStats);
  sinkCounter(registry, 'sink_reconnects_total', 'Sink reconnections', (s) => s.reconnects, () => readSinkStats);

  const inChildren = new Map<string, Child>();
  const outChildren = new Map<string, Child>();
  const failedChildren = new Map<string, Child>();
  const diagChildren = new Map<string, Child>();
  const latencyChildren = new Map<string, { observe(v: number): void }>();

  return {
    registry,
    recordsIn(transport: Transport, n: number) {
      child(inChildren, transport, () => recordsIn.labels(transport)).inc(n);
    },
    recordsOut(transport: Transport, n: number) {
      child(outChildren, transport, () => recordsOut.labels(transport)).inc(n);
    },
    recordsFailed(transport: Transport, reason: string, n: number) {
      child(failedChildren, `${transport}\u0000${reason}`, () => recordsFailed.labels(transport, reason)).inc(n);
    },
    requestLatency(transport: Transport, seconds: number) {
      child(latencyChildren, transport, () => latency.labels(transport)).observe(seconds);
    },
    diagnostics(code: string, n: number) {
      child(diagChildren, code, () => diagnostics.labels(code)).inc(n);
    },
    serve(address, sinkStats) {
      readSinkStats = sinkStats;
      return serveMetrics(registry, address);
    },
  };
}

function child<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let c = cache.get(key);
  if (c === undefined) cache.set(key, (c = make()));
  return c;
}

/** A Prometheus counter mirroring a cumulative number the sink keeps. */
function sinkCounter(
  registry: Registry,
  name: string,
  help: string,
  pick: (s: SinkStats) => number,
  source: () => (() => SinkStats) | undefined,
): void {
  let last = 0;
  new Counter({
    name: `${PREFIX}${name}`,
    help,
    registers: [registry],
    collect() {
      const read = source();
      if (read === undefined) return;
      const now = pick(read());
      // A counter only goes up; if the sink's number went down it was rebuilt, so restart.
      if (now < last) {
        this.reset();
        last = 0;
      }
      if (now > last) this.inc(now - last);
      last = now;
    },
  });
}

async function serveMetrics(registry: Registry, address: string): Promise<MetricsServer> {
  const addr = parseListenAddress(address);
  if (typeof addr === 'string') throw new SegError('SEG_ERR_CONFIG', `serve.metrics: ${addr}`);
  const server = createServer((req, res) => void answer(registry, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new SegError('SEG_ERR_CONFIG', `cannot listen on ${address} for metrics: ${e.message}`, { cause: e })));
    if (addr.kind === 'unix') server.listen(addr.path, resolve);
    else server.listen(addr.port, addr.host, resolve);
  });
  const bound = server.address();
  const shown =
    addr.kind === 'unix' || bound === null || typeof bound === 'string'
      ? address
      : `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  return {
    address: shown,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(registry: Registry, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (path !== '/metrics') {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
    return;
  }
  try {
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (e) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`cannot collect metrics: ${(e as Error).message}\n`);
  }
}
