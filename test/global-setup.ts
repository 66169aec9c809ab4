/**
 * Gives every test run its own temporary directory (TMPDIR, so `os.tmpdir()` in workers and
 * child processes points into it) and removes it afterwards: sockets, state files, certs and
 * fixtures made by the tests never pile up in the machine's /tmp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  // Short prefix: unix socket paths must stay under ~100 bytes.
  const root = mkdtempSync(join(tmpdir(), 'segt-'));
  process.env['TMPDIR'] = root;
  return () => rmSync(root, { recursive: true, force: true });
}
