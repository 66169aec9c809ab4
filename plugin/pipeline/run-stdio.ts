/**
 * `segura-siem stdio`: NDJSON records on stdin, one formatted line per record on the sink
 * (stdout by default), in input order. Each chunk read is one batch, so a record written
 * alone is answered at once and a fast writer gets large batches; stdin is paused while a
 * batch is being delivered, which bounds memory whatever the input rate.
 */
import { toSegError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { noMetrics } from '../core/metrics.js';
import type { Config } from '../config/schema.js';
import { LineSplitter, type LineItem } from '../inputs/line-splitter.js';
import { parseJsonText } from '../inputs/json-line.js';
import { buildPipeline, type Pipeline } from './build.js';
import type { Outcome } from './processor.js';
import { RunCounters, deliverWithRetry, onStopSignals, processBatch, type Stopper } from './run-common.js';

export async function runStdio(config: Config, _positionals: string[] = [], stdin: NodeJS.ReadableStream = process.stdin): Promise<number> {
  const logger = createLogger(config.errors, config.logLevel);
  const pipeline = buildPipeline(config, { logger, metrics: noMetrics });
  const counters = new RunCounters();
  const stopper = onStopSignals((reason) => logger.log('info', `${reason}: finishing the current batch, then exiting`));
  pipeline.sink.onError?.((e) => {
    if (e.code === 'SEG_ERR_SINK_CLOSED') stopper.stop(e.message);
  });

  let code = 0;
  try {
    await pump(stdin, pipeline, config.input.maxLineBytes, counters, stopper);
  } catch (e) {
    logger.log('error', `stdin: ${toSegError(e).message}`);
    code = 1;
  }
  stopper.dispose();
  const report = await pipeline.close();
  counters.undelivered += report.undelivered;
  logger.log('info', 'summary', { mode: 'stdio', ...counters.summary() });
  await logger.close();
  if (stopper.stopped && stdin === process.stdin) process.stdin.destroy();
  return code;
}

/** Reads stdin chunk by chunk until EOF or a stop, handing each chunk's lines on as a batch. */
function pump(stdin: NodeJS.ReadableStream, pipeline: Pipeline, maxLineBytes: number, counters: RunCounters, stopper: Stopper): Promise<void> {
  const splitter = new LineSplitter(maxLineBytes);
  return new Promise<void>((resolve, reject) => {
    let busy = false;
    let ended = false;
    const finish = () => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      stdin.pause();
      resolve();
    };
    const run = async (items: LineItem[]) => {
      busy = true;
      stdin.pause();
      await handleBatch(pipeline, items, counters, stopper);
      busy = false;
      if (ended || stopper.stopped) finish();
      else stdin.resume();
    };
    const onData = (chunk: Buffer) => {
      const items = splitter.push(chunk);
      if (items.length > 0) void run(items);
    };
    const onEnd = () => {
      ended = true;
      const items = splitter.end();
      if (items.length > 0) void run(items);
      else if (!busy) finish();
    };
    const onError = (e: Error) => reject(e);
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
    void stopper.whenStopped.then(() => {
      if (!busy) finish();
    });
  });
}

async function handleBatch(pipeline: Pipeline, items: readonly LineItem[], counters: RunCounters, stopper: Stopper): Promise<void> {
  const lines = processBatch(pipeline, 'stdio', outcomesOf(pipeline, items), counters, lineField);
  try {
    if (await deliverWithRetry(pipeline, lines, stopper)) counters.lines += lines.length;
    else counters.undelivered += lines.length;
  } catch (e) {
    counters.undelivered += lines.length;
    pipeline.logger.log('warn', `output closed, stopping: ${toSegError(e).message}`);
    stopper.stop('output closed');
  }
}

function* outcomesOf(pipeline: Pipeline, items: readonly LineItem[]): Generator<Outcome> {
  const processor = pipeline.processor;
  for (const item of items) {
    const origin = `line ${item.line}`;
    if ('error' in item) {
      yield { ok: false, origin, error: item.error };
      continue;
    }
    let raw;
    try {
      raw = parseJsonText(item.text, origin);
    } catch (e) {
      yield { ok: false, origin, error: toSegError(e) };
      continue;
    }
    yield processor.process(raw);
  }
}

/** Adds the input line number as a field of each JSON error report. */
function lineField(origin: string): Record<string, unknown> {
  const m = /^line (\d+)/.exec(origin);
  return m ? { line: Number(m[1]) } : {};
}
