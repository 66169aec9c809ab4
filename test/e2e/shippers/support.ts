/**
 * What the shipper end-to-end tests share: building the bundle once (a lock keeps two test
 * workers from running esbuild at the same time), starting the real `dist/segura-siem.js`
 * the way a shipper or an operator starts it, reading its JSON log lines, and speaking the
 * shippers' wire formats byte for byte: gRPC over raw HTTP/2 (so the test, not a gRPC
 * library, decides headers, compression flag and encoding, as Vector, the Collector and
 * Fluent Bit do), protobuf messages built from our proto/ files, and Fluent Forward msgpack
 * with the EventTime extension.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect as h2connect, constants as h2 } from 'node:http2';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ExtensionCodec, decodeMulti, encode } from '@msgpack/msgpack';
import protobuf from 'protobufjs';
import { FLAGS } from '../../../plugin/config/flags.js';
import type { Mode } from '../../../plugin/config/schema.js';
import { decodeCef } from '../../helpers/cef-decoder.js';
import { exampleFiles, foundCommands, kindOf } from '../../config-examples/examples.js';

export const ROOT = resolve(__dirname, '../../..');
export const CLI = join(ROOT, 'dist/segura-siem.js');
export const PROTO_DIR = join(ROOT, 'proto');

// ------------------------------------------------------------------ the bundle

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function bundleIsFresh(): boolean {
  if (!existsSync(CLI)) return false;
  const sources = ['plugin', 'proto', 'scripts/build.mjs', 'package-lock.json'].map((p) => newestMtime(join(ROOT, p)));
  return statSync(CLI).mtimeMs >= Math.max(...sources);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `npm run build` unless dist/segura-siem.js is newer than every source. A directory
 * created with mkdir (atomic) is the lock; a lock older than five minutes is a leftover.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = join(tmpdir(), `segura-siem-build-${createHash('sha1').update(ROOT).digest('hex').slice(0, 12)}.lock`);
  for (let attempt = 0; attempt < 600; attempt++) {
    if (bundleIsFresh()) return;
    try {
      mkdirSync(lock);
    } catch {
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      await sleep(200);
      continue;
    }
    try {
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'pipe' });
    } catch (e) {
      const err = e as { stderr?: Buffer; stdout?: Buffer };
      throw new Error(`npm run build failed:\n${err.stderr?.toString() ?? ''}${err.stdout?.toString() ?? ''}`.slice(0, 4000));
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    return;
  }
  throw new Error('timed out waiting for another build of dist/segura-siem.js');
}

// ------------------------------------------------------------------ processes

export interface Running {
  readonly child: ChildProcess;
  /** Everything written to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Complete stdout lines so far. */
  lines(): string[];
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
}

export interface StartOptions {
  /** `pipe` (default) or `ignore` (= /dev/null, as Vector's exec source gives the child). */
  stdin?: 'pipe' | 'ignore';
  env?: NodeJS.ProcessEnv;
}

/** Starts `node dist/segura-siem.js ARGV...` (what `segura-siem ARGV...` runs). */
export function start(argv: readonly string[], opts: StartOptions = {}): Running {
  const child = spawn(process.execPath, [CLI, ...argv], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: [opts.stdin ?? 'pipe', 'pipe', 'pipe'],
  });
  child.stdin?.on('error', () => {});
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | string>((res) => child.on('close', (code, signal) => res(code ?? signal ?? -1)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    lines: () => out.split('\n').slice(0, -1),
    exited,
  };
}

/**
 * Waits until `probe()` returns a value other than undefined, checking on every output
 * event and every 50 ms; fails after `ms` with `describe()` in the message. Bounded, and
 * never an assertion about time.
 */
