/**
 * The flag table: every command-line flag, the config path it sets, the modes that take
 * it and its help text. `--help`, argument parsing and the config-example tests all read
 * this one table, so a renamed flag breaks a test, not a user.
 */
import type { Mode } from './schema.js';

export type FlagType = 'string' | 'int' | 'bool' | 'enum' | 'list';

export interface FlagSpec {
  readonly name: string;
  /** Dotted path in Config; `sinks.*.x` applies to every sink given with --sink. */
  readonly path: string;
  readonly type: FlagType;
  readonly values?: readonly string[];
  readonly modes: readonly Mode[];
  /** May be given more than once (collects a list). */
  readonly multiple?: boolean;
  readonly help: string;
  /** Shown in --help; the real default lives in schema.ts. */
  readonly defaultText?: string;
}

const ALL: readonly Mode[] = ['stdio', 'follow', 'serve'];
const FOLLOW: readonly Mode[] = ['follow'];
const SERVE: readonly Mode[] = ['serve'];

export const FLAGS: readonly FlagSpec[] = [
  { name: 'config', path: '-', type: 'string', modes: ALL, help: 'YAML configuration file; flags override it' },
  // formatting
  { name: 'format', path: 'format.format', type: 'enum', values: ['cef', 'rfc5424', 'sensage'], modes: ALL, help: 'output format', defaultText: 'cef' },
  { name: 'envelope', path: 'format.envelope', type: 'enum', values: ['none', 'rfc5424', 'rfc3164'], modes: ALL, help: 'syslog header around CEF lines', defaultText: 'none' },
  { name: 'profile', path: 'normalize.profile', type: 'enum', values: ['segura', 'strict'], modes: ALL, help: 'CEF key profile: Segura\'s documented keys, or CEF dictionary keys only', defaultText: 'segura' },
  { name: 'vendor', path: 'format.cef.vendor', type: 'string', modes: ALL, help: 'CEF Device Vendor', defaultText: 'MT4' },
  { name: 'product', path: 'format.cef.product', type: 'string', modes: ALL, help: 'CEF Device Product', defaultText: 'Segura' },
  { name: 'product-version', path: 'format.cef.defaultProductVersion', type: 'string', modes: ALL, help: 'CEF Device Version when the record has none', defaultText: 'unknown' },
  { name: 'default-severity', path: 'normalize.defaultSeverity', type: 'string', modes: ALL, help: 'CEF severity when neither record nor catalog gives one (0-10 or Unknown/Low/Medium/High/Very-High)', defaultText: '5' },
  { name: 'default-priority', path: 'normalize.defaultSyslogSeverity', type: 'string', modes: ALL, help: 'syslog severity when neither record nor catalog gives one (name or 0-7)', defaultText: 'notice' },
  { name: 'facility', path: 'format.syslog.facility', type: 'int', modes: ALL, help: 'syslog facility 0-23', defaultText: '1 (user)' },
  { name: 'app-name', path: 'format.syslog.appName', type: 'string', modes: ALL, help: 'RFC 5424 APP-NAME (senhasegura for older appliances)', defaultText: 'Segura' },
  { name: 'msgid', path: 'format.syslog.msgId', type: 'enum', values: ['event-id', 'none'], modes: ALL, help: 'RFC 5424 MSGID: the event id, or always -', defaultText: 'event-id' },
  { name: 'hostname', path: 'format.syslog.hostname', type: 'string', modes: ALL, help: 'syslog HOSTNAME when the record has no host', defaultText: 'this machine\'s name' },
  { name: 'sd', path: 'format.syslog.sd', type: 'bool', modes: ALL, help: 'also put the fields in one RFC 5424 SD-ELEMENT' },
  { name: 'sd-id', path: 'format.syslog.sdId', type: 'string', modes: ALL, help: 'SD-ID for --sd (name@PEN)', defaultText: 'segura@32473' },
  { name: 'bom', path: 'format.syslog.bom', type: 'bool', modes: ALL, help: 'start RFC 5424 MSG with a UTF-8 BOM' },
  { name: 'segura-compat', path: 'format.syslog.seguraCompat', type: 'bool', modes: ALL, help: 'omit STRUCTURED-DATA like Segura\'s published example (NOT RFC 5424 conformant)' },
  { name: 'sensage-columns', path: 'format.sensage.columns', type: 'list', modes: ALL, help: 'comma-separated Sensage columns, in order', defaultText: 'every column' },
  { name: 'max-bytes', path: 'format.maxBytes', type: 'int', modes: ALL, help: 'cap on a line\'s UTF-8 size; free text (msg first) is shortened to fit', defaultText: 'no cap' },
  { name: 'drop-unknown', path: 'normalize.dropUnknown', type: 'bool', modes: ALL, help: 'drop fields that are neither documented nor CEF keys' },
  { name: 'max-line-bytes', path: 'input.maxLineBytes', type: 'int', modes: ALL, help: 'largest accepted input line / record in bytes', defaultText: '1048576' },
  { name: 'errors', path: 'errors', type: 'string', modes: ALL, help: 'file for error reports and logs (- = stderr)', defaultText: 'stderr' },
  { name: 'log-level', path: 'logLevel', type: 'enum', values: ['error', 'warn', 'info', 'debug'], modes: ALL, help: 'least severe log level written', defaultText: 'info' },
  // sinks
  { name: 'sink', path: 'sinks.*.url', type: 'string', multiple: true, modes: ALL, help: 'where lines go: stdout, syslog+tcp://H:P, syslog+tls://H:P, syslog+udp://H:P, forward://H:P, forward+tls://H:P, forward+unix:///path (repeat to fan out)', defaultText: 'stdout' },
  { name: 'framing', path: 'sinks.*.framing', type: 'enum', values: ['lf', 'octet'], modes: ALL, help: 'syslog stream framing (RFC 6587)', defaultText: 'octet for tls, lf for tcp' },
  { name: 'udp-max-bytes', path: 'sinks.*.udpMaxBytes', type: 'int', modes: ALL, help: 'largest UDP datagram; lines are fitted to it', defaultText: '2048' },
  { name: 'sink-tls-ca', path: 'sinks.*.tls.ca', type: 'string', modes: ALL, help: 'CA bundle (PEM) to verify the sink\'s server' },
  { name: 'sink-tls-cert', path: 'sinks.*.tls.cert', type: 'string', modes: ALL, help: 'client certificate (PEM) for mutual TLS to the sink' },
  { name: 'sink-tls-key', path: 'sinks.*.tls.key', type: 'string', modes: ALL, help: 'client key (PEM) for mutual TLS to the sink' },
  { name: 'sink-tls-servername', path: 'sinks.*.tls.serverName', type: 'string', modes: ALL, help: 'name to verify in the sink\'s certificate', defaultText: 'the URL host' },
  { name: 'sink-tls-insecure', path: 'sinks.*.tls.insecure', type: 'bool', modes: ALL, help: 'do not verify the sink\'s certificate (lab use only)' },
  { name: 'queue-size', path: 'sinks.*.queueSize', type: 'int', modes: ALL, help: 'lines held in memory per sink', defaultText: '10000' },
  { name: 'on-full', path: 'sinks.*.onFull', type: 'enum', values: ['block', 'drop'], modes: ALL, help: 'when the queue is full: back-pressure, or drop (counted and logged)', defaultText: 'block' },
  { name: 'drain-timeout', path: 'sinks.*.drainTimeoutMs', type: 'int', modes: ALL, help: 'ms to keep delivering queued lines on shutdown', defaultText: '10000' },
  { name: 'reconnect-min', path: 'sinks.*.reconnectMinMs', type: 'int', modes: ALL, help: 'first reconnect delay in ms (doubles, with jitter)', defaultText: '100' },
  { name: 'reconnect-max', path: 'sinks.*.reconnectMaxMs', type: 'int', modes: ALL, help: 'longest reconnect delay in ms', defaultText: '30000' },
  { name: 'forward-tag', path: 'sinks.*.forward.tag', type: 'string', modes: ALL, help: 'tag of records sent to a forward:// sink', defaultText: 'segura.siem' },
  { name: 'forward-ack-timeout', path: 'sinks.*.forward.ackTimeoutMs', type: 'int', modes: ALL, help: 'ms to wait for a Forward ack before resending', defaultText: '30000' },
  { name: 'forward-chunk-lines', path: 'sinks.*.forward.chunkLines', type: 'int', modes: ALL, help: 'lines per Forward chunk', defaultText: '500' },
  // follow
  { name: 'state', path: 'follow.state', type: 'string', modes: FOLLOW, help: 'file that keeps the read position (required)' },
  { name: 'from', path: 'follow.from', type: 'enum', values: ['end', 'beginning'], modes: FOLLOW, help: 'where to start when there is no saved position', defaultText: 'end' },
  { name: 'poll-interval', path: 'follow.pollIntervalMs', type: 'int', modes: FOLLOW, help: 'ms between checks for new data and rotation', defaultText: '250' },
  { name: 'batch-lines', path: 'follow.batchLines', type: 'int', modes: FOLLOW, help: 'lines per batch before the position is saved', defaultText: '500' },
  // serve
  { name: 'grpc', path: 'serve.grpc', type: 'string', modes: SERVE, help: 'gRPC listen address HOST:PORT or unix:///path' },
  { name: 'forward', path: 'serve.forward', type: 'string', modes: SERVE, help: 'Fluent Forward listen address HOST:PORT or unix:///path' },
  { name: 'health', path: 'serve.health', type: 'string', modes: SERVE, help: 'extra plaintext gRPC health listener for kubelet probes (e.g. 0.0.0.0:50052)' },
  { name: 'metrics', path: 'serve.metrics', type: 'string', modes: SERVE, help: 'Prometheus /metrics listener HOST:PORT' },
  { name: 'tls-cert', path: 'serve.tls.cert', type: 'string', modes: SERVE, help: 'server certificate (PEM) for the gRPC and Forward listeners' },
  { name: 'tls-key', path: 'serve.tls.key', type: 'string', modes: SERVE, help: 'server key (PEM)' },
  { name: 'tls-client-ca', path: 'serve.tls.clientCa', type: 'string', modes: SERVE, help: 'CA (PEM) that client certificates must chain to (mutual TLS)' },
  { name: 'plaintext', path: 'serve.plaintext', type: 'bool', modes: SERVE, help: 'allow plaintext on a non-loopback address' },
  { name: 'max-message-bytes', path: 'serve.maxMessageBytes', type: 'int', modes: SERVE, help: 'largest gRPC message / Forward frame in bytes', defaultText: '4194304' },
  { name: 'max-concurrent-streams', path: 'serve.maxConcurrentStreams', type: 'int', modes: SERVE, help: 'HTTP/2 streams per gRPC connection', defaultText: '100' },
  { name: 'stream-window', path: 'serve.streamWindow', type: 'int', modes: SERVE, help: 'FormatStream requests in flight before reading pauses', defaultText: '16' },
  { name: 'shutdown-timeout', path: 'serve.shutdownTimeoutMs', type: 'int', modes: SERVE, help: 'ms of grace on SIGTERM', defaultText: '15000' },
];

/** Environment variables read for secrets (never put secrets in flags: they show in `ps`). */
export const ENV_VARS: ReadonlyArray<{ name: string; path: string; help: string }> = [
  { name: 'SEGURA_SIEM_FORWARD_SHARED_KEY', path: 'serve.forwardSharedKey', help: 'shared key required from Forward clients' },
  { name: 'SEGURA_SIEM_SINK_SHARED_KEY', path: 'sinks.*.forward.sharedKey', help: 'shared key presented to a forward:// sink' },
];

export function flagsForMode(mode: Mode): FlagSpec[] {
  return FLAGS.filter((f) => f.modes.includes(mode));
}
