/**
 * The Kubernetes example's pod, minus Kubernetes: segura-siem started with the Deployment's
 * args and the ConfigMap's segura-siem.yaml, the TLS Secret "mounted" (its three keys written
 * to files, the config's /etc/segura-siem/tls paths pointed at them), and the SIEM played by
 * a TLS syslog listener that requires the client certificate (mutual TLS) and parses RFC 5425
 * octet-counted frames. Only the listen ports are moved (flags override the file) so the test
 * can run next to others.
 *
 * Then, as the pod's other parties would:
 * - kubelet: `grpc.health.v1.Health/Check` in plaintext on the pod IP (not 127.0.0.1) answers
 *   SERVING, while the Forward data port is not reachable there;
 * - Fluent Bit (the ConfigMap's fluent-bit.yaml): `forward` output with require_ack_response
 *   gets its ack once the lines were accepted by the SIEM connection;
 * - the SIEM: receives one octet-counted RFC 5424 + CEF line per record over mutual TLS;
 * - Prometheus: /metrics answers.
 */
import { createConnection } from 'node:net';
import { networkInterfaces } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../../helpers/certs.js';
import { startStreamListener, type StreamListener } from '../../helpers/syslog-listener.js';
import {
  EventTime,
  ForwardOutput,
  ROOT,
  decodeMessage,
  ensureBuilt,
  expectLineFor,
  freePort,
  grpcUnary,
  sampleRecords,
  serving,
  start,
  stop,
  tempDir,
  waitFor,
  type Running,
} from './support.js';

const K8S = join(ROOT, 'config-examples/kubernetes');

/** A non-loopback IPv4 address of this machine, standing in for the pod IP (else 127.0.0.1). */
function podIp(): string {
  const found = Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal);
  return found?.address ?? '127.0.0.1';
}

describe('Kubernetes example pod: Fluent Bit → segura-siem sidecar → SIEM over mutual TLS', () => {
  let pki: TestPki;
  let siem: StreamListener;
  let p: Running;
  const ports = { forward: 0, grpc: 0, health: 0, metrics: 0 };

  beforeAll(async () => {
    await ensureBuilt();
    pki = makeTestPki();
    siem = await startStreamListener({
      framing: 'octet',
      tls: { key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert), ca: [readFileSync(pki.caCert)], requestCert: true, rejectUnauthorized: true },
    });

    const configMap = parseYaml(readFileSync(join(K8S, 'configmap.yaml'), 'utf8')) as { data: Record<string, string> };
    // The Secret mount: ca.crt / tls.crt / tls.key under /etc/segura-siem/tls.
    const mounted: Record<string, string> = { 'ca.crt': pki.caCert, 'tls.crt': pki.clientCert, 'tls.key': pki.clientKey };
    let config = configMap.data['segura-siem.yaml']!;
    for (const [key, file] of Object.entries(mounted)) config = config.split(`/etc/segura-siem/tls/${key}`).join(file);
    // The SIEM: our listener, whose certificate names localhost.
    config = config.replace(/syslog\+tls:\/\/[^:\s]+:\d+/, `syslog+tls://localhost:${siem.port}`);
    const dir = tempDir('seg-k8s-');
    const configFile = join(dir, 'segura-siem.yaml');
    writeFileSync(configFile, config);

    const deployment = parseYaml(readFileSync(join(K8S, 'deployment-native-sidecar.yaml'), 'utf8')) as Record<string, any>;
    const args = [...(deployment['spec']['template']['spec']['initContainers'][0]['args'] as string[])];
    args[args.indexOf('--config') + 1] = configFile;
    for (const k of Object.keys(ports) as Array<keyof typeof ports>) ports[k] = await freePort();
    p = start([
      ...args,
      '--forward', `127.0.0.1:${ports.forward}`,
      '--grpc', `127.0.0.1:${ports.grpc}`,
      '--health', `0.0.0.0:${ports.health}`,
      '--metrics', `127.0.0.1:${ports.metrics}`,
    ]);
    await serving(p);
  }, 120_000);

  afterAll(async () => {
    if (p !== undefined) expect(await stop(p)).toBe(0);
    await siem?.close();
    pki?.cleanup();
  });

  it('kubelet: plaintext gRPC health on the pod IP answers SERVING; the data port is not there', async () => {
    const ip = podIp();
    const reply = await grpcUnary(ports.health, '/grpc.health.v1.Health/Check', Buffer.alloc(0), { userAgent: 'kube-probe/1.33', host: ip });
    expect(reply.status, reply.message).toBe(0);
    expect(decodeMessage('grpc.health.v1.HealthCheckResponse', reply.messages[0]!)).toEqual({ status: 'SERVING' });
    if (ip !== '127.0.0.1') {
      const refused = await new Promise<string>((resolve) => {
        const s = createConnection(ports.forward, ip, () => {
          s.destroy();
          resolve('connected');
        });
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
    }
  });

  it('Fluent Bit forward with acks → one octet-framed RFC 5424 + CEF line per record at the SIEM, over mTLS', async () => {
    const fluentBit = parseYaml(
      (parseYaml(readFileSync(join(K8S, 'configmap.yaml'), 'utf8')) as { data: Record<string, string> }).data['fluent-bit.yaml']!,
    ) as { pipeline: { inputs: Array<Record<string, unknown>>; outputs: Array<Record<string, unknown>> } };
    const output = fluentBit.pipeline.outputs.find((o) => o['name'] === 'forward')!;
    expect(output['require_ack_response']).toBe(true);
    const tag = String(fluentBit.pipeline.inputs[0]!['tag']);

    const records = sampleRecords(6);
    const client = await ForwardOutput.connect(ports.forward);
    // Fluent Bit 5.x default entry shape: [[EventTime, metadata], record].
    const chunk = client.sendForward(tag, records.map((r, i) => [[new EventTime(1_768_819_260 + i, 0), {}], r]));
    await waitFor(() => (client.acks.includes(chunk) ? true : undefined), () => `ack for ${chunk}; SIEM got ${siem.messages.length}; log ${p.stderr().slice(-800)}`);
    client.close();

    // Acked means the SIEM connection took every line; the listener (in this process) may
    // still be reading them.
    const lines = await waitFor(() => (siem.messages.length >= records.length ? siem.messages.slice(0, records.length) : undefined), () => `${records.length} lines at the SIEM`);
    lines.forEach((line, i) => {
      expect(line).toMatch(/^<\d{1,3}>1 /);
      expectLineFor(line, records[i]!);
    });
    expect(siem.errors).toEqual([]);
    expect(siem.connections[0]!.clientCn).toBe('segura-siem-test-client');
  });

  it('Prometheus: /metrics answers on the metrics port', async () => {
    const res = await fetch(`http://127.0.0.1:${ports.metrics}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^# (HELP|TYPE) /m);
  });
});
