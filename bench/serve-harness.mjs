// What the serve benches share: start `segura-siem serve` pinned to CPU 0 (this process
// moves to CPU 1), wait for its "serving" log line, and read the server's CPU time and
// memory from /proc.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export const canPin =
  cpus().length > 1 &&
  (() => {
    try {
      execFileSync('taskset', ['-V'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

/**
 * Starts `node [SEGURA_SIEM_NODE_ARGS] cli ...args`; resolves with the child, its pid and the
 * parsed "serving" line (bound addresses). `stdout` is the child's stdout (fd or 'ignore').
 */
export async function startServe(cli, args, stdout = 'ignore') {
  if (canPin) execFileSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  const nodeArgs = (process.env.SEGURA_SIEM_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const argv = [...nodeArgs, cli, ...args];
  const child = canPin
    ? spawn('taskset', ['-c', '0', process.execPath, ...argv], { stdio: ['ignore', stdout, 'pipe'] })
    : spawn(process.execPath, argv, { stdio: ['ignore', stdout, 'pipe'] });
  let stderr = '';
  const serving = await new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (c) => {
      stderr += c;
      const line = stderr.split('\n').find((l) => l.includes('"msg":"serving"'));
      if (line) resolve(JSON.parse(line));
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
  // taskset execs the command, so the pid is node's
  return { child, pid: child.pid, serving };
}

/** A /proc/<pid>/status memory line (VmRSS, VmHWM) in MB. */
export function procStatusMb(pid, key) {
  const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** User + system CPU seconds of a process (clock ticks, USER_HZ = 100). */
export function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

export function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * One measured case against the server `pid`: `drive(hooks)` keeps load on it until
 * `hooks.shouldStop()`, and calls `hooks.done(records, ms)` for each acknowledged request.
 * After `warmupMs` the window opens for `seconds`: only requests finished inside it count.
 * `onOpen`/`onClose` run as the window opens and closes (to read other counters). Returns the
 * window's length, its records and sorted latencies, the server's CPU seconds in it and its
 * peak RSS (MB, sampled every 200 ms over the whole case).
 */
export async function measureWindow(pid, { warmupMs, seconds, drive, onOpen = () => {}, onClose = () => {} }) {
  const latencies = [];
  let records = 0;
  let measuring = false;
  let stop = false;
  let peakRss = procStatusMb(pid, 'VmRSS');
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, procStatusMb(pid, 'VmRSS'))), 200);
  const driving = drive({
    shouldStop: () => stop,
    done(n, ms) {
      if (!measuring) return;
      latencies.push(ms);
      records += n;
    },
  });
  await new Promise((r) => setTimeout(r, warmupMs));
  measuring = true;
  onOpen();
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  onClose();
  stop = true;
  await driving;
  clearInterval(rssTimer);
  latencies.sort((a, b) => a - b);
  return { elapsed, records, latencies, cpu, peakRss };
}
