/**
 * The Kubernetes example is several files that must agree with each other and with the
 * image: the probes hit the port segura-siem's config opens for health, on an address the
 * kubelet can reach; the mounts put the ConfigMap and the Secret where the config and the
 * flags look for them; Fluent Bit sends to the port segura-siem listens on; the
 * NetworkPolicy lets through exactly the ports in use; the user id matches the Dockerfile.
 * Each check reads the values from the files, so changing one file alone breaks a test.
 */
import { readFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseListenAddress } from '../../plugin/config/address.js';
import { parseSinkUrl } from '../../plugin/config/sink-url.js';
import { ROOT, exampleFiles, yamlDocuments } from './examples.js';

// Parsed manifests are walked by key; `any` keeps the lookups short.
type Obj = Record<string, any>;

const K8S = join(ROOT, 'config-examples/kubernetes');
const k8sFiles = exampleFiles().filter((f) => f.path.startsWith('config-examples/kubernetes/') && f.kind === 'yaml');
const docs: Obj[] = k8sFiles.flatMap((f) => yamlDocuments(f) as Obj[]);
const ofKind = (kind: string) => docs.filter((d) => d?.['kind'] === kind);
const configMap = ofKind('ConfigMap')[0]!;
const secret = ofKind('Secret')[0]!;
const segura: Obj = parseYaml(configMap['data']['segura-siem.yaml']);
const fluentBit: Obj = parseYaml(configMap['data']['fluent-bit.yaml']);

function deployment(file: string): Obj {
  return yamlDocuments(k8sFiles.find((f) => f.path.endsWith(file))!)[0] as Obj;
}
const isOurs = (c: Obj) => /segura-siem/.test(String(c['image']));
const portOf = (addr: string) => {
  const a = parseListenAddress(addr);
  if (typeof a === 'string' || a.kind !== 'tcp') throw new Error(`not a TCP address: ${addr}`);
  return a;
};

/** The numeric USER of the Dockerfile's final stage. */
function dockerfileUser(): { uid: number; gid: number } {
  const users = [...readFileSync(join(ROOT, 'Dockerfile'), 'utf8').matchAll(/^USER\s+(\d+):(\d+)\s*$/gm)];
  const last = users[users.length - 1]!;
  return { uid: Number(last[1]), gid: Number(last[2]) };
}

const variants = [
  ['native sidecar (1.29+)', 'deployment-native-sidecar.yaml'],
  ['plain sidecar (< 1.29)', 'deployment-plain-sidecar.yaml'],
] as const;

