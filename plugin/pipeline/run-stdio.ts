/**
 * `segura-siem stdio`: NDJSON records on stdin, one formatted line per record on the sink
 * (stdout by default), in input order. Stdin is read chunk by chunk (1 MiB reads, one ahead,
 * when it is a regular file; whatever the pipe holds when it is a pipe). Lines are formatted
 * one by one and cut into batches of about 64 KiB, and at the end of each chunk, so a record
 * written alone is answered at once and a fast writer gets large writes. One batch is being
 * delivered while the next is formatted; the one after waits for that delivery, so memory
 * stays bounded whatever the input rate. Bare CEF to stdout takes the byte fast path: lines
 * are written as UTF-8 straight into a LineBuffer and handed over as bytes; and a line whose
 * record shape was seen before is formatted straight from its input bytes, without being
 * decoded or parsed (processor.processLineInto; any other line takes the decoding path).
 */
import { SegError, toSegError } from '../core/errors.js';
import type { OutLine } from '../core/sink.js';
import type { Config } from '../config/schema.js';
import { fileChunkSource, isRegularFile, streamChunkSource, type ChunkSource } from '../inputs/chunk-source.js';
import { LineSplitter, RAW_LINE } from '../inputs/line-splitter.js';
import { LineBuffer } from '../formats/line-buffer.js';
import type { Pipeline } from './build.js';
import { recordOfLine, type Failure, type Outcome } from './processor.js';
import { RunCounters, startLineRun, retryDelivery, type Stopper } from './run-common.js';

const STDIN_FD = 0;

/** `stdin`: a stream to read instead of the process's standard input (tests). */
export async function runStdio(config: Config, _positionals: string[] = [], stdin?: NodeJS.ReadableStream): Promise<number> {
  const { logger, pipeline, counters, stopper } = startLineRun(config);

  const fromFile = stdin === undefined && isRegularFile(STDIN_FD);
  const source = fromFile ? fileChunkSource(STDIN_FD) : streamChunkSource(stdin ?? process.stdin);
  let code = 0;
  try {
    await pump(source, pipeline, config.input.maxLineBytes, counters, stopper);
  } catch (e) {
    logger.log('error', `stdin: ${toSegError(e).message}`);
    code = 1;
  }
  source.close();
  stopper.dispose();
  const report = await pipeline.close();
  counters.undelivered += report.undelivered;
  logger.log('info', 'summary', { mode: 'stdio', ...counters.summary() });
  await logger.close();
  // The stdin stream's handle would keep the process alive after a stop.
  if (stopper.stopped && !fromFile && stdin === undefined) process.stdin.destroy();
  return code;
}

/**
 * Output batches are cut at about this much line text (UTF-16 units, or bytes on the byte
 * path), so a large chunk is formatted and delivered in parts: few objects outlive a garbage
 * collection, and the sink gets writes of a useful size.
 */
const BATCH_SIZE = 64 * 1024;

/**
 * Where formatted lines collect until they are handed to the sink: OutLine objects, or, when
 * the processor and the sink both can (bare CEF to stdout), the lines' UTF-8 bytes.
 */
interface Batcher {
  /** Parses, normalises and formats input line `line` (or reports its error); failures are counted. */
  add(line: number, got: string | SegError): void;
  /**
   * The line fast path: formats the record in bytes[start, end) without decoding it, when
   * it can; false (nothing done) when the line must be decoded and given to add().
   */
  addRaw(bytes: Buffer, start: number, end: number): boolean;
  /** Size of the pending batch (see BATCH_SIZE). */
  size(): number;
  /** Hands the pending batch to the sink; resolves when delivered (or given up). */
  deliver(): Promise<void>;
}

/**
 * Reads chunks until EOF or a stop, formatting each line and cutting the lines into batches
 * (at BATCH_SIZE and at the end of each chunk). A batch is handed to the sink without
 * waiting; the wait comes before the next hand-over, so formatting overlaps delivery and at
 * most one batch is in flight.
 */
