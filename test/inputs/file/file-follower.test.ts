import { appendFileSync, copyFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../plugin/core/log.js';
import { CheckpointStore, type FilePosition } from '../../../plugin/inputs/file/checkpoint-store.js';
import { FileFollower } from '../../../plugin/inputs/file/file-follower.js';
import { range, records, savedOffset, startFollower, started, tempDir, until } from './support.js';

let dir: string;
let cleanup: () => void;
let file: string;
let state: string;
const running: Array<{ follower: FileFollower; done: Promise<void> }> = [];

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  file = join(dir, 'audit.json');
  state = join(dir, 'state', 'follow.json');
});

afterEach(async () => {
  for (const f of running) f.follower.stop();
  await Promise.all(running.splice(0).map((f) => f.done));
  cleanup();
});

function follow(overrides: Parameters<typeof startFollower>[2] = {}) {
  const f = startFollower(file, state, overrides);
  running.push(f);
  return f;
}

describe('FileFollower: where it starts', () => {
  it('from the end: skips what is there, and reads a line being written at start-up whole', async () => {
    writeFileSync(file, '{"id":1}\n{"id":2}\n{"id":');
    const { consumer, store } = follow({ from: 'end' });
    await started(store);
    expect((await store.load())!.offset).toBe(18);
    appendFileSync(file, '3}\n' + records(4, 5));
    await until(() => consumer.lines.length === 3, '3 lines');
    expect(consumer.ids).toEqual([3, 4, 5]);
    // Line numbers count the lines before the start position.
    expect(consumer.lines.map((l) => l.line)).toEqual([3, 4, 5]);
  });

  it('from the beginning: everything, with line numbers, and blank lines skipped but counted', async () => {
    writeFileSync(file, records(1, 2) + '\n  \n' + records(3, 3));
    const { consumer } = follow({ from: 'beginning' });
    await until(() => consumer.lines.length === 3, '3 lines');
    expect(consumer.ids).toEqual([1, 2, 3]);
    expect(consumer.lines.map((l) => l.line)).toEqual([1, 2, 5]);
    expect(consumer.lines[0]!.path).toBe(file);
  });

  it('waits for a file that does not exist yet and reads it from its first byte', async () => {
    const { consumer, logger } = follow({ from: 'end' });
    await until(() => logger.entries.some((e) => String(e['msg']).startsWith('waiting for')), 'the wait message');
    writeFileSync(file, records(1, 3));
    await until(() => consumer.lines.length === 3, '3 lines');
    expect(consumer.ids).toEqual([1, 2, 3]);
  });
});

describe('FileFollower: lines', () => {
  it('does not hand on a partial last line until its LF arrives', async () => {
    writeFileSync(file, '');
    const { consumer, store } = follow({ readChunkBytes: 7 });
    await started(store);
    appendFileSync(file, '{"id":1}\n{"id":');
    await until(() => consumer.lines.length === 1, 'line 1');
    // The batch's position stops before the partial line.
    expect(consumer.batches.at(-1)!.position.offset).toBe(9);
    await savedOffset(store, 9);
    appendFileSync(file, '2}\n');
    await until(() => consumer.lines.length === 2, 'line 2');
    expect(consumer.texts).toEqual(['{"id":1}', '{"id":2}']);
    await savedOffset(store, 18);
  });

  it('reports an over-long line by number and skips it up to its LF, across many reads', async () => {
    writeFileSync(file, '');
    const { consumer, store } = follow({ maxLineBytes: 64, readChunkBytes: 16 });
    await started(store);
    appendFileSync(file, records(1, 1) + 'x'.repeat(5000) + '\n' + records(2, 2));
    await until(() => consumer.lines.length === 3, '3 items');
    expect(consumer.texts).toEqual(['{"id":1}', '!SEG_ERR_LINE_TOO_LONG', '{"id":2}']);
    const bad = consumer.batches.flatMap((b) => b.items).find((i) => 'error' in i) as { error: Error };
    expect(bad.error.message).toBe(`${file}:2: 5000 bytes, over the limit of 64`);
    await savedOffset(store, statSync(file).size);
  });

  it('cuts batches at batchLines and saves the position after each one', async () => {
    writeFileSync(file, records(1, 10));
    const { consumer } = follow({ from: 'beginning', batchLines: 3 });
    await until(() => consumer.lines.length === 10, '10 lines');
    expect(consumer.batches.map((b) => b.items.length)).toEqual([3, 3, 3, 1]);
    const sizes = consumer.batches.map((b) => b.position.offset);
    expect(sizes).toEqual([27, 54, 81, 91]);
    expect(consumer.batches.map((b) => b.position.line)).toEqual([3, 6, 9, 10]);
  });
});