describe.each(variants)('Kubernetes %s', (variant, file) => {
  const d = deployment(file);
  const pod = d['spec']['template']['spec'] as Obj;
  const all: Obj[] = [...(pod['initContainers'] ?? []), ...pod['containers']];
  const siem = all.find(isOurs)!;
  const fb = all.find((c) => /fluent-bit/.test(String(c['image'])))!;

  it('places segura-siem where the variant needs it', () => {
    if (variant.startsWith('native')) {
      expect((pod['initContainers'] as Obj[]).find(isOurs)?.['restartPolicy']).toBe('Always');
      expect((pod['containers'] as Obj[]).some(isOurs)).toBe(false);
    } else {
      expect(pod['initContainers']).toBeUndefined();
      expect((pod['containers'] as Obj[])[0]).toBe(siem);
      expect(siem['lifecycle']['postStart']['exec']['command'][0]).toBe('node');
      expect(siem['lifecycle']['preStop']['exec']['command']).toEqual(['sleep', expect.stringMatching(/^\d+$/)]);
      // segura-siem must outlive Fluent Bit's grace period after SIGTERM.
      expect(Number(siem['lifecycle']['preStop']['exec']['command'][1])).toBeGreaterThan(Number(fluentBit['service']['grace']));
    }
  });

  it('probes the health port segura-siem opens, on an address the kubelet can reach', () => {
    const health = portOf(segura['serve']['health']);
    expect(health.host).toBe('0.0.0.0');
    // The health listener is part of the gRPC server: without --grpc it is not opened.
    expect(segura['serve']['grpc']).toBeDefined();
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(siem[probe]['grpc']['port'], probe).toBe(health.port);
    }
    expect((siem['ports'] as Obj[]).map((p) => p['containerPort'])).toContain(health.port);
    // The data listeners stay on loopback (plaintext is allowed only there).
    expect(portOf(segura['serve']['forward']).host).toBe('127.0.0.1');
    expect(portOf(segura['serve']['grpc']).host).toBe('127.0.0.1');
  });

  it('mounts the config file and the TLS files where segura-siem reads them', () => {
    const args = siem['args'] as string[];
    const configPath = args[args.indexOf('--config') + 1]!;
    const mountOf = (path: string) => (siem['volumeMounts'] as Obj[]).find((m) => path.startsWith(`${m['mountPath']}/`));
    const volumeOf = (name: string) => (pod['volumes'] as Obj[]).find((v) => v['name'] === name)!;

    const cfgMount = mountOf(configPath)!;
    const cfgVolume = volumeOf(cfgMount['name']);
    expect(cfgVolume['configMap']['name']).toBe(configMap['metadata']['name']);
    expect((cfgVolume['configMap']['items'] as Obj[]).map((i) => i['path'])).toContain(basename(configPath));

    for (const key of ['ca', 'cert', 'key']) {
      const path = segura['sinks'][0]['tls'][key] as string;
      const volume = volumeOf(mountOf(path)!['name']);
      expect(volume['secret']['secretName']).toBe(secret['metadata']['name']);
      expect(Object.keys(secret['stringData'])).toContain(basename(path));
    }
    for (const m of siem['volumeMounts'] as Obj[]) expect(m['readOnly'], m['mountPath']).toBe(true);
  });

  it('runs hardened, as the Dockerfile user, with memory requests and limits', () => {
    const user = dockerfileUser();
    expect(pod['securityContext']['runAsNonRoot']).toBe(true);
    expect(pod['securityContext']['runAsUser']).toBe(user.uid);
    expect(pod['securityContext']['runAsGroup']).toBe(user.gid);
    expect(pod['automountServiceAccountToken']).toBe(false);
    for (const c of [siem, fb]) {
      expect(c['securityContext']).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(c['resources']['requests']['memory']).toMatch(/^\d+Mi$/);
      expect(c['resources']['limits']['memory']).toMatch(/^\d+Mi$/);
    }
    // The grace period covers segura-siem's own shutdown deadline.
    expect(pod['terminationGracePeriodSeconds'] * 1000).toBeGreaterThan(segura['serve']['shutdownTimeoutMs']);
  });

  it('starts Fluent Bit on the config it mounts, sending to segura-siem with acks', () => {
    const args = fb['args'] as string[];
    const path = args[args.indexOf('-c') + 1]!;
    const mount = (fb['volumeMounts'] as Obj[]).find((m) => m['mountPath'] === dirname(path))!;
    const volume = (pod['volumes'] as Obj[]).find((v) => v['name'] === mount['name'])!;
    expect(volume['configMap']['name']).toBe(configMap['metadata']['name']);
    expect((volume['configMap']['items'] as Obj[]).map((i) => i['key'])).toContain(basename(path));

    const forward = (fluentBit['pipeline']['outputs'] as Obj[]).find((o) => o['name'] === 'forward')!;
    const listen = portOf(segura['serve']['forward']);
    expect(forward['host']).toBe(listen.host);
    expect(forward['port']).toBe(listen.port);
    expect(forward['require_ack_response']).toBe(true);
    // Fluent Bit keeps unacked chunks on the state volume.
    const stateMount = (fb['volumeMounts'] as Obj[]).find((m) => String(fluentBit['service']['storage.path']).startsWith(m['mountPath']))!;
    expect((pod['volumes'] as Obj[]).find((v) => v['name'] === stateMount['name'])!['persistentVolumeClaim']).toBeDefined();
  });
});

describe('Kubernetes NetworkPolicy and kustomization', () => {
  const policy = ofKind('NetworkPolicy')[0]!;
  const d = deployment('deployment-native-sidecar.yaml');

  it('selects the pod and allows exactly the ports in use', () => {
    expect(policy['spec']['podSelector']['matchLabels']).toEqual(d['spec']['template']['metadata']['labels']);
    const ingressPorts = (policy['spec']['ingress'] as Obj[]).flatMap((r) => r['ports'].map((p: Obj) => p['port']));
    expect(ingressPorts).toEqual([portOf(segura['serve']['metrics']).port]);
    const sink = parseSinkUrl(segura['sinks'][0]['url']);
    if (typeof sink === 'string' || sink.kind === 'stdout' || !('port' in sink)) throw new Error('the example sink is a network sink');
    const egressPorts = (policy['spec']['egress'] as Obj[]).flatMap((r) => r['ports'].map((p: Obj) => p['port']));
    expect(egressPorts).toContain(sink.port);
    expect(egressPorts).toContain(53);
  });

  it('lists existing files, and not the placeholder Secret', () => {
    const k = parseYaml(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8')) as Obj;
    for (const r of k['resources'] as string[]) expect(existsSync(join(K8S, r)), r).toBe(true);
    expect(k['resources']).not.toContain('secret-tls.yaml');
    expect(secret['stringData']['tls.key']).toMatch(/REPLACE-WITH/);
  });
});
