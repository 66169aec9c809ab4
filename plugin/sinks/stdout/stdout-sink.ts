/**
 * Writes lines to a stream (stdout by default), one LF-terminated line each. A batch is one
 * write; deliver() resolves when the stream has taken it (write callback), which is the
 * back-pressure the inputs wait on. EPIPE (the reader went away) closes the sink instead
 * of crashing the process.
 */
import { SegError } from '../../core/errors.js';
import type { CloseReport, OutLine, Sink, SinkStats } from '../../core/sink.js';

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

  function write(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      stream.write(text, (err) => {
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
      let text = '';
      for (const line of batch) text += line.text + '\n';
      const p = write(text).then(() => {
        delivered += batch.length;
      });
      inFlight = p.catch(() => undefined);
      return p;
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