describe('FileFollower: rotation', () => {
  it('rename rotation: finishes the old file (including a late write to it), then reads the new one from byte 0', async () => {
    writeFileSync(file, '');
    const { consumer, store } = follow();
    await started(store);
    appendFileSync(file, records(1, 5));
    await until(() => consumer.lines.length === 5, 'lines 1-5');
    renameSync(file, `${file}.1`);
    appendFileSync(`${file}.1`, records(6, 7)); // the writer has not reopened yet
    writeFileSync(file, records(8, 10));
    await until(() => consumer.lines.length === 10, 'lines 1-10');
    expect(consumer.ids).toEqual(range(1, 10));
    const st = statSync(file, { bigint: true });
    await savedOffset(store, Number(st.size));
    expect((await store.load())!.identity).toEqual({ dev: String(st.dev), ino: String(st.ino) });
  });

  it('after noticing a rename it keeps reading the old file for writers that reopen late', async () => {
    writeFileSync(file, '');
    const { consumer, store, logger } = follow({ rotateWaitMs: 60_000 });
    await started(store);
    appendFileSync(file, records(1, 3));
    await until(() => consumer.lines.length === 3, 'lines 1-3');
    renameSync(file, `${file}.1`);
    writeFileSync(file, records(10, 11));
    await until(() => logger.entries.some((e) => String(e['msg']).includes('rotated')), 'the rotation');
    appendFileSync(`${file}.1`, records(4, 5));
    await until(() => consumer.lines.length === 5, 'lines 4-5 from the old file');
    expect(consumer.ids).toEqual(range(1, 5));
  });

  it('copytruncate: a file that shrinks below the read position is read again from byte 0', async () => {
    writeFileSync(file, '');
    const { consumer, store, logger } = follow();
    await started(store);
    appendFileSync(file, records(1, 5));
    await until(() => consumer.lines.length === 5, 'lines 1-5');
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    await until(() => logger.entries.some((e) => String(e['msg']).includes('truncated')), 'the truncation');
    appendFileSync(file, records(6, 8));
    await until(() => consumer.lines.length === 8, 'lines 1-8');
    expect(consumer.ids).toEqual(range(1, 8));
    expect(consumer.lines.slice(5).map((l) => l.line)).toEqual([1, 2, 3]);
    await savedOffset(store, statSync(file).size);
  });

  it('a rename while the consumer is slow loses and repeats nothing', async () => {
    writeFileSync(file, '');
    const { consumer, store } = follow({ batchLines: 4 });
    await started(store);
    consumer.hold();
    appendFileSync(file, records(1, 10));
    await until(() => consumer.waiting === 1, 'the first batch to be held');
    renameSync(file, `${file}.1`);
    appendFileSync(`${file}.1`, records(11, 12));
    writeFileSync(file, records(13, 20));
    // The saved position is still before the held batch.
    expect((await store.load())!.offset).toBe(0);
    consumer.release();
    await until(() => consumer.lines.length === 20, 'lines 1-20');
    expect(consumer.ids).toEqual(range(1, 20));
    await savedOffset(store, statSync(file).size);
    expect((await store.load())!.path).toBe(file);
  });
});

describe('FileFollower: saving the position', () => {
  it('retries a failing save, and delivers the next batch only once the position before it is saved', async () => {
    writeFileSync(file, records(1, 4));
    const logger = createMemoryLogger();
    const saves: number[] = [];
    let failures = 2;
    const store = new (class extends CheckpointStore {
      override async save(pos: FilePosition): Promise<void> {
        if (pos.offset > 0 && failures-- > 0) throw new Error('ENOSPC: no space left on device');
        await super.save(pos);
        saves.push(pos.offset);
      }
    })(state);
    const delivered: Array<{ offset: number; savedBefore: number[] }> = [];
    const follower = new FileFollower(
      { path: file, from: 'beginning', pollIntervalMs: 20, batchLines: 2, maxLineBytes: 1024, store, logger },
      {
        async consume(batch) {
          if (!(await batch.previousSaved)) return false;
          delivered.push({ offset: batch.position.offset, savedBefore: [...saves] });
          return true;
        },
      },
    );
    const done = follower.run();
    running.push({ follower, done });
    await savedOffset(store, 36);
    expect(logger.entries.filter((e) => String(e['msg']).startsWith('cannot save the position')).length).toBe(2);
    // Batch 2 (up to byte 36) went out only after batch 1's position (byte 18) was on disk.
    expect(delivered).toEqual([
      { offset: 18, savedBefore: [0] },
      { offset: 36, savedBefore: [0, 18] },
    ]);
  });
});

