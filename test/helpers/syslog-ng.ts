/**
 * A real syslog-ng for the interop tests: checks it is installed (with the install hint CI
 * follows), writes the test's configuration into a fresh temporary directory and starts it in
 * the foreground with every runtime file (persist, pid, control socket) in that directory, so
 * tests never touch the system's syslog-ng. The caller waits for whatever readiness it needs
 * (a socket, the pid file) and stops the child.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SYSLOG_NG_INSTALL_HINT =
  'syslog-ng is required for this test and was not found. Install it with ' +
  '`apt-get update && apt-get install -y --no-install-recommends syslog-ng-core` (.ci/run does this in CI).';

export interface RunningSyslogNg {
  readonly child: ChildProcess;
  /** The temporary directory holding the configuration and runtime files. */
  readonly dir: string;
  /** Everything syslog-ng wrote on stderr so far. */
  stderr(): string;
}

/** Throws, with the install hint, when syslog-ng cannot be run. */
export function requireSyslogNg(): void {
  const probe = spawnSync('syslog-ng', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) throw new Error(SYSLOG_NG_INSTALL_HINT);
}

/** Starts syslog-ng with the configuration `config(dir)` gives for its temporary directory. */
export function startSyslogNg(prefix: string, config: (dir: string) => string): RunningSyslogNg {
  requireSyslogNg();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'syslog-ng.conf'), config(dir));
  const child = spawn(
    'syslog-ng',
    ['-F', '--no-caps', '-f', join(dir, 'syslog-ng.conf'), `--persist-file=${join(dir, 'persist')}`,
      `--pidfile=${join(dir, 'pid')}`, `--control=${join(dir, 'ctl')}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  return { child, dir, stderr: () => stderr };
}

/** Stops syslog-ng (SIGTERM, waiting for it to exit) and removes its temporary directory. */
export async function stopSyslogNg(running: RunningSyslogNg | undefined): Promise<void> {
  if (running === undefined) return;
  const { child, dir } = running;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}