export async function waitFor<T>(probe: () => T | undefined, describe: () => string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${describe()}`);
    await sleep(50);
  }
}

/** Parses JSON log lines (stderr or an --errors file). */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Waits for the `serving` log line of `segura-siem serve` and returns it. */
export function serving(p: Running): Promise<Record<string, unknown>> {
  return waitFor(
    () => jsonLines(p.stderr()).find((e) => e['msg'] === 'serving'),
    () => `no "serving" line; stderr: ${p.stderr().slice(-1500)}`,
  );
}

/** Sends SIGTERM and waits for the exit. */
export async function stop(p: Running): Promise<number | string> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  return p.exited;
}

/** A TCP port that was free a moment ago (the flags take no port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export function tempDir(prefix: string): string {
  const dir = join(tmpdir(), `${prefix}${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

// ------------------------------------------------------------------ protobuf

let root: protobuf.Root | undefined;

/** Our proto/ contracts (the upstream wire contracts' package, names and numbers). */
export function protoRoot(): protobuf.Root {
  if (root !== undefined) return root;
  const r = new protobuf.Root();
  // google/protobuf/* are protobufjs' bundled copies; everything else is under proto/.
  r.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(PROTO_DIR, target));
  r.loadSync(['vector/vector.proto', 'opentelemetry/proto/collector/logs/v1/logs_service.proto', 'grpc/health/v1/health.proto'], { keepCase: false });
  root = r;
  return r;
}

/** Encodes a plain object (camelCase field names; 64-bit integers may be decimal strings). */
export function encodeMessage(type: string, value: Record<string, unknown>): Buffer {
  const t = protoRoot().lookupType(type);
  return Buffer.from(t.encode(t.fromObject(value)).finish());
}

/** Decodes to a plain object: enums by name, 64-bit integers as numbers, zero values left out unless `defaults`. */
export function decodeMessage(type: string, bytes: Uint8Array, opts: { defaults?: boolean } = {}): Record<string, unknown> {
  const t = protoRoot().lookupType(type);
  return t.toObject(t.decode(bytes), { longs: Number, enums: String, bytes: Buffer, defaults: opts.defaults ?? false }) as Record<string, unknown>;
}

// ------------------------------------------------------------------ gRPC over raw HTTP/2

export interface GrpcReply {
  /** grpc-status (0 = OK). */
  status: number;
  message: string;
  /** Decoded (decompressed) response messages. */
  messages: Buffer[];
  headers: Record<string, unknown>;
}

export interface GrpcCallOptions {
  /** grpc-encoding of the request message: identity sends flag 0; gzip really compresses. */
  encoding?: 'identity' | 'gzip' | 'zstd';
  /** Raw bytes to send as the "compressed" message (for encodings Node cannot produce). */
  compressedBody?: Buffer;
  userAgent?: string;
  extraHeaders?: Record<string, string>;
  /** Address to dial (default 127.0.0.1), e.g. a non-loopback address standing in for a pod IP. */
  host?: string;
}

/**
 * One unary gRPC call the way an HTTP/2 gRPC client frames it (gRPC over HTTP/2 spec):
 * POST, content-type application/grpc, te: trailers, a 5-byte prefix (compressed flag,
 * big-endian length) before the message, grpc-status in the trailers (or, for an immediate
 * error, in the headers: "Trailers-Only").
 */
export function grpcUnary(port: number, path: string, message: Buffer, opts: GrpcCallOptions = {}): Promise<GrpcReply> {
  const encoding = opts.encoding ?? 'identity';
  let body = message;
  if (encoding === 'gzip') body = gzipSync(message);
  if (encoding === 'zstd') body = opts.compressedBody ?? message;
  const frame = Buffer.alloc(5 + body.length);
  frame[0] = encoding === 'identity' ? 0 : 1;
  frame.writeUInt32BE(body.length, 1);
  body.copy(frame, 5);

  return new Promise((resolvePromise, reject) => {
    const session = h2connect(`http://${opts.host ?? '127.0.0.1'}:${port}`);
    session.on('error', reject);
    const headers: Record<string, string> = {
      [h2.HTTP2_HEADER_METHOD]: 'POST',
      [h2.HTTP2_HEADER_PATH]: path,
      [h2.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      te: 'trailers',
      'grpc-accept-encoding': 'identity,gzip',
      'user-agent': opts.userAgent ?? 'segura-siem-e2e',
      ...opts.extraHeaders,
    };
    if (encoding !== 'identity') headers['grpc-encoding'] = encoding;
    const req = session.request(headers);
    let responseHeaders: Record<string, unknown> = {};
    const chunks: Buffer[] = [];
    let trailers: Record<string, unknown> | undefined;
    req.on('response', (h) => (responseHeaders = h as Record<string, unknown>));
    req.on('trailers', (t) => (trailers = t as Record<string, unknown>));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', (e) => {
      session.close();
      reject(e);
    });
    req.on('end', () => {
      session.close();
      const t = trailers ?? responseHeaders;
      const data = Buffer.concat(chunks);
      const messages: Buffer[] = [];
      for (let off = 0; off + 5 <= data.length; ) {
        const len = data.readUInt32BE(off + 1);
        let m = data.subarray(off + 5, off + 5 + len);
        if (data[off] === 1) m = gunzipSync(m);
        messages.push(Buffer.from(m));
        off += 5 + len;
      }
      resolvePromise({
        status: Number(t['grpc-status'] ?? -1),
        message: decodeURIComponent(String(t['grpc-message'] ?? '')),
        messages,
        headers: responseHeaders,
      });
    });
    req.end(frame);
  });
}

