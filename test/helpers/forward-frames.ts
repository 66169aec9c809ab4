/**
 * Builds Fluent Forward protocol v1 frames byte by byte for tests (every event mode, both
 * entry shapes, integer and EventTime in its fixext 8 and ext 8 forms, gzip with several
 * members), and a small Forward client that sends frames and reads the server's responses.
 * Independent of the code under test: msgpack comes from @msgpack/msgpack and hand-written
 * headers, responses are decoded by the library's own stream decoder.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { decodeMultiStream, encode, ExtensionCodec } from '@msgpack/msgpack';

export type TimeForm = 'int' | 'fixext8' | 'ext8';
export type EntryShape = 'plain' | 'v5';

export function concat(...parts: Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

export function arrayHeader(n: number): Buffer {
  if (n < 16) return Buffer.from([0x90 | n]);
  const b = Buffer.alloc(5);
  b[0] = 0xdd;
  b.writeUInt32BE(n, 1);
  return b;
}

export function binHeader(n: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = 0xc6;
  b.writeUInt32BE(n, 1);
  return b;
}

export function strHeader(n: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = 0xdb;
  b.writeUInt32BE(n, 1);
  return b;
}

/** A map from already-encoded keys and values (to send bin keys, which JS objects cannot hold). */
export function rawMap(pairs: Array<[Buffer, Buffer]>): Buffer {
  return concat(Buffer.from([0x80 | pairs.length]), ...pairs.flat());
}

/** A msgpack value encoded by the library (maps, strings, numbers, Uint8Array as bin). */
export function value(v: unknown): Buffer {
  return Buffer.from(encode(v));
}

/** The time of an entry: int seconds, or EventTime as fixext 8 (D7 00) or ext 8 (C7 08 00). */
export function time(form: TimeForm, seconds: number, nanos = 0): Buffer {
  if (form === 'int') return value(seconds);
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(seconds, 0);
  payload.writeUInt32BE(nanos, 4);
  const head = form === 'fixext8' ? Buffer.from([0xd7, 0x00]) : Buffer.from([0xc7, 0x08, 0x00]);
  return concat(head, payload);
}

/** `[time, record]`, or Fluent Bit v5's `[[time, metadata], record]`. */
export function entry(t: Buffer, record: unknown, shape: EntryShape = 'plain', metadata: unknown = {}): Buffer {
  const head = shape === 'plain' ? t : concat(arrayHeader(2), t, value(metadata));
  return concat(arrayHeader(2), head, Buffer.isBuffer(record) ? record : value(record));
}

function withOptions(parts: Buffer[], options: Record<string, unknown> | undefined): Buffer {
  return options === undefined ? concat(arrayHeader(parts.length), ...parts) : concat(arrayHeader(parts.length + 1), ...parts, value(options));
}

/** Message mode: `[tag, time, record, option?]`; a Buffer record is sent as already-encoded bytes. */
export function messageFrame(tag: string, t: Buffer, record: unknown, options?: Record<string, unknown>): Buffer {
  return withOptions([value(tag), t, Buffer.isBuffer(record) ? record : value(record)], options);
}

/** Forward mode: `[tag, [entry…], option?]`. */
export function forwardFrame(tag: string, entries: Buffer[], options?: Record<string, unknown>): Buffer {
  return withOptions([value(tag), concat(arrayHeader(entries.length), ...entries)], options);
}

/** PackedForward: `[tag, bin|str(entry stream), option?]`. */
export function packedFrame(tag: string, entries: Buffer[], options?: Record<string, unknown>, as: 'bin' | 'str' = 'bin'): Buffer {
  const stream = concat(...entries);
  const carrier = concat(as === 'bin' ? binHeader(stream.length) : strHeader(stream.length), stream);
  return withOptions([value(tag), carrier], options);
}

