/**
 * Test syslog receivers on 127.0.0.1: a TCP or TLS listener in this process, the same
 * listener in a child process (so a test can SIGKILL it like a crashed SIEM), and a UDP
 * listener. Stream data goes through a strict RFC 6587 frame parser: octet-counted frames
 * (`MSG-LEN SP MSG`, MSG-LEN without leading zeros, MSG valid UTF-8), LF-terminated frames,
 * or per-frame detection the way rsyslog and Vector do it (a leading digit means octet
 * counting). Anything malformed is recorded in `errors`, never repaired.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { EventEmitter, once } from 'node:events';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';

export type ListenerFraming = 'lf' | 'octet' | 'auto';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const SPACE = 0x20;
const LF = 0x0a;
/** MSG-LEN digits accepted before the SP: more than this is a framing error, not a long message. */
const MAX_LEN_DIGITS = 9;

/** Incremental RFC 6587 frame parser for one connection's byte stream. */
export class FrameParser {
  readonly messages: string[] = [];
  readonly errors: string[] = [];
  /** Frame kinds seen, in order ('octet' | 'lf'), for tests that check the framing used. */
  readonly kinds: Array<'octet' | 'lf'> = [];
  private rest: Buffer = Buffer.alloc(0);
  private broken = false;

  constructor(
    private readonly framing: ListenerFraming,
    private readonly onMessage: (msg: string) => void = () => {},
  ) {}

  /** Bytes of an incomplete frame still waiting for more data. */
  get pendingBytes(): number {
    return this.rest.length;
  }

  push(chunk: Buffer): void {
    if (this.broken) return;
    const buf = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    let at = 0;
    while (at < buf.length && !this.broken) {
      const octet = this.framing === 'octet' || (this.framing === 'auto' && buf[at]! >= 0x31 && buf[at]! <= 0x39);
      const next = octet ? this.octetFrame(buf, at) : this.lfFrame(buf, at);
      if (next < 0) break;
      at = next;
    }
    this.rest = this.broken ? Buffer.alloc(0) : buf.subarray(at);
  }

  /** Returns the offset after the frame at `at`, or -1 when more bytes are needed. */
  private octetFrame(buf: Buffer, at: number): number {
    const limit = Math.min(buf.length, at + MAX_LEN_DIGITS + 1);
    let sp = at;
    while (sp < limit && buf[sp] !== SPACE) sp++;
    if (sp === limit) {
      if (limit - at > MAX_LEN_DIGITS) this.fail(`no SP after MSG-LEN at stream offset ${at}`);
      return -1;
    }
    const digits = buf.toString('latin1', at, sp);
    if (!/^[1-9][0-9]*$/.test(digits)) {
      this.fail(`bad MSG-LEN "${digits}"`);
      return -1;
    }
    const end = sp + 1 + Number(digits);
    if (end > buf.length) return -1;
    this.accept(buf.subarray(sp + 1, end), 'octet');
    return end;
  }

  private lfFrame(buf: Buffer, at: number): number {
    const lf = buf.indexOf(LF, at);
    if (lf < 0) return -1;
    this.accept(buf.subarray(at, lf), 'lf');
    return lf + 1;
  }

  private accept(bytes: Uint8Array, kind: 'octet' | 'lf'): void {
    let msg: string;
    try {
      msg = utf8.decode(bytes);
    } catch {
      this.errors.push(`message ${this.messages.length} is not valid UTF-8`);
      return;
    }
    this.kinds.push(kind);
    this.messages.push(msg);
    this.onMessage(msg);
  }

  /** A framing error desynchronises the stream for good, as in a real receiver. */
  private fail(why: string): void {
    this.errors.push(why);
    this.broken = true;
  }
}

/** Message collection shared by the listeners, with a wait that fails loudly instead of hanging. */
class Inbox extends EventEmitter {
  readonly messages: string[] = [];

