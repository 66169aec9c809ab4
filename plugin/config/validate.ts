/**
 * Cross-field and file checks on a merged Config. Returns every problem with its path
 * (`sinks[0].tls.ca: file not found: /x.pem`) so an operator fixes them all in one go.
 */
import { existsSync } from 'node:fs';
import { FLAGS } from './flags.js';
import type { Config, Mode } from './schema.js';
import { parseSinkUrl } from './sink-url.js';
import { isLoopbackOrUnix } from './address.js';

const CEF_SEVERITY_NAMES = ['Unknown', 'Low', 'Medium', 'High', 'Very-High'];

export function validateConfig(config: Config, mode: Mode, positionals: readonly string[]): string[] {
  const problems: string[] = [];
  checkEnums(config, problems);
  checkFormat(config, problems);
  config.sinks.forEach((_, i) => checkSink(config, i, problems));
  if (mode === 'follow') checkFollow(config, positionals, problems);
  if (mode === 'serve') checkServe(config, problems);
  if (mode !== 'follow' && positionals.length > 0) problems.push(`unexpected argument "${positionals[0]}"`);
  return problems;
}

function checkEnums(config: Config, problems: string[]): void {
  for (const flag of FLAGS) {
    if (flag.type !== 'enum') continue;
    const paths = flag.path.startsWith('sinks.*.')
      ? config.sinks.map((_, i) => [`sinks[${i}]`, flag.path.slice('sinks.*.'.length)] as const)
      : [['', flag.path] as const];
    for (const [prefix, rest] of paths) {
      const base = prefix ? config.sinks[Number(prefix.slice(6, -1))] : config;
      const value = rest.split('.').reduce<unknown>((node, p) => (node as Record<string, unknown>)?.[p], base);
      if (value !== undefined && !flag.values!.includes(String(value))) {
        problems.push(`${prefix ? `${prefix}.` : ''}${rest}: expected one of ${flag.values!.join('|')}, got "${String(value)}"`);
      }
    }
  }
}

function checkFormat(config: Config, problems: string[]): void {
  const { format, normalize } = config;
  if (!Number.isInteger(format.syslog.facility) || format.syslog.facility < 0 || format.syslog.facility > 23) {
    problems.push(`format.syslog.facility: expected 0-23, got ${format.syslog.facility}`);
  }
  const sev = normalize.defaultSeverity;
  if (!(/^(10|[0-9])$/.test(sev) || CEF_SEVERITY_NAMES.includes(sev))) {
    problems.push(`normalize.defaultSeverity: expected 0-10 or ${CEF_SEVERITY_NAMES.join('/')}, got "${sev}"`);
  }
  if (format.maxBytes !== undefined && format.maxBytes < 64) {
    problems.push(`format.maxBytes: ${format.maxBytes} is too small to hold a header (minimum 64)`);
  }
  if (!/^[^=\] "]{1,32}$/.test(format.syslog.sdId) || /[^\x21-\x7e]/.test(format.syslog.sdId)) {
    problems.push(`format.syslog.sdId: "${format.syslog.sdId}" is not a valid SD-ID (1-32 printable ASCII, no = ] " or space)`);
  }
  if (format.sensage.columns.length === 0) problems.push('format.sensage.columns: at least one column is needed');
  if (config.input.maxLineBytes < 2) problems.push('input.maxLineBytes: must be at least 2');
}

function checkSink(config: Config, i: number, problems: string[]): void {
  const sink = config.sinks[i]!;
  const at = `sinks[${i}]`;
  const parsed = parseSinkUrl(sink.url);
  if (typeof parsed === 'string') {
    problems.push(`${at}.url: ${parsed}`);
    return;
  }
  for (const key of ['ca', 'cert', 'key'] as const) {
    const file = sink.tls[key];
    if (file !== undefined && !existsSync(file)) problems.push(`${at}.tls.${key}: file not found: ${file}`);
  }
  if ((sink.tls.cert === undefined) !== (sink.tls.key === undefined)) {
    problems.push(`${at}.tls: cert and key must be given together`);
  }
  if (parsed.kind === 'syslog' && parsed.transport === 'tls' && sink.framing === 'lf') {
    problems.push(`${at}.framing: RFC 5425 requires octet counting over TLS; lf is refused`);
  }
  if (sink.queueSize < 1) problems.push(`${at}.queueSize: must be at least 1`);
  if (sink.udpMaxBytes < 480 || sink.udpMaxBytes > 65_507) problems.push(`${at}.udpMaxBytes: expected 480-65507`);
  if (sink.reconnectMinMs > sink.reconnectMaxMs) problems.push(`${at}.reconnectMinMs: larger than reconnectMaxMs`);
  if (sink.forward.chunkLines < 1) problems.push(`${at}.forward.chunkLines: must be at least 1`);
}

function checkFollow(config: Config, positionals: readonly string[], problems: string[]): void {
  if (positionals.length > 1) problems.push(`follow takes one PATH, got ${positionals.length}`);
  const path = positionals[0] ?? config.follow.path;
  if (path === undefined) problems.push('follow.path: the file to follow is required (segura-siem follow PATH --state FILE)');
  else config.follow.path = path;
  if (config.follow.state === undefined) problems.push('follow.state: --state FILE is required');
  if (config.follow.batchLines < 1) problems.push('follow.batchLines: must be at least 1');
}

function checkServe(config: Config, problems: string[]): void {
  const s = config.serve;
  if (s.grpc === undefined && s.forward === undefined) problems.push('serve: give --grpc ADDR and/or --forward ADDR');
  // The health service is part of the gRPC server; without it --health would listen on nothing.
  if (s.health !== undefined && s.grpc === undefined) problems.push('serve.health: needs --grpc (health is served by the gRPC server)');
  for (const key of ['cert', 'key', 'clientCa'] as const) {
    const file = s.tls[key];
    if (file !== undefined && !existsSync(file)) problems.push(`serve.tls.${key}: file not found: ${file}`);
  }
  if ((s.tls.cert === undefined) !== (s.tls.key === undefined)) problems.push('serve.tls: cert and key must be given together');
  if (s.tls.clientCa !== undefined && s.tls.cert === undefined) problems.push('serve.tls.clientCa: needs cert and key');
  const tls = s.tls.cert !== undefined;
  for (const [name, addr] of [['grpc', s.grpc], ['forward', s.forward]] as const) {
    if (addr !== undefined && !tls && !s.plaintext && !isLoopbackOrUnix(addr)) {
      problems.push(`serve.${name}: ${addr} is not loopback or a unix socket; give --tls-cert/--tls-key, or --plaintext to allow it`);
    }
  }
  if (s.maxMessageBytes < 1024) problems.push('serve.maxMessageBytes: must be at least 1024');
  if (s.streamWindow < 1) problems.push('serve.streamWindow: must be at least 1');
}