async function pump(source: ChunkSource, pipeline: Pipeline, maxLineBytes: number, counters: RunCounters, stopper: Stopper): Promise<void> {
  const splitter = new LineSplitter(maxLineBytes);
  const batcher = createBatcher(pipeline, counters, stopper);
  let delivering: Promise<void> | undefined;
  const handOver = async (): Promise<void> => {
    if (delivering !== undefined) await delivering;
    delivering = batcher.deliver();
  };
  // A stop wakes a pending read (which then answers null). Not a Promise.race per chunk:
  // every race would stay attached to the never-settled stop promise, with its chunk.
  const unsubscribe = stopper.onStop(() => source.close());
  try {
    for (;;) {
      const chunk = await source.next();
      if (stopper.stopped) break;
      if (chunk === null) splitter.feedEnd();
      else splitter.feed(chunk);
      for (let got = splitter.nextLineRaw(); got !== undefined; got = splitter.nextLineRaw()) {
        if (got !== RAW_LINE) batcher.add(splitter.linesSeen, got);
        else if (!batcher.addRaw(splitter.rawChunk, splitter.rawStart, splitter.rawEnd)) {
          // Not for the line fast path (or blank): decoded, as every line used to be.
          const text = splitter.rawText();
          if (text !== undefined) batcher.add(splitter.linesSeen, text);
        }
        if (batcher.size() >= BATCH_SIZE) {
          await handOver();
          if (stopper.stopped) break;
        }
      }
      if (batcher.size() > 0) await handOver();
      if (chunk === null || stopper.stopped) break;
    }
  } finally {
    unsubscribe();
    if (delivering !== undefined) await delivering;
  }
}

function createBatcher(pipeline: Pipeline, counters: RunCounters, stopper: Stopper): Batcher {
  const { processor, sink } = pipeline;
  const processInto = processor.processInto;
  const deliverEncoded = sink.deliverEncoded;
  if (processInto !== undefined && deliverEncoded !== undefined) {
    const out = new LineBuffer();
    const processLineInto = processor.processLineInto;
    return {
      addRaw(bytes, start, end) {
        if (processLineInto === undefined || !processLineInto.call(processor, bytes, start, end, out)) return false;
        counters.records++;
        return true;
      },
      add(line, got) {
        counters.records++;
        const raw = recordOfLine(got, `line ${line}`);
        const failure = 'data' in raw ? processInto.call(processor, raw, out) : raw;
        if (failure !== undefined) fail(pipeline, counters, failure, line);
      },
      size: () => out.pos,
      deliver() {
        const lines = out.lines;
        const bytes = out.take();
        return settle(pipeline, counters, stopper, lines, () => deliverEncoded.call(sink, bytes, lines));
      },
    };
  }
  let lines: OutLine[] = [];
  let units = 0;
  return {
    addRaw: () => false,
    add(line, got) {
      counters.records++;
      const raw = recordOfLine(got, `line ${line}`);
      const outcome: Outcome = 'data' in raw ? processor.process(raw) : raw;
      if (outcome.ok) {
        lines.push(outcome.line);
        units += outcome.line.text.length + 1;
      } else fail(pipeline, counters, outcome, line);
    },
    size: () => units,
    deliver() {
      const batch = lines;
      lines = [];
      units = 0;
      return settle(pipeline, counters, stopper, batch.length, () => pipeline.sink.deliver(batch));
    },
  };
}

function fail(pipeline: Pipeline, counters: RunCounters, failure: Failure, line: number): void {
  counters.countFailure(failure.error.code);
  pipeline.reportFailure('stdio', failure, { line });
}

/** Delivers with retry; counts the lines as delivered or undelivered; a closed output stops the run. */
async function settle(pipeline: Pipeline, counters: RunCounters, stopper: Stopper, count: number, attempt: () => Promise<void>): Promise<void> {
  if (count === 0) return;
  try {
    if (await retryDelivery(pipeline, stopper, attempt)) counters.lines += count;
    else counters.undelivered += count;
  } catch (e) {
    counters.undelivered += count;
    pipeline.logger.log('warn', `output closed, stopping: ${toSegError(e).message}`);
    stopper.stop('output closed');
  }
}