/** CompressedPackedForward: the entry stream gzipped, as `members` concatenated gzip members. */
export function compressedFrame(tag: string, entries: Buffer[], options: Record<string, unknown> = {}, members = 1): Buffer {
  const per = Math.ceil(entries.length / members);
  const gz: Buffer[] = [];
  for (let i = 0; i < entries.length; i += per) gz.push(gzipSync(concat(...entries.slice(i, i + per))));
  const stream = concat(...gz);
  return withOptions([value(tag), concat(binHeader(stream.length), stream)], { ...options, compressed: 'gzip' });
}

/** A heartbeat: msgpack nil. */
export const NIL = Buffer.from([0xc0]);

export function newChunkId(): string {
  return randomBytes(16).toString('base64');
}

export function sha512Hex(...parts: Array<Uint8Array | string>): string {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** Decodes EventTime (ext 0) as {seconds, nanos}; everything else as the library does. */
export const testCodec = new ExtensionCodec();
testCodec.register({
  type: 0,
  encode: () => null,
  decode: (data: Uint8Array) => {
    const v = Buffer.from(data.buffer, data.byteOffset, data.length);
    return { seconds: v.readUInt32BE(0), nanos: v.readUInt32BE(4) };
  },
});

export type Endpoint = { port: number; host?: string } | { path: string };

/** A Forward client for tests: sends raw frames, collects decoded responses, sees the close. */
export class TestForwardClient {
  readonly responses: unknown[] = [];
  readonly closed: Promise<void>;
  private waiters: Array<() => void> = [];
  private isClosed = false;

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    void this.closed.then(() => {
      this.isClosed = true;
      this.wake();
    });
    void (async () => {
      try {
        for await (const msg of decodeMultiStream(socket, { extensionCodec: testCodec, rawStrings: true })) {
          this.responses.push(msg);
          this.wake();
        }
      } catch {
        // the server closed mid-message or sent garbage: the test looks at `closed`
      }
    })();
  }

  static async connect(at: Endpoint, tls?: ConnectionOptions): Promise<TestForwardClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s: Socket =
        tls !== undefined
          ? tlsConnect({ ...tls, ...('path' in at ? { path: at.path } : { host: at.host ?? '127.0.0.1', port: at.port }) }, () => resolve(s))
          : 'path' in at
            ? netConnect({ path: at.path }, () => resolve(s))
            : netConnect({ host: at.host ?? '127.0.0.1', port: at.port }, () => resolve(s));
      s.once('error', reject);
    });
    return new TestForwardClient(socket);
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Waits for the n-th response (1-based); rejects if the connection closes first. */
  async response(n = this.responses.length + 1): Promise<unknown> {
    while (this.responses.length < n) {
      if (this.isClosed) throw new Error(`connection closed after ${this.responses.length} responses (waiting for #${n})`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.responses[n - 1];
  }

  /** Acks received so far, as strings. */
  acks(): string[] {
    return this.responses.filter((r): r is { ack: Uint8Array } => typeof r === 'object' && r !== null && 'ack' in r).map((r) => Buffer.from(r.ack).toString());
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** Text of a raw-string response value. */
export function text(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return String(v);
}

/** One Forward-mode request as a test receiver saw it. */
export interface ReceivedChunk {
  readonly connection: number;
  readonly tag: string;
  readonly chunk: string | undefined;
  readonly size: unknown;
  readonly entries: ReadonlyArray<{ readonly time: unknown; readonly record: Record<string, unknown> }>;
}

/** What the receiver does with a request: ack it, hold the ack for later, ignore it, or drop the connection. */
export type AckPolicy = (chunk: ReceivedChunk, nth: number) => 'ack' | 'hold' | 'ignore' | 'close';

export interface ReceiverOptions {
  readonly port?: number;
  readonly path?: string;
  readonly sharedKey?: string;
  readonly policy?: AckPolicy;
}

/**
 * A Forward receiver written for tests (not the server under test): optional shared-key
 * handshake as the spec describes it, Forward-mode requests decoded by @msgpack/msgpack,
 * acks per policy.
 */
export class TestForwardReceiver {
  readonly chunks: ReceivedChunk[] = [];
  readonly handshakes: Array<{ ok: boolean; client: string }> = [];
  connections = 0;
  private readonly sockets = new Set<Socket>();
  private held: Array<{ socket: Socket; chunk: string }> = [];
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly address: { port: number } | { path: string },
    private readonly opts: ReceiverOptions,
  ) {}

  static async start(opts: ReceiverOptions = {}): Promise<TestForwardReceiver> {
    let receiver!: TestForwardReceiver;
    const server = createServer((socket) => receiver.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (opts.path !== undefined) server.listen(opts.path, resolve);
      else server.listen(opts.port ?? 0, '127.0.0.1', resolve);
    });
    const bound = server.address();
    const address = opts.path !== undefined ? { path: opts.path } : { port: typeof bound === 'object' && bound !== null ? bound.port : 0 };
    receiver = new TestForwardReceiver(server, address, opts);
    return receiver;
  }

  get port(): number {
    return 'port' in this.address ? this.address.port : 0;
  }

  /** Every line received, in arrival order (duplicates included). */
  lines(): string[] {
    return this.chunks.flatMap((c) => c.entries.map((e) => String(e.record.line)));
  }

  async waitForChunks(n: number): Promise<void> {
    while (this.chunks.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Sends the acks held so far. */
  releaseHeld(): void {
    for (const h of this.held.splice(0)) if (!h.socket.destroyed) h.socket.write(encode({ ack: h.chunk }));
  }

  /** Stops listening and drops every connection. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private serve(socket: Socket): void {
    const connection = ++this.connections;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const key = this.opts.sharedKey;
    const nonce = randomBytes(16);
    let authenticated = key === undefined;
    if (key !== undefined) socket.write(encode(['HELO', { nonce, auth: '', keepalive: true }]));
    void (async () => {
      try {
        for await (const msg of decodeMultiStream(socket, { extensionCodec: testCodec, rawStrings: true })) {
          if (!authenticated) {
            authenticated = this.checkPing(socket, msg as unknown[], nonce, key!);
            if (!authenticated) return;
            continue;
          }
          this.onRequest(socket, connection, msg as unknown[]);
        }
      } catch {
        // connection dropped mid-message
      }
    })();
  }

  private checkPing(socket: Socket, ping: unknown[], nonce: Buffer, key: string): boolean {
    const [type, host, salt, digest] = ping as Uint8Array[];
    const ok = text(type) === 'PING' && text(digest) === sha512Hex(salt!, host!, nonce, key);
    this.handshakes.push({ ok, client: text(host) });
    const self = 'test-receiver';
    socket.write(encode(['PONG', ok, ok ? '' : 'shared_key mismatch', self, ok ? sha512Hex(salt!, self, nonce, key) : '']));
    if (!ok) socket.end();
    return ok;
  }

  private onRequest(socket: Socket, connection: number, request: unknown[]): void {
    const [tag, entries, options] = request as [Uint8Array, Array<[unknown, Record<string, unknown>]>, Record<string, unknown> | undefined];
    const received: ReceivedChunk = {
      connection,
      tag: text(tag),
      chunk: options?.chunk === undefined ? undefined : text(options.chunk),
      size: options?.size,
      entries: entries.map(([t, record]) => ({ time: t, record: Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v instanceof Uint8Array ? text(v) : v])) })),
    };
    this.chunks.push(received);
    const action = (this.opts.policy ?? (() => 'ack'))(received, this.chunks.length);
    if (action === 'close') socket.destroy();
    else if (action === 'hold' && received.chunk !== undefined) this.held.push({ socket, chunk: received.chunk });
    else if (action === 'ack' && received.chunk !== undefined) socket.write(encode({ ack: received.chunk }));
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