  add(msg: string): void {
    this.messages.push(msg);
    this.emit('message');
  }

  /** Resolves once `count` messages arrived; rejects after `guardMs` (a hang guard, not a timing assertion). */
  waitFor(count: number, guardMs = 15_000): Promise<void> {
    return this.waitUntil(() => this.messages.length >= count, `${count} messages`, guardMs);
  }

  waitUntil(done: (messages: readonly string[]) => boolean, what: string, guardMs = 15_000): Promise<void> {
    if (done(this.messages)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done(this.messages)) return;
        clearTimeout(timer);
        this.off('message', check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off('message', check);
        reject(new Error(`listener did not get ${what} (has ${this.messages.length} messages)`));
      }, guardMs);
      this.on('message', check);
    });
  }
}

export interface ConnectionInfo {
  /** SNI the client sent (TLS), or false. */
  readonly servername: string | false | undefined;
  /** Subject CN of the client certificate, when one was presented and verified. */
  readonly clientCn: string | undefined;
}

export interface StreamListener {
  readonly port: number;
  readonly messages: string[];
  readonly errors: string[];
  readonly connections: ConnectionInfo[];
  /** TLS handshakes that failed on the server side. */
  readonly handshakeErrors: string[];
  readonly parsers: FrameParser[];
  waitFor(count: number, guardMs?: number): Promise<void>;
  waitUntil(done: (messages: readonly string[]) => boolean, what: string, guardMs?: number): Promise<void>;
  /** Closes every accepted connection cleanly (FIN), as a receiver restarting gracefully would. */
  endConnections(): void;
  /** Resolves when `count` connections were accepted (TLS: after the handshake). */
  waitForConnections(count: number, guardMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface StreamListenerOptions {
  framing: ListenerFraming;
  /** Serve TLS with these options (key, cert, and for mutual TLS ca + requestCert). */
  tls?: TlsOptions;
  port?: number;
}

/** A TCP or TLS syslog listener in this process. */
export async function startStreamListener(opts: StreamListenerOptions): Promise<StreamListener> {
  const inbox = new Inbox();
  const errors: string[] = [];
  const handshakeErrors: string[] = [];
  const connections: ConnectionInfo[] = [];
  const parsers: FrameParser[] = [];
  const sockets = new Set<Socket>();
  const onConnection = (socket: Socket): void => {
    sockets.add(socket);
    const tlsSocket = opts.tls ? (socket as TLSSocket) : undefined;
    const peer = tlsSocket?.getPeerCertificate();
    connections.push({
      servername: tlsSocket?.servername ?? undefined,
      clientCn: tlsSocket?.authorized && peer?.subject ? String(peer.subject.CN) : undefined,
    });
    const parser = new FrameParser(opts.framing, (m) => inbox.add(m));
    parsers.push(parser);
    socket.on('data', (chunk: Buffer) => {
      parser.push(chunk);
      errors.push(...parser.errors.splice(0));
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    inbox.emit('connection');
  };
  const server: Server = opts.tls ? createTlsServer(opts.tls, onConnection) : createTcpServer(onConnection);
  server.on('tlsClientError', (e: Error) => handshakeErrors.push((e as NodeJS.ErrnoException).code ?? e.message));
  server.listen(opts.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('listener has no TCP address');
  return {
    port: address.port,
    messages: inbox.messages,
    errors,
    connections,
    handshakeErrors,
    parsers,
    waitFor: (count, guardMs) => inbox.waitFor(count, guardMs),
    waitUntil: (done, what, guardMs) => inbox.waitUntil(done, what, guardMs),
    endConnections: () => {
      for (const s of sockets) s.end();
    },
    waitForConnections: (count, guardMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (connections.length < count) return;
          clearTimeout(timer);
          inbox.off('connection', check);
          resolve();
        };
        const timer = setTimeout(() => {
          inbox.off('connection', check);
          reject(new Error(`listener accepted ${connections.length} of ${count} connections`));
        }, guardMs);
        inbox.on('connection', check);
        check();
      }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The listener as a separate process: it copies every byte it reads to its stdout, which
 * this process parses. `pause()` makes it stop reading (data piles up in the kernel, as with
 * a stalled SIEM); `kill()` is SIGKILL, so unread data is lost and the peer gets a reset.
 */
export interface ListenerProcess {
  readonly port: number;
  readonly messages: string[];
  readonly parser: FrameParser;
  waitFor(count: number, guardMs?: number): Promise<void>;
  waitUntil(done: (messages: readonly string[]) => boolean, what: string, guardMs?: number): Promise<void>;
  pause(): Promise<void>;
  kill(): Promise<void>;
}

const CHILD_SOURCE = `
const net = require('node:net');
let paused = false;
const sockets = new Set();
const server = net.createServer((s) => {
  sockets.add(s);
  s.on('data', (chunk) => process.stdout.write(chunk));
  s.on('error', () => {});
  s.on('close', () => sockets.delete(s));
  if (paused) s.pause();
});
server.listen(Number(process.argv[1]), '127.0.0.1', () => {
  process.stderr.write('LISTENING ' + server.address().port + '\\n');
});
process.stdin.setEncoding('utf8');
// The test process went away: do not outlive it.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('data', (text) => {
  if (!text.includes('pause')) return;
  paused = true;
  for (const s of sockets) s.pause();
  process.stderr.write('PAUSED\\n');
});
`;

export async function spawnListenerProcess(framing: ListenerFraming, port = 0): Promise<ListenerProcess> {
  const inbox = new Inbox();
  const parser = new FrameParser(framing, (m) => inbox.add(m));
  const child: ChildProcess = spawn(process.execPath, ['-e', CHILD_SOURCE, String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => parser.push(chunk));
  let control = '';
  const controlEvents = new EventEmitter();
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    control += text;
    let nl: number;
    while ((nl = control.indexOf('\n')) >= 0) {
      controlEvents.emit('line', control.slice(0, nl));
      control = control.slice(nl + 1);
    }
  });
  const exited = once(child, 'exit');
  const waitLine = (prefix: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const onLine = (line: string): void => {
        if (!line.startsWith(prefix)) return;
        controlEvents.off('line', onLine);
        resolve(line);
      };
      controlEvents.on('line', onLine);
      void exited.then(() => reject(new Error(`listener process exited before "${prefix}"`)));
    });
  const listening = await waitLine('LISTENING ');
  return {
    port: Number(listening.slice('LISTENING '.length)),
    messages: inbox.messages,
    parser,
    waitFor: (count, guardMs) => inbox.waitFor(count, guardMs),
    waitUntil: (done, what, guardMs) => inbox.waitUntil(done, what, guardMs),
    pause: async () => {
      const paused = waitLine('PAUSED');
      child.stdin!.write('pause\n');
      await paused;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
      // Let the stdout pipe deliver what the child wrote before it died.
      if (!child.stdout!.readableEnded) await once(child.stdout!, 'end');
    },
  };
}

export interface DatagramListener {
  readonly port: number;
  /** Each datagram's payload, as received. */
  readonly datagrams: Buffer[];
  readonly messages: string[];
  waitFor(count: number, guardMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startDatagramListener(port = 0): Promise<DatagramListener> {
  const inbox = new Inbox();
  const datagrams: Buffer[] = [];
  const socket: UdpSocket = createSocket('udp4');
  socket.on('message', (payload: Buffer) => {
    datagrams.push(payload);
    inbox.add(payload.toString('utf8'));
  });
  socket.bind(port, '127.0.0.1');
  await once(socket, 'listening');
  return {
    port: socket.address().port,
    datagrams,
    messages: inbox.messages,
    waitFor: (count, guardMs) => inbox.waitFor(count, guardMs),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