// ------------------------------------------------------------------ Fluent Forward (msgpack)

/** Fluent's EventTime: msgpack ext type 0, 4-byte big-endian seconds + 4-byte nanoseconds. */
export class EventTime {
  constructor(
    readonly sec: number,
    readonly nsec: number,
  ) {}
}

export const forwardCodec = new ExtensionCodec();
forwardCodec.register({
  type: 0,
  encode: (v: unknown) => {
    if (!(v instanceof EventTime)) return null;
    const b = new Uint8Array(8);
    const view = new DataView(b.buffer);
    view.setUint32(0, v.sec);
    view.setUint32(4, v.nsec);
    return b;
  },
  decode: (data: Uint8Array) => {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    return new EventTime(view.getUint32(0), view.getUint32(4));
  },
});

export function packForward(value: unknown): Buffer {
  return Buffer.from(encode(value, { extensionCodec: forwardCodec }));
}

/**
 * Reads a stream of msgpack values from a socket, calling `onValue` for each complete one.
 * Keeps the unparsed tail between reads (values can span TCP segments).
 */
export function readMsgpackStream(socket: Socket, onValue: (v: unknown) => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    let consumed = 0;
    try {
      // decodeMulti throws on a truncated tail; decode value by value to know where to stop.
      for (;;) {
        const rest = pending.subarray(consumed);
        if (rest.length === 0) break;
        const len = msgpackLength(rest);
        if (len === undefined) break;
        for (const v of decodeMulti(rest.subarray(0, len), { extensionCodec: forwardCodec })) onValue(v);
        consumed += len;
      }
    } finally {
      pending = pending.subarray(consumed);
    }
  });
}

/**
 * Length in bytes of the first complete msgpack value in `b`, or undefined when `b` holds
 * only part of it. A small walker over the format's type bytes (msgpack spec, "Formats").
 */
export function msgpackLength(b: Uint8Array, at = 0): number | undefined {
  const end = skip(b, at);
  return end === undefined ? undefined : end - at;
}

function skip(b: Uint8Array, i: number): number | undefined {
  if (i >= b.length) return undefined;
  const t = b[i]!;
  const need = (n: number) => (i + n <= b.length ? i + n : undefined);
  const u = (off: number, size: number) => {
    if (i + off + size > b.length) return undefined;
    let n = 0;
    for (let k = 0; k < size; k++) n = n * 256 + b[i + off + k]!;
    return n;
  };
  const items = (start: number | undefined, count: number): number | undefined => {
    let p = start;
    for (let k = 0; k < count && p !== undefined; k++) p = skip(b, p);
    return p;
  };
  if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) return need(1);
  if (t >= 0x80 && t <= 0x8f) return items(i + 1, (t & 0x0f) * 2);
  if (t >= 0x90 && t <= 0x9f) return items(i + 1, t & 0x0f);
  if (t >= 0xa0 && t <= 0xbf) return need(1 + (t & 0x1f));
  const sized = (hdr: number, lenSize: number, extra = 0) => {
    const n = u(1, lenSize);
    return n === undefined ? undefined : need(hdr + n + extra);
  };
  switch (t) {
    case 0xc4: case 0xd9: return sized(2, 1);
    case 0xc5: case 0xda: return sized(3, 2);
    case 0xc6: case 0xdb: return sized(5, 4);
    case 0xc7: return sized(3, 1);
    case 0xc8: return sized(4, 2);
    case 0xc9: return sized(6, 4);
    case 0xca: return need(5);
    case 0xcb: return need(9);
    case 0xcc: case 0xd0: return need(2);
    case 0xcd: case 0xd1: return need(3);
    case 0xce: case 0xd2: return need(5);
    case 0xcf: case 0xd3: return need(9);
    case 0xd4: return need(3);
    case 0xd5: return need(4);
    case 0xd6: return need(6);
    case 0xd7: return need(10);
    case 0xd8: return need(18);
    case 0xdc: { const n = u(1, 2); return n === undefined ? undefined : items(i + 3, n); }
    case 0xdd: { const n = u(1, 4); return n === undefined ? undefined : items(i + 5, n); }
    case 0xde: { const n = u(1, 2); return n === undefined ? undefined : items(i + 3, n * 2); }
    case 0xdf: { const n = u(1, 4); return n === undefined ? undefined : items(i + 5, n * 2); }
    default: throw new Error(`msgpack: invalid type byte 0x${t.toString(16)}`);
  }
}

