/**
 * Pull-based byte chunks for the line inputs (`stdio` reads stdin through this): the caller
 * asks for the next chunk when it has finished with the previous one, which is the
 * back-pressure. Two sources:
 * - a regular file descriptor (stdin redirected from a file, `< events.ndjson`) is read with
 *   `fs.read` in large chunks into two alternating buffers, the next read already running
 *   while the caller works on the current chunk (no idle wait between chunks);
 * - anything else (a pipe from a shipper, a socket, a TTY, a test stream) is read as a Node
 *   stream in paused mode, each call taking everything the stream has buffered.
 * Pipes are not read with `fs.read`: a blocking read on a pipe cannot be cancelled, so a stop
 * request (SIGTERM) would wait for the writer.
 */
import { fstatSync, read } from 'node:fs';

export interface ChunkSource {
  /** The next chunk, or null at end of input. A chunk stays valid until the next call. */
  next(): Promise<Buffer | null>;
  /** Stops reading and releases the input (further calls answer null). */
  close(): void;
}

/** Large reads amortise the per-read cost; two of these buffers are held. */
export const FILE_CHUNK_BYTES = 1 << 20;

/** True when `fd` is a regular file (not a pipe, socket, TTY or device). */
export function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

/** Reads a regular file from its current position to its end, one read ahead. */
export function fileChunkSource(fd: number, chunkBytes: number = FILE_CHUNK_BYTES): ChunkSource {
  const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)] as const;
  let turn = 0;
  let ahead: Promise<number> | undefined;
  let done = false;

  const readInto = (buffer: Buffer): Promise<number> =>
    new Promise((resolve, reject) => {
      read(fd, buffer, 0, buffer.length, null, (err, bytes) => (err ? reject(err) : resolve(bytes)));
    });

  return {
    async next() {
      if (done) return null;
      const current = buffers[turn]!;
      const bytes = await (ahead ?? readInto(current));
      ahead = undefined;
      if (bytes === 0 || done) {
        done = true;
        return null;
      }
      // The other buffer held the previous chunk, which the caller has finished with.
      turn ^= 1;
      ahead = readInto(buffers[turn]!);
      // A failed read-ahead is reported by the next call, not as an unhandled rejection.
      ahead.catch(() => undefined);
      return current.subarray(0, bytes);
    },
    close() {
      done = true;
    },
  };
}

/** Reads a stream in paused mode; each call returns all the bytes it has buffered. */
export function streamChunkSource(stream: NodeJS.ReadableStream): ChunkSource {
  let ended = false;
  let failure: Error | undefined;
  let waiter: { resolve: (chunk: Buffer | null) => void; reject: (e: Error) => void } | undefined;

  const take = (): Buffer | null => {
    const chunk = stream.read() as Buffer | string | null;
    if (chunk === null) return null;
    return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  };
  const wake = () => {
    if (waiter === undefined) return;
    const w = waiter;
    if (failure !== undefined) {
      waiter = undefined;
      w.reject(failure);
      return;
    }
    const chunk = ended ? null : take();
    if (chunk === null && !ended) return;
    waiter = undefined;
    w.resolve(chunk);
  };
  const onReadable = () => wake();
  const onEnd = () => {
    ended = true;
    wake();
  };
  const onError = (e: Error) => {
    failure = e;
    wake();
  };
  stream.on('readable', onReadable);
  stream.on('end', onEnd);
  stream.on('error', onError);

  return {
    next() {
      if (failure !== undefined) return Promise.reject(failure);
      if (ended) return Promise.resolve(null);
      const chunk = take();
      if (chunk !== null) return Promise.resolve(chunk);
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject };
      });
    },
    close() {
      ended = true;
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
      wake();
    },
  };
}
