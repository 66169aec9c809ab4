/**
 * Helpers for the follower tests: a temporary directory, a fake consumer that records what
 * it was handed (and can be held to play a slow sink), and a bounded wait for a condition.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '../../../plugin/core/log.js';
import { CheckpointStore } from '../../../plugin/inputs/file/checkpoint-store.js';
import { FileFollower, type FollowBatch, type FollowerOptions } from '../../../plugin/inputs/file/file-follower.js';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'seg-follow-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Records batches; `holdFrom(n)` makes batch n and later wait until `release()` (a slow sink). */
export class FakeConsumer {
  readonly batches: FollowBatch[] = [];
  /** Every line handed on, as `text` or `!ERROR_CODE`, with its file line number. */
  readonly lines: Array<{ text: string; line: number; path: string }> = [];
  /** Number of consume calls currently held. */
  waiting = 0;
  /** What consume answers: false plays a sink that never confirmed (a crash). */
  answer = true;
  private allowance = Infinity;
  private waiters: Array<() => void> = [];

  async consume(batch: FollowBatch): Promise<boolean> {
    const index = this.batches.length;
    // The contract: deliver only once the previous position is saved.
    if (!(await batch.previousSaved)) return false;
    this.batches.push(batch);
    for (const item of batch.items) {
      const text = 'text' in item ? item.text : `!${item.error.code}`;
      this.lines.push({ text, line: batch.lineBase + item.line, path: batch.path });
    }
    while (index >= this.allowance) {
      this.waiting++;
      await new Promise<void>((r) => this.waiters.push(r));
      this.waiting--;
    }
    return this.answer;
  }

  /** Holds batch number `n` (0-based) and every later one. */
  holdFrom(n: number): void {
    this.allowance = n;
  }

  /** Holds every batch from the next one on. */
  hold(): void {
    this.allowance = this.batches.length;
  }

  release(): void {
    this.allowance = Infinity;
    for (const w of this.waiters.splice(0)) w();
  }

  get texts(): string[] {
    return this.lines.map((l) => l.text);
  }

  /** Ids of `{"id":N}` lines, in order. */
  get ids(): number[] {
    return this.lines.filter((l) => l.text.startsWith('{')).map((l) => (JSON.parse(l.text) as { id: number }).id);
  }
}

export function startFollower(
  path: string,
  statePath: string,
  overrides: Partial<FollowerOptions> = {},
): { follower: FileFollower; consumer: FakeConsumer; done: Promise<void>; logger: ReturnType<typeof createMemoryLogger>; store: CheckpointStore } {
  const logger = createMemoryLogger();
  const store = new CheckpointStore(statePath);
  const consumer = new FakeConsumer();
  const follower = new FileFollower(
    { path, from: 'end', pollIntervalMs: 20, rotateWaitMs: 100, batchLines: 500, maxLineBytes: 1024, store, logger, ...overrides },
    consumer,
  );
  const done = follower.run();
  return { follower, consumer, done, logger, store };
}

/** Waits (bounded) until `cond` holds; the timeout only turns a hang into a clear failure. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function records(from: number, to: number): string {
  let s = '';
  for (let i = from; i <= to; i++) s += `{"id":${i}}\n`;
  return s;
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Waits until the saved offset is `offset` (saves run just after each batch). */
export function savedOffset(store: CheckpointStore, offset: number): Promise<void> {
  return until(async () => (await store.load())?.offset === offset, `the saved offset to reach ${offset}`);
}

/** Waits until the follower saved its first position (it has chosen where to start). */
export function started(store: CheckpointStore): Promise<void> {
  return until(async () => (await store.load()) !== undefined, 'the first saved position');
}
