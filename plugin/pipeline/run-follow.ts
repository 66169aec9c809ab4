/**
 * `segura-siem follow PATH --state FILE`: tails a Segura NDJSON file, formats each line and
 * delivers it (stdout by default, for Fluent Bit's `exec` input and Vector's `exec` source),
 * saving the position in the state file after each delivered batch.
 *
 * Delivery is at least once: a batch's position is saved only after the sink accepted the
 * whole batch, and a batch is handed to the sink only after the previous position is on disk,
 * so a crash or kill repeats at most the last batch (≤ --batch-lines lines) and loses nothing.
 * Formatting a batch overlaps the delivery and save of the one before. SIGTERM/SIGINT stop
 * reading, let the batches in flight finish and be saved, drain the sink within its deadline
 * and exit 0; so does a reader that went away (EPIPE).
 */
import { resolve } from 'node:path';
import { toSegError } from '../core/errors.js';
import type { OutLine } from '../core/sink.js';
import type { Config } from '../config/schema.js';
import { CheckpointStore } from '../inputs/file/checkpoint-store.js';
import { FileFollower, type FollowBatch } from '../inputs/file/file-follower.js';
import type { Pipeline } from './build.js';
import { recordOfLine, type Outcome } from './processor.js';
import { RunCounters, deliverWithRetry, startLineRun, type Stopper } from './run-common.js';

export async function runFollow(config: Config, _positionals: string[]): Promise<number> {
  const { logger, pipeline, counters, stopper } = startLineRun(config);

  const path = resolve(config.follow.path!);
  const store = new CheckpointStore(resolve(config.follow.state!));
  const follower = new FileFollower(
    {
      path,
      from: config.follow.from,
      pollIntervalMs: config.follow.pollIntervalMs,
      batchLines: config.follow.batchLines,
      maxLineBytes: config.input.maxLineBytes,
      store,
      logger,
    },
    { consume: (batch) => deliverBatch(pipeline, batch, counters, stopper) },
  );
  void stopper.whenStopped.then(() => follower.stop());

  let code = 0;
  const following = follower.run().catch((e: unknown) => {
    const err = toSegError(e);
    logger.log('error', `follow ${path}: ${err.message}`, { code: err.code });
    code = 1;
  });
  // After a stop, the batch in flight gets the sink's drain deadline to be delivered and saved.
  const drainMs = Math.max(...config.sinks.map((s) => s.drainTimeoutMs));
  await Promise.race([following, stopper.whenStopped.then(() => deadline(following, drainMs))]);
  follower.stop();
  stopper.dispose();
  const report = await pipeline.close();
  counters.undelivered += report.undelivered;
  await deadline(following, 1_000);
  const pos = follower.position;
  logger.log('info', 'summary', {
    mode: 'follow',
    ...counters.summary(),
    // Where the next run starts: the byte after the last delivered line, and the lines before it.
    ...(pos === undefined ? {} : { position: { file: pos.path, offset: pos.offset, lines: pos.line } }),
  });
  await logger.close();
  return code;
}

/**
 * One batch: parse and format it (at once, while the previous batch is still being delivered
 * and saved), deliver it once the previous position is saved (retrying), and tell the
 * follower whether this one may be saved.
 */
async function deliverBatch(pipeline: Pipeline, batch: FollowBatch, counters: RunCounters, stopper: Stopper): Promise<boolean> {
  const lines = formatItems(pipeline, batch, counters);
  if (!(await batch.previousSaved)) {
    // The batch before was not delivered; this one must not overtake it.
    counters.undelivered += lines.length;
    return false;
  }
  try {
    if (await deliverWithRetry(pipeline, lines, stopper)) {
      counters.lines += lines.length;
      return true;
    }
    counters.undelivered += lines.length;
    return false;
  } catch (e) {
    counters.undelivered += lines.length;
    pipeline.logger.log('warn', `output closed, stopping: ${toSegError(e).message}`);
    stopper.stop('output closed');
    return false;
  }
}

/** Parses, normalises and formats a batch's lines; failures are reported with file and line. */
function formatItems(pipeline: Pipeline, batch: FollowBatch, counters: RunCounters): OutLine[] {
  const processor = pipeline.processor;
  const prefix = `${batch.path}:`;
  const lines: OutLine[] = [];
  for (let i = 0; i < batch.items.length; i++) {
    const item = batch.items[i]!;
    const line = batch.lineBase + item.line;
    const origin = prefix + line;
    counters.records++;
    const raw = recordOfLine('error' in item ? item.error : item.text, origin);
    const outcome: Outcome = 'data' in raw ? processor.process(raw) : raw;
    if (outcome.ok) lines.push(outcome.line);
    else {
      counters.countFailure(outcome.error.code);
      pipeline.reportFailure('follow', outcome, { file: batch.path, line });
    }
  }
  return lines;
}

/** Resolves when `p` settles or after `ms`, whichever is first. */
function deadline(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((r) => (timer = setTimeout(r, ms)));
  return Promise.race([p.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}
