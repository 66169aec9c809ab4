/**
 * Throwaway PKI for TLS tests, made with the `openssl` CLI in a temp directory: a test CA,
 * a server certificate for `localhost` / 127.0.0.1 / ::1, a client certificate for mutual
 * TLS, and an unrelated "rogue" CA with its own server certificate (a receiver the client
 * must refuse). EC P-256 keys keep generation fast. Arguments are passed as an argv array,
 * never through a shell.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  readonly dir: string;
  /** Paths of PEM files. */
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly rogueCaCert: string;
  readonly rogueServerCert: string;
  readonly rogueServerKey: string;
  cleanup(): void;
}

const DAYS = '2';

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', DAYS, '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

/** A leaf certificate signed by `ca`, with the extensions in `ext` (an openssl extfile body). */
function makeLeaf(dir: string, name: string, ca: string, subject: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, [
    'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject,
  ]);
  openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-out', `${name}.pem`, '-days', DAYS, '-extfile', `${name}.ext`,
  ]);
}

const SERVER_EXT = [
  'basicConstraints=CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=serverAuth',
  'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
].join('\n');

const CLIENT_EXT = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth'].join('\n');

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'segura-siem-pki-'));
  makeCa(dir, 'ca');
  makeLeaf(dir, 'server', 'ca', '/CN=localhost', SERVER_EXT);
  makeLeaf(dir, 'client', 'ca', '/CN=segura-siem-test-client', CLIENT_EXT);
  makeCa(dir, 'rogue-ca');
  makeLeaf(dir, 'rogue-server', 'rogue-ca', '/CN=localhost', SERVER_EXT);
  const p = (f: string): string => join(dir, f);
  return {
    dir,
    caCert: p('ca.pem'),
    serverCert: p('server.pem'),
    serverKey: p('server.key'),
    clientCert: p('client.pem'),
    clientKey: p('client.key'),
    rogueCaCert: p('rogue-ca.pem'),
    rogueServerCert: p('rogue-server.pem'),
    rogueServerKey: p('rogue-server.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
