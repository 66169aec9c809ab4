/**
 * Writes lines to a stream (stdout by default), one LF-terminated line each. A batch is one
 * write; deliver() resolves when the stream has taken it (write callback), which is the
 * back-pressure the inputs wait on. EPIPE (the reader went away) closes the sink instead
 * of crashing the process.
 *
 * The batch is encoded line by line into a reused scratch buffer and copied out once. Joining
 * the lines into one string first is several times slower: the join is a rope that must be
 * flattened (as a two-byte string as soon as one line is) and measured before it is encoded.
 */
import { SegError } from '../../core/errors.js';
import type { CloseReport, OutLine, Sink, SinkStats } from '../../core/sink.js';

/** Scratch size; a line that could need more (3 UTF-8 bytes per UTF-16 unit) is encoded on its own. */
const SCRATCH_BYTES = 256 * 1024;
const LF = 0x0a;

export function createStdoutSink(stream: NodeJS.WritableStream = process.stdout): Sink & { readonly closedByReader: boolean } {
  let delivered = 0;
  let closed = false;
  let readerGone = false;
  let inFlight: Promise<void> = Promise.resolve();
  const errorListeners: Array<(e: SegError) => void> = [];

  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (readerGone) return;
    readerGone = true;
    const err = new SegError('SEG_ERR_SINK_CLOSED', e.code === 'EPIPE' ? 'stdout reader went away (EPIPE)' : `stdout: ${e.message}`, { permanent: true, cause: e });
    for (const l of errorListeners) l(err);
  });

  let scratch: Buffer | undefined;

  /** The batch as UTF-8 bytes, each line followed by LF. */
  function encode(batch: readonly OutLine[]): Buffer {
    scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES);
    const parts: Buffer[] = [];
    let used = 0;
    for (let i = 0; i < batch.length; i++) {
      const text = batch[i]!.text;
      const worst = text.length * 3 + 1;
      if (worst > scratch.length - used) {
        if (used > 0) parts.push(Buffer.from(scratch.subarray(0, used)));
        used = 0;
        if (worst > scratch.length) {
          parts.push(Buffer.from(text + '\n', 'utf8'));
          continue;
        }
      }
      used += scratch.write(text, used, 'utf8');
      scratch[used++] = LF;
    }
    if (used > 0) parts.push(Buffer.from(scratch.subarray(0, used)));
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Counts the lines once written; close() waits for the last write. */
  function track(written: Promise<void>, lines: number): Promise<void> {
    const p = written.then(() => {
      delivered += lines;
    });
    inFlight = p.catch(() => undefined);
    return p;
  }

  function write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      stream.write(bytes, (err) => {
        if (err || readerGone) reject(new SegError('SEG_ERR_SINK_CLOSED', 'stdout is closed', { permanent: true, cause: err }));
        else resolve();
      });
    });
  }

  return {
    name: 'stdout',
    maxMessageBytes: undefined,
    get closedByReader() {
      return readerGone;
    },
    deliver(batch: readonly OutLine[]): Promise<void> {
      if (closed || readerGone) return Promise.reject(new SegError('SEG_ERR_SINK_CLOSED', 'stdout sink is closed', { permanent: true }));
      if (batch.length === 0) return Promise.resolve();
      return track(write(encode(batch)), batch.length);
    },
    deliverEncoded(bytes: Buffer, lines: number): Promise<void> {
      if (closed || readerGone) return Promise.reject(new SegError('SEG_ERR_SINK_CLOSED', 'stdout sink is closed', { permanent: true }));
      if (lines === 0) return Promise.resolve();
      return track(write(bytes), lines);
    },
    async close(): Promise<CloseReport> {
      closed = true;
      await inFlight;
      return { delivered, undelivered: 0 };
    },
    stats(): SinkStats {
      return { queueDepth: 0, delivered, dropped: 0, reconnects: 0 };
    },
    onError(listener) {
      errorListeners.push(listener);
    },
  };
}