/** Entries of a Forward-protocol event, whatever the mode (spec v1 "Event Modes"). */
export function forwardEntries(event: unknown[]): { tag: string; entries: unknown[][]; options: Record<string, unknown> } {
  const [tag, second, third, fourth] = event as [string, unknown, unknown, unknown];
  if (typeof second === 'number' || second instanceof EventTime) {
    // Message mode: [tag, time, record, option?]
    return { tag, entries: [[second, third]], options: (fourth ?? {}) as Record<string, unknown> };
  }
  const options = (third ?? {}) as Record<string, unknown>;
  if (Array.isArray(second)) return { tag, entries: second as unknown[][], options };
  // PackedForward / CompressedPackedForward: a bin (or str) holding concatenated entries.
  let bytes = Buffer.from(second as Uint8Array);
  if (options['compressed'] === 'gzip') bytes = gunzipSync(bytes);
  return { tag, entries: [...decodeMulti(bytes, { extensionCodec: forwardCodec })] as unknown[][], options };
}

/** The record of an entry in either shape: `[time, record]` or v5's `[[time, metadata], record]`. */
export function entryRecord(entry: unknown[]): Record<string, unknown> {
  return entry[1] as Record<string, unknown>;
}

/** A chunk id like Fluent Bit's: base64 of 16 bytes of SHA-512 of the payload. */
export function chunkId(payload: Uint8Array): string {
  return createHash('sha512').update(payload).digest().subarray(0, 16).toString('base64');
}

// ------------------------------------------------------------------ example command lines

/**
 * The segura-siem argv an example file quotes (its first command line of `mode`), as the
 * operator would run it next to that shipper config.
 */
export function exampleArgv(examplePath: string, mode: Mode): string[] {
  const abs = join(ROOT, examplePath);
  if (!existsSync(abs)) throw new Error(`${examplePath} does not exist (yet)`);
  const file = exampleFiles().find((f) => f.path === examplePath) ?? { path: examplePath, abs, kind: kindOf(abs), text: readFileSync(abs, 'utf8') };
  const found = foundCommands([file]).find((c) => c.argv[0] === mode);
  if (found === undefined) throw new Error(`${examplePath} quotes no "segura-siem ${mode}" command line`);
  return found.argv;
}

/**
 * Points an example's argv at the test's own sockets: `set` replaces the values of the named
 * flags (adding them when absent), flags in `drop` are removed with their values (e.g. every
 * `--sink*` flag, replaced by a sink the test listens on).
 */
export function retarget(argv: readonly string[], set: Record<string, string>, drop: readonly string[] = []): string[] {
  const specs = new Map(FLAGS.map((f) => [f.name, f] as const));
  const out: string[] = [];
  const done = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const m = /^--([^=]+)(?:=(.*))?$/.exec(word);
    if (!m) {
      out.push(word);
      continue;
    }
    const name = m[1]!;
    const takesValue = specs.get(name)?.type !== 'bool';
    const value = m[2] ?? (takesValue ? argv[++i] : undefined);
    if (drop.some((d) => name === d || name.startsWith(`${d}-`))) continue;
    if (name in set && !done.has(name)) {
      out.push(`--${name}`, set[name]!);
      done.add(name);
      continue;
    }
    out.push(`--${name}`);
    if (value !== undefined) out.push(value);
  }
  for (const [name, value] of Object.entries(set)) if (!done.has(name)) out.push(`--${name}`, value);
  return out;
}

// ------------------------------------------------------------------ Segura records and lines

