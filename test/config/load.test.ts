import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parsePriority } from '../../plugin/config/load.js';
import { FLAGS } from '../../plugin/config/flags.js';
import { defaultConfig } from '../../plugin/config/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'seg-config-'));
function yamlFile(text: string): string {
  const f = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, text);
  return f;
}
function problems(mode: 'stdio' | 'follow' | 'serve', argv: string[]): string {
  try {
    loadConfig(mode, argv, {});
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

describe('configuration', () => {
  it('defaults to CEF, the segura profile and stdout', () => {
    const { config } = loadConfig('stdio', [], {});
    expect(config.format.format).toBe('cef');
    expect(config.normalize.profile).toBe('segura');
    expect(config.sinks.map((s) => s.url)).toEqual(['stdout']);
    expect(config.input.maxLineBytes).toBe(1024 * 1024);
  });

  it('sets every flag on its config path', () => {
    const { config } = loadConfig(
      'stdio',
      ['--format', 'rfc5424', '--profile', 'strict', '--max-bytes', '1024', '--sd', '--default-priority', 'alert', '--sensage-columns', 'a, b', '--sink', 'syslog+udp://127.0.0.1:514', '--sink', 'stdout', '--queue-size', '7'],
      {},
    );
    expect(config.format.format).toBe('rfc5424');
    expect(config.normalize.profile).toBe('strict');
    expect(config.format.maxBytes).toBe(1024);
    expect(config.format.syslog.sd).toBe(true);
    expect(config.normalize.defaultSyslogSeverity).toBe(1);
    expect(config.format.sensage.columns).toEqual(['a', 'b']);
    expect(config.sinks.map((s) => [s.url, s.queueSize])).toEqual([['syslog+udp://127.0.0.1:514', 7], ['stdout', 7]]);
  });

  it('lets flags override the file, and reads secrets from the environment', () => {
    const f = yamlFile('format:\n  format: sensage\n  syslog:\n    appName: senhasegura\nsinks:\n  - url: forward://127.0.0.1:24281\n');
    const { config } = loadConfig('stdio', ['--config', f, '--format', 'cef'], { SEGURA_SIEM_SINK_SHARED_KEY: 's3cret' });
    expect(config.format.format).toBe('cef');
    expect(config.format.syslog.appName).toBe('senhasegura');
    expect(config.sinks[0]!.forward.sharedKey).toBe('s3cret');
  });

  it('reports every problem in the file at once, each with its path', () => {
    const f = yamlFile(
      ['format:', '  format: xml', '  fromat: cef', 'sinks:', '  - url: syslog+tls://siem:6514', '    tls:', '      ca: /nonexistent/ca.pem', '    queueSize: lots'].join('\n'),
    );
    const msg = problems('stdio', ['--config', f]);
    expect(msg).toContain('format.fromat: unknown key');
    expect(msg).toContain('sinks[0].queueSize: expected a non-negative integer, got "lots"');
    // Value checks run once the shape is right; fix the shape and they show up.
    const g = yamlFile(['format:', '  format: xml', 'sinks:', '  - url: syslog+tls://siem:6514', '    tls:', '      ca: /nonexistent/ca.pem'].join('\n'));
    const msg2 = problems('stdio', ['--config', g]);
    expect(msg2).toContain('format.format: expected one of cef|rfc5424|sensage, got "xml"');
    expect(msg2).toContain('sinks[0].tls.ca: file not found: /nonexistent/ca.pem');
  });

  it('rejects unknown flags, bad values and missing follow arguments clearly', () => {
    expect(problems('stdio', ['--nope'])).toMatch(/Unknown option '--nope'/);
    expect(problems('stdio', ['--format', 'json'])).toContain('--format: expected one of cef|rfc5424|sensage, got "json"');
    expect(problems('stdio', ['--max-bytes=-3'])).toContain('--max-bytes: expected a non-negative integer');
    expect(problems('follow', [])).toContain('follow.path: the file to follow is required');
    expect(problems('follow', ['/tmp/x'])).toContain('follow.state: --state FILE is required');
    expect(problems('stdio', ['--sink', 'syslog+tls://h:6514', '--framing', 'lf'])).toContain('RFC 5425 requires octet counting over TLS');
    expect(problems('stdio', ['--sink', 'kafka://h:1'])).toContain('unknown scheme "kafka"');
  });

  it('refuses plaintext serving on a non-loopback address unless asked', () => {
    expect(problems('serve', ['--grpc', '0.0.0.0:50051'])).toContain('serve.grpc: 0.0.0.0:50051 is not loopback');
    expect(problems('serve', ['--grpc', '0.0.0.0:50051', '--plaintext'])).toBe('');
    expect(problems('serve', ['--grpc', '127.0.0.1:50051'])).toBe('');
    expect(problems('serve', ['--forward', 'unix:///tmp/seg.sock'])).toBe('');
    expect(problems('serve', [])).toContain('give --grpc ADDR and/or --forward ADDR');
    expect(problems('serve', ['--forward', '127.0.0.1:24280', '--health', '0.0.0.0:50052'])).toContain('serve.health: needs --grpc');
  });

  it('parses syslog priorities by name or number', () => {
    expect([parsePriority('notice'), parsePriority('ALERT'), parsePriority(3), parsePriority('7'), parsePriority('loud')]).toEqual([5, 1, 3, 7, undefined]);
  });

  it('has a flag for every config leaf a user sets by hand (and every flag points at a real path)', () => {
    const config = defaultConfig() as unknown as Record<string, unknown>;
    for (const flag of FLAGS) {
      if (flag.path === '-') continue;
      const parts = flag.path.replace(/^sinks\.\*\./, 'sinks.0.').split('.');
      let node: unknown = config;
      for (const p of parts.slice(0, -1)) node = (node as Record<string, unknown>)[p];
      expect(parts[parts.length - 1]! in (node as object), `--${flag.name} → ${flag.path}`).toBe(true);
    }
  });
});
