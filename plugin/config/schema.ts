/**
 * The whole configuration in one typed tree, with its defaults. Flags, the YAML file
 * (`--config`) and environment variables all fill this same tree; see ./flags.ts for the
 * flag ↔ path table that also drives `--help` and the config-examples tests.
 */
import { hostname } from 'node:os';
import type { FormatOptions } from '../formats/formatter.js';
import type { NormalizeOptions } from '../normalize/normalizer.js';

export type Mode = 'stdio' | 'follow' | 'serve';
export const MODES: readonly Mode[] = ['stdio', 'follow', 'serve'];

export interface TlsClientConfig {
  /** CA bundle (PEM) used to verify the server; default: Node's bundled roots. */
  ca: string | undefined;
  /** Client certificate and key (PEM) for mutual TLS. */
  cert: string | undefined;
  key: string | undefined;
  /** Name checked against the server certificate; default: the host of the URL. */
  serverName: string | undefined;
  /** Skip server certificate verification. Off by default; for lab use only. */
  insecure: boolean;
}

export interface SinkConfig {
  /** `stdout`, `syslog+tcp://H:P`, `syslog+tls://H:P`, `syslog+udp://H:P`, `forward://H:P`, `forward+tls://H:P`, `forward+unix:///path`. */
  url: string;
  /** Stream framing; default: octet for TLS, lf for TCP. Ignored by UDP and forward. */
  framing: 'lf' | 'octet' | undefined;
  /** Largest UDP datagram in bytes; lines are fitted to it by the formatter. */
  udpMaxBytes: number;
  tls: TlsClientConfig;
  /** Lines held in memory while the target is slow or down. */
  queueSize: number;
  /** When the queue is full: `block` (back-pressure to the source) or `drop` (counted, logged). */
  onFull: 'block' | 'drop';
  /** On shutdown, how long to keep delivering what is queued. */
  drainTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  forward: {
    /** Tag of the records sent to a Fluent Forward receiver. */
    tag: string;
    /** How long to wait for a Forward ack before resending the chunk. */
    ackTimeoutMs: number;
    /** Shared key for the Forward handshake (secure forward); prefer the environment variable. */
    sharedKey: string | undefined;
    /** Lines per Forward chunk. */
    chunkLines: number;
  };
}

export interface InputConfig {
  /** Largest accepted input line (or record) in bytes. */
  maxLineBytes: number;
}

export interface FollowConfig {
  path: string | undefined;
  state: string | undefined;
  from: 'end' | 'beginning';
  pollIntervalMs: number;
  /** Lines per batch handed to the sink before the checkpoint advances. */
  batchLines: number;
}

export interface ServeConfig {
  /** gRPC listen address `HOST:PORT` or `unix:///path`. */
  grpc: string | undefined;
  /** Fluent Forward listen address `HOST:PORT` or `unix:///path`. */
  forward: string | undefined;
  /** Extra plaintext gRPC health listener for kubelet probes, e.g. `0.0.0.0:50052`. */
  health: string | undefined;
  /** Prometheus metrics listener `HOST:PORT` (serves /metrics). */
  metrics: string | undefined;
  tls: { cert: string | undefined; key: string | undefined; clientCa: string | undefined };
  /** Allow plaintext on a non-loopback address. */
  plaintext: boolean;
  /** Largest gRPC message or Forward frame accepted, in bytes. */
  maxMessageBytes: number;
  maxConcurrentStreams: number;
  /** Formatter stream responses in flight before the server stops reading a stream. */
  streamWindow: number;
  /** Forward server shared key (handshake); prefer the environment variable. */
  forwardSharedKey: string | undefined;
  /** Seconds of grace on SIGTERM for in-flight calls and the sink drain. */
  shutdownTimeoutMs: number;
}

export interface Config {
  format: FormatOptions;
  normalize: NormalizeOptions;
  input: InputConfig;
  sinks: SinkConfig[];
  follow: FollowConfig;
  serve: ServeConfig;
  /** Where error reports and logs go: `-` = stderr, or a file (Fluentd discards stderr). */
  errors: string | undefined;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
}

/** Every documented Sensage column, in the default order (README "Sensage layout"). */
export const DEFAULT_SENSAGE_COLUMNS: readonly string[] = [
  'time', 'event_id', 'event_name', 'severity', 'priority', 'host', 'product_version', 'message_type',
  'msg', 'act', 'suid', 'sname', 'suser', 'spriv', 'spid', 'src', 'dvc', 'dst', 'dhost', 'dpt', 'duser', 'duid',
  'dproc', 'requestMethod', 'sourceServiceName', 'originIP', 'country', 'state', 'city', 'latitude', 'longitude',
  'partsNeeded', 'partsSent',
  'cs1Label', 'cs1', 'cs2Label', 'cs2', 'cs3Label', 'cs3', 'cs4Label', 'cs4', 'cs5Label', 'cs5', 'cs6Label', 'cs6',
  'cs7Label', 'cs7', 'cs8Label', 'cs8', 'extra',
];

export function defaultSink(url = 'stdout'): SinkConfig {
  return {
    url,
    framing: undefined,
    udpMaxBytes: 2048,
    tls: { ca: undefined, cert: undefined, key: undefined, serverName: undefined, insecure: false },
    queueSize: 10_000,
    onFull: 'block',
    drainTimeoutMs: 10_000,
    reconnectMinMs: 100,
    reconnectMaxMs: 30_000,
    forward: { tag: 'segura.siem', ackTimeoutMs: 30_000, sharedKey: undefined, chunkLines: 500 },
  };
}

export function defaultConfig(): Config {
  return {
    format: {
      format: 'cef',
      envelope: 'none',
      cef: { vendor: 'MT4', product: 'Segura', defaultProductVersion: 'unknown' },
      syslog: {
        facility: 1,
        appName: 'Segura',
        msgId: 'event-id',
        hostname: hostname(),
        sd: false,
        sdId: 'segura@32473',
        bom: false,
        seguraCompat: false,
      },
      sensage: { columns: DEFAULT_SENSAGE_COLUMNS },
      maxBytes: undefined,
    },
    normalize: {
      profile: 'segura',
      dropUnknown: false,
      defaultSeverity: '5',
      defaultSyslogSeverity: 5,
      aliases: {},
    },
    input: { maxLineBytes: 1024 * 1024 },
    sinks: [defaultSink()],
    follow: { path: undefined, state: undefined, from: 'end', pollIntervalMs: 250, batchLines: 500 },
    serve: {
      grpc: undefined,
      forward: undefined,
      health: undefined,
      metrics: undefined,
      tls: { cert: undefined, key: undefined, clientCa: undefined },
      plaintext: false,
      maxMessageBytes: 4 * 1024 * 1024,
      maxConcurrentStreams: 100,
      streamWindow: 16,
      forwardSharedKey: undefined,
      shutdownTimeoutMs: 15_000,
    },
    errors: undefined,
    logLevel: 'info',
  };
}