/** Sample Segura records: config-examples/sample-events.ndjson when present, else a built-in set. */
export function sampleRecords(limit = 12): Array<Record<string, unknown>> {
  const file = join(ROOT, 'config-examples/sample-events.ndjson');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : BUILT_IN.map((r) => JSON.stringify(r)).join('\n');
  const all = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  // Cycle through them when more are asked for than there are.
  return Array.from({ length: limit }, (_, i) => all[i % all.length]!);
}

const BUILT_IN: Array<Record<string, unknown>> = [
  { event_id: '16', type: 'session-started', timestamp: '2026-01-19T10:41:00.000Z', host: 'segura-vault-01', msg: 'Session started for win2012 by Stephen Lee (stlee)', suid: 153, sname: 'Stephen Lee', suser: 'stlee', spid: 4242, dst: '192.168.254.181', dpt: 3389, duser: 'root' },
  { event_id: '2', type: 'password-changed', timestamp: '2026-01-19T10:42:00.000Z', host: 'segura-vault-01', msg: 'Password win2012 - Domain User - root changed by user jsilva', suid: 17, sname: 'José da Silva', spid: 77, duser: 'root', dst: '192.168.254.181', dhost: 'win2012' },
  { event_id: '13', type: 'password-request', timestamp: '2026-01-19T10:43:00.000Z', host: 'segura-vault-01', msg: "User 'Zoë Ångström' has made a request. a=b | pipe\nsecond line", suid: 3, sname: 'Zoë Ångström', suser: 'zangstrom', spid: 5, dst: '192.168.1.9', duser: 'cqss', cs1: 'CHG0012345' },
];

/** Keys whose value, when a record has it, must come back unchanged in the CEF extension. */
const CHECKED_KEYS = ['msg', 'suser', 'sname', 'duser', 'dst', 'dhost'];

/**
 * Checks one output line against the record it came from, with the independent CEF decoder:
 * a valid CEF line (optionally after a syslog header), no raw CR/LF, and every checked key
 * of the record present with exactly the record's value.
 */
export function expectLineFor(line: string, record: Record<string, unknown>): void {
  const cef = decodeCef(line);
  const ext = new Map(cef.extensions);
  for (const key of CHECKED_KEYS) {
    if (record[key] === undefined) continue;
    if (ext.get(key) !== String(record[key])) {
      throw new Error(`line for record ${JSON.stringify(record).slice(0, 200)}: ${key}=${JSON.stringify(ext.get(key))}, want ${JSON.stringify(String(record[key]))}\n${line}`);
    }
  }
  const eventId = record['event_id'];
  if (eventId !== undefined && cef.eventClassId !== String(eventId)) throw new Error(`signature id ${cef.eventClassId}, want ${String(eventId)}`);
}

/** A TCP receiver of newline-framed syslog lines (what `--sink syslog+tcp://` sends by default). */
export async function lineReceiver(): Promise<{ port: number; lines: string[]; close(): Promise<void> }> {
  const lines: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    let buf = '';
    socket.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        lines.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    lines,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Fluent Bit's forward output: one connection, chunks out, acks in. */
export class ForwardOutput {
  readonly acks: string[] = [];
  private constructor(private readonly socket: Socket) {
    readMsgpackStream(socket, (v) => {
      const ack = (v as { ack?: unknown } | null)?.ack;
      if (typeof ack === 'string') this.acks.push(ack);
    });
  }

  static connect(port: number): Promise<ForwardOutput> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(port, '127.0.0.1', () => resolve(new ForwardOutput(socket)));
      socket.on('error', reject);
    });
  }

  /** Forward mode, require_ack_response; returns the chunk id. */
  sendForward(tag: string, entries: unknown[][]): string {
    const payload = packForward(entries);
    const chunk = chunkId(payload);
    this.socket.write(packForward([tag, entries, { size: entries.length, chunk, fluent_signal: 0 }]));
    return chunk;
  }

  /** CompressedPackedForward (`compress gzip`). */
  sendCompressed(tag: string, entries: unknown[][]): string {
    const packed = Buffer.concat(entries.map((e) => packForward(e)));
    const chunk = chunkId(packed);
    this.socket.write(packForward([tag, gzipSync(packed), { size: entries.length, chunk, compressed: 'gzip', fluent_signal: 0 }]));
    return chunk;
  }

  close(): void {
    this.socket.destroy();
  }
}