describe('FileFollower: restart from the state file', () => {
  it('resumes at the saved position; a batch not yet delivered at a crash is read again (and only it)', async () => {
    writeFileSync(file, records(1, 6));
    const first = follow({ from: 'beginning', batchLines: 2 });
    first.consumer.holdFrom(1);
    await until(() => first.consumer.waiting === 1, 'batch 2 held');
    // Batch 2 is in the sink, not confirmed: the state still says "after batch 1".
    expect((await first.store.load())!.offset).toBe(18);
    // Crash: the sink never confirms batch 2.
    first.consumer.answer = false;
    first.follower.stop();
    first.consumer.release();
    await first.done;
    appendFileSync(file, records(7, 8));

    const second = follow({ from: 'end', batchLines: 2 });
    await until(() => second.consumer.lines.length === 6, 'lines 3-8');
    expect(second.consumer.ids).toEqual(range(3, 8));
    expect(second.consumer.lines[0]!.line).toBe(3);
    const repeated = first.consumer.ids.filter((id) => second.consumer.ids.includes(id));
    expect(repeated).toEqual([3, 4]);
  });

  it('a clean stop saves the batch in flight, so a restart repeats nothing', async () => {
    writeFileSync(file, records(1, 4));
    const first = follow({ from: 'beginning', batchLines: 2 });
    first.consumer.holdFrom(1);
    await until(() => first.consumer.waiting === 1, 'batch 2 held');
    first.follower.stop();
    first.consumer.release();
    await first.done;
    expect((await first.store.load())!.offset).toBe(36);
    appendFileSync(file, records(5, 5));
    const second = follow({ from: 'beginning' });
    await until(() => second.consumer.lines.length === 1, 'line 5');
    expect(second.consumer.ids).toEqual([5]);
  });

  it('rotated while stopped: finishes the renamed old file from the saved byte, then the new file', async () => {
    writeFileSync(file, records(1, 3));
    const first = follow({ from: 'beginning' });
    await until(() => first.consumer.lines.length === 3, 'lines 1-3');
    first.follower.stop();
    await first.done;
    appendFileSync(file, records(4, 5));
    renameSync(file, `${file}.1`);
    writeFileSync(file, records(6, 7));

    const second = follow();
    await until(() => second.consumer.lines.length === 4, 'lines 4-7');
    expect(second.consumer.ids).toEqual(range(4, 7));
    expect(second.consumer.lines.map((l) => l.path)).toEqual([`${file}.1`, `${file}.1`, file, file]);
  });

  it('rotated while stopped and the old file is gone: says what may be lost, reads the new file from byte 0', async () => {
    writeFileSync(file, records(1, 2));
    const first = follow({ from: 'beginning' });
    await until(() => first.consumer.lines.length === 2, 'lines 1-2');
    first.follower.stop();
    await first.done;
    // Replaced by a new file (renamed over it, so the old inode cannot be reused for it).
    writeFileSync(`${file}.new`, records(3, 4));
    renameSync(`${file}.new`, file);

    const second = follow();
    await until(() => second.consumer.lines.length === 2, 'lines 3-4');
    expect(second.consumer.ids).toEqual([3, 4]);
    const warning = second.logger.entries.find((e) => e['level'] === 'warn');
    expect(String(warning?.['msg'])).toContain('lines written to it after byte 18 were not read');
  });

  it('a stop while waiting for the file to appear ends the run quietly', async () => {
    const { follower, done, logger } = follow();
    await until(() => logger.entries.some((e) => String(e['msg']).startsWith('waiting for')), 'the wait message');
    follower.stop();
    await expect(done).resolves.toBeUndefined();
  });

  it('a file rewritten in place while stopped (same inode, new head) is read from byte 0', async () => {
    writeFileSync(file, records(1, 3));
    const first = follow({ from: 'beginning' });
    await until(() => first.consumer.lines.length === 3, 'lines 1-3');
    first.follower.stop();
    await first.done;
    // Truncated and refilled past the saved offset: only the head tells.
    truncateSync(file, 0);
    appendFileSync(file, records(100, 105));

    const second = follow();
    await until(() => second.consumer.lines.length === 6, 'lines 100-105');
    expect(second.consumer.ids).toEqual(range(100, 105));
    expect(second.logger.entries.some((e) => String(e['msg']).includes('rewritten'))).toBe(true);
  });

  it('ignores a position saved for another path', async () => {
    writeFileSync(file, records(1, 2));
    const other = join(dir, 'other.json');
    writeFileSync(other, records(1, 1));
    const first = startFollower(other, state, { from: 'beginning' });
    running.push(first);
    await until(() => first.consumer.lines.length === 1, 'other line');
    first.follower.stop();
    await first.done;
    const second = follow({ from: 'beginning' });
    await until(() => second.consumer.lines.length === 2, 'lines 1-2');
    expect(second.consumer.ids).toEqual([1, 2]);
  });
});
