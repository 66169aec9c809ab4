/**
 * Tails a growing NDJSON file the way `tail -F` does, for `segura-siem follow`: hands its
 * complete lines on in batches, saves the position after each batch only once the consumer
 * says it was delivered, and keeps going across rotation. It reads with positioned reads
 * (pread), so the position it saves is exactly the byte after the last line handed on.
 *
 * Changes are noticed through a directory watch (fs.watch / inotify), backed by polling
 * every `pollIntervalMs` because watches miss events on network filesystems, after the
 * directory is replaced, or when the inotify limits are reached.
 *
 * - Rotation by rename (logrotate `create`, Segura's own rotation): once the path names a
 *   new file, the old one is still read for `rotateWaitMs` (writers that reopen late append
 *   to it meanwhile) and until it has been idle for a poll interval; then the new file is
 *   read from byte 0.
 * - Truncation (logrotate `copytruncate`): a file smaller than the read position, or whose
 *   first bytes changed, is read again from byte 0.
 */
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SegError, toSegError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { LineSplitter, type LineItem } from '../line-splitter.js';
import type { CheckpointStore, FileIdentity, FilePosition, HeadFingerprint } from './checkpoint-store.js';

export interface FollowBatch {
  /** Lines in file order: text, or the error the line produced. Blank lines are left out. */
  readonly items: readonly LineItem[];
  /** Add to `item.line` for the line number in the file. */
  readonly lineBase: number;
  /** Path the lines were read from (a rotated file keeps the name it was found under). */
  readonly path: string;
  /** Where the next batch starts; saved once the consumer has delivered this one. */
  readonly position: FilePosition;
  /**
   * Resolves true once the previous batch's position is saved, false if the follower stopped
   * without saving it (the previous batch was not delivered: do not deliver this one either).
   * A consumer may prepare this batch meanwhile but must deliver it only after true: then at
   * most one delivered batch is ever unsaved, which is the bound on what a crash repeats.
   */
  readonly previousSaved: Promise<boolean>;
}

export interface FollowConsumer {
  /**
   * Resolves true once the batch was delivered (its position may then be saved), false to
   * stop without saving it. The follower does not wait for it before reading the next batch,
   * so work a consumer does before its first `await` (parsing, formatting) overlaps the
   * delivery and save of the batch before; delivery itself must wait for `previousSaved`.
   */
  consume(batch: FollowBatch): Promise<boolean>;
}

export interface FollowerOptions {
  /** Absolute path of the file to follow. */
  readonly path: string;
  /** Where to start when the state file has no position. */
  readonly from: 'end' | 'beginning';
  readonly pollIntervalMs: number;
  /** Lines per batch (blank and rejected lines count: the bound on a replay). */
  readonly batchLines: number;
  readonly maxLineBytes: number;
  readonly store: CheckpointStore;
  readonly logger: Logger;
  /** Size of each read; tests make it small to cut lines across reads. */
  readonly readChunkBytes?: number;
  /**
   * After a rename rotation is noticed, how long the old file is kept open for writers that
   * reopen late (logrotate's postrotate HUP); default max(1 s, 4 poll intervals).
   */
  readonly rotateWaitMs?: number;
}

/** Leading bytes hashed to tell an appended file from a rewritten one. */
export const FINGERPRINT_BYTES = 256;
const LF = 0x0a;
const DEFAULT_CHUNK = 256 * 1024;

/** The file being read. */
interface Current {
  readonly fh: FileHandle;
  /** Name it was opened under (the followed path, or a rotated sibling at start-up). */
  readonly path: string;
  readonly identity: FileIdentity;
  /** Next byte to read. */
  readOffset: number;
  /** Byte after the last LF read (the end of the lines handed to the splitter). */
  linesEnd: number;
  /** Line number before the splitter's first line. */
  lineBase: number;
  splitter: LineSplitter;
  /** splitter.linesSeen when the last batch was cut. */
  batchedLines: number;
  items: LineItem[];
  fingerprint: HeadFingerprint | undefined;
  /** When a head check last ran (ms). */
  checkedAt: number;
  /** The followed path no longer names this file: finish it, then switch. */
  detached: boolean;
  /** When `detached` was noticed (ms). */
  detachedAt: number;
  /** When a read last returned data (ms). */
  grewAt: number;
}

export class FileFollower {
  private cur: Current | undefined;
  private stopping = false;
  private watcher: FSWatcher | undefined;
  private wakeup: (() => void) | undefined;
  private readonly onStop = new Set<() => void>();
  private poked = false;
  private readonly buf: Buffer;
  private readonly dir: string;
  private readonly base: string;
  private saved: FilePosition | undefined;
  private readonly rotateWaitMs: number;
  /**
   * The last batch's delivery and the saves of positions, chained in order; they overlap the
   * next batch's reading and formatting. Never rejects.
   */
  private saving: Promise<void> = Promise.resolve();
  /** A consumer failure, rethrown by run(). */
  private failure: unknown;
  /** A batch was not delivered: no position may be saved any more (it would skip that batch). */
  private halted = false;

  constructor(
    private readonly opts: FollowerOptions,
    private readonly consumer: FollowConsumer,
  ) {
    this.buf = Buffer.allocUnsafe(opts.readChunkBytes ?? DEFAULT_CHUNK);
    this.rotateWaitMs = opts.rotateWaitMs ?? Math.max(1_000, 4 * opts.pollIntervalMs);
    this.dir = dirname(opts.path);
    this.base = basename(opts.path);
  }

  /** The last position saved to the state file. */
  get position(): FilePosition | undefined {
    return this.saved;
  }

  /** Asks the loop to end after the batch in flight (if any) was delivered and saved. */
  stop(): void {
    this.stopping = true;
    this.poke();
    for (const wake of [...this.onStop]) wake();
  }

  /** Follows until stop(); rejects on an I/O error it cannot recover from. */
  async run(): Promise<void> {
    this.watchDirectory();
    try {
      await this.start();
      while (!this.stopping) {
        const cur = this.cur!;
        if ((await this.readSome(cur)) === 0 && !this.stopping) await this.atEnd(cur);
      }
    } catch (e) {
      if (!(e instanceof StopBeforeOpen)) throw e;
    } finally {
      await this.saving;
      this.watcher?.close();
      this.watcher = undefined;
      await this.cur?.fh.close().catch(() => undefined);
    }
    if (this.failure !== undefined) throw this.failure;
  }

  // ---- start-up -------------------------------------------------------------------------

  private async start(): Promise<void> {
    await this.opts.store.prepare();
    let saved = await this.opts.store.load();
    if (saved !== undefined && saved.path !== this.opts.path) {
      this.log('warn', `the state file holds a position in ${saved.path}, not in this path: ignoring it and starting from the ${this.opts.from}`, { statePath: saved.path });
      saved = undefined;
    }
    if (saved !== undefined) {
      await this.resume(saved);
      return;
    }
    await this.startFresh();
    // Saved at once: a restart before the first line must not start from a later end.
    await this.commit(this.positionOf(this.cur!));
  }

  /** Opens the file a saved position names, if it can still be found. */
  private async resume(saved: FilePosition): Promise<void> {
    const atPath = await statFile(this.opts.path);
    if (atPath !== undefined && sameFile(atPath.identity, saved.identity)) {
      const fh = await openFile(this.opts.path);
      const st = await fileStat(fh);
      if (!sameFile(st.identity, saved.identity)) {
        // Rotated between the stat and the open: treat as the rotated case below.
        await fh.close();
      } else {
        const changed = await this.headChanged(fh, st.size, saved.fingerprint);
        if (st.size < saved.offset || changed) {
          this.log('warn', `${this.opts.path} was ${changed ? 'rewritten' : 'truncated'} while stopped: reading it from the start`, { offset: saved.offset, size: st.size });
          this.cur = await this.adopt(fh, this.opts.path, st, 0, 0);
          await this.commit(this.positionOf(this.cur));
        } else {
          this.cur = await this.adopt(fh, this.opts.path, st, saved.offset, saved.line);
          this.saved = saved;
          this.log('info', `resuming ${this.opts.path} at byte ${saved.offset} (line ${saved.line + 1})`);
        }
        return;
      }
    }
    const renamed = await this.findRenamed(saved);
    if (renamed !== undefined) {
      const st = await fileStat(renamed.fh);
      this.cur = await this.adopt(renamed.fh, renamed.path, st, saved.offset, saved.line);
      this.cur.detached = true;
      this.cur.detachedAt = Date.now();
      this.saved = saved;
      this.log('info', `${this.opts.path} was rotated while stopped: finishing ${renamed.path} from byte ${saved.offset}, then the new file`);
      return;
    }
    this.log('warn', `${this.opts.path} was rotated while stopped and the old file (dev ${saved.identity.dev}, inode ${saved.identity.ino}) is not beside it any more: lines written to it after byte ${saved.offset} were not read`);
    await this.openWhenPresent(0);
    await this.commit(this.positionOf(this.cur!));
  }

  /** No saved position: the end of the file (after its last complete line) or its start. */
  private async startFresh(): Promise<void> {
    const present = await statFile(this.opts.path);
    if (present === undefined) {
      // A file that appears after start-up is new: all of it is read.
      this.log('info', `waiting for ${this.opts.path} to appear`);
      await this.openWhenPresent(0);
      this.log('info', `following ${this.opts.path} from its beginning (it appeared after start-up)`);
      return;
    }
    const fh = await openFile(this.opts.path);
    const st = await fileStat(fh);
    if (this.opts.from === 'beginning') {
      this.cur = await this.adopt(fh, this.opts.path, st, 0, 0);
      this.log('info', `following ${this.opts.path} from its beginning`);
      return;
    }
    const offset = await afterLastLine(fh, st.size, this.opts.maxLineBytes);
    const line = await countLines(fh, offset, this.buf);
    this.cur = await this.adopt(fh, this.opts.path, st, offset, line);
    this.log('info', `following ${this.opts.path} from its end (byte ${offset}, line ${line + 1})`);
  }

  /** Waits until the path exists, then opens it at `offset`. */
  private async openWhenPresent(offset: number): Promise<void> {
    for (;;) {
      const st = await statFile(this.opts.path);
      if (st !== undefined) {
        const fh = await openFile(this.opts.path);
        this.cur = await this.adopt(fh, this.opts.path, await fileStat(fh), offset, 0);
        return;
      }
      if (this.stopping) throw new StopBeforeOpen();
      await this.wait();
    }
  }

  /**
   * A file renamed away while we were stopped usually sits beside the path
   * (`audit.json.1`, `audit.json-20260119`); it is recognised by device, inode and head.
   */
  private async findRenamed(saved: FilePosition): Promise<{ fh: FileHandle; path: string } | undefined> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return undefined;
    }
    for (const name of names) {
      if (name === this.base || !name.startsWith(this.base)) continue;
      const candidate = join(this.dir, name);
      const st = await statFile(candidate);
      if (st === undefined || !sameFile(st.identity, saved.identity) || st.size < saved.offset) continue;
      const fh = await openFile(candidate);
      if (await this.headChanged(fh, st.size, saved.fingerprint)) {
        await fh.close();
        continue;
      }
      return { fh, path: candidate };
    }
    return undefined;
  }

  private async adopt(fh: FileHandle, path: string, st: FileStat, offset: number, line: number): Promise<Current> {
    const lineBase = line;
    return {
      fh,
      path,
      identity: st.identity,
      readOffset: offset,
      linesEnd: offset,
      lineBase,
      splitter: this.splitterFor(path, lineBase),
      batchedLines: 0,
      items: [],
      fingerprint: await fingerprintOf(fh, st.size),
      checkedAt: Date.now(),
      detached: false,
      detachedAt: 0,
      grewAt: Date.now(),
    };
  }

  private splitterFor(path: string, lineBase: number): LineSplitter {
    return new LineSplitter(this.opts.maxLineBytes, (n) => `${path}:${lineBase + n}`);
  }

  // ---- reading ----------------------------------------------------------------------------

  /**
   * Reads one chunk at the read position and hands its complete lines on, cutting a batch
   * every `batchLines` lines and at the end of what the file holds. Returns the bytes read.
   */
  private async readSome(cur: Current): Promise<number> {
    const { bytesRead } = await cur.fh.read(this.buf, 0, this.buf.length, cur.readOffset);
    if (bytesRead === 0) {
      await this.flush(cur);
      return 0;
    }
    const chunk = this.buf.subarray(0, bytesRead);
    const chunkStart = cur.readOffset;
    cur.readOffset += bytesRead;
    cur.grewAt = Date.now();
    let from = 0;
    while (from < bytesRead && !this.stopping) {
      const want = this.opts.batchLines - (cur.splitter.linesSeen - cur.batchedLines);
      const cut = nthLf(chunk, from, want);
      const end = cut.found === want ? cut.last + 1 : bytesRead;
      append(cur.items, cur.splitter.push(chunk.subarray(from, end)));
      if (cut.found > 0) cur.linesEnd = chunkStart + cut.last + 1;
      from = end;
      if (cut.found === want) await this.flush(cur);
    }
    // A short read means we reached what the file holds now: hand on what we have.
    if (bytesRead < this.buf.length && !this.stopping) await this.flush(cur);
    return bytesRead;
  }

  /** Hands the lines read since the last batch to the consumer, then saves the position. */
  private async flush(cur: Current): Promise<void> {
    const lines = cur.splitter.linesSeen - cur.batchedLines;
    if (lines === 0 || this.stopping) return;
    const batch: Omit<FollowBatch, 'previousSaved'> = {
      items: cur.items,
      lineBase: cur.lineBase,
      path: cur.path,
      position: this.positionOf(cur),
    };
    cur.items = [];
    cur.batchedLines = cur.splitter.linesSeen;
    const previous = this.saving;
    const delivered = this.consumer.consume({ ...batch, previousSaved: previous.then(() => !this.halted) });
    // Delivery and save of this batch run on while the next batch is read and formatted.
    this.saving = delivered.then(
      (ok) => (ok ? this.saveWithRetry(batch.position) : this.halt(undefined)),
      (e: unknown) => this.halt(e),
    );
    // At most two batches in memory: this one in flight, the next one being prepared.
    await previous;
  }

  /** The consumer did not deliver a batch: stop reading; `error` is rethrown by run(). */
  private halt(error: unknown): void {
    this.halted = true;
    this.stopping = true;
    if (error !== undefined) this.failure ??= error;
    this.poke();
  }

  /** The position after the last complete line read. */
  private positionOf(cur: Current): FilePosition {
    return {
      path: cur.path,
      identity: cur.identity,
      offset: cur.linesEnd,
      line: cur.lineBase + cur.splitter.linesSeen,
      fingerprint: cur.fingerprint,
    };
  }

  /**
   * Saves a position after the saves before it. A failing save (disk full, permissions) is
   * retried with back-off; the next batch waits for it before delivery, so the saved position
   * never lags more than one batch behind what was delivered. Never rejects.
   */
  private commit(pos: FilePosition): Promise<void> {
    this.saving = this.saving.then(() => this.saveWithRetry(pos));
    return this.saving;
  }

  private async saveWithRetry(pos: FilePosition): Promise<void> {
    if (this.halted) return;
    let delay = 100;
    for (;;) {
      try {
        await this.opts.store.save(pos);
        this.saved = pos;
        return;
      } catch (e) {
        const msg = `cannot save the position to ${this.opts.store.statePath}: ${toSegError(e).message}`;
        if (this.stopping) {
          // Giving up: nothing after this batch may be delivered or saved either.
          this.halted = true;
          this.log('error', `${msg}; the last batch will be read again on restart`);
          return;
        }
        this.log('warn', `${msg}; retrying in ${delay} ms`);
        await this.pause(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  // ---- end of data: rotation, truncation, waiting -----------------------------------------

  /** Called when a read found nothing new: decides whether the file changed under us. */
  private async atEnd(cur: Current): Promise<void> {
    const atPath = await statFile(this.opts.path);
    const samePath = atPath !== undefined && sameFile(atPath.identity, cur.identity);
    if (!cur.detached) {
      if (samePath) {
        if (await this.truncated(cur, atPath.size)) return;
        await this.wait();
        return;
      }
      // The path now names another file or nothing: rotated or removed. Read the old file
      // again before deciding, for what was written between our last read and the rename.
      cur.detached = true;
      cur.detachedAt = Date.now();
      this.log('info', `${this.opts.path} was ${atPath === undefined ? 'removed or renamed' : 'rotated'}: finishing the old file first`, { offset: cur.readOffset });
      return;
    }
    if (samePath) {
      cur.detached = false; // renamed back
      return;
    }
    // Keep the old file while no new one exists, or while late writers may still append to it.
    const now = Date.now();
    if (atPath === undefined || now - cur.detachedAt < this.rotateWaitMs || now - cur.grewAt < this.opts.pollIntervalMs) {
      await this.wait();
      return;
    }
    await this.switchToNew(cur);
  }

  /**
   * Copytruncate: the file shrank below what we read, or its head no longer matches (it was
   * truncated and refilled between two looks). Lines written between our last read and the
   * truncation went to the copy only; that loss is inherent to copytruncate.
   */
  private async truncated(cur: Current, size: number): Promise<boolean> {
    let why: string | undefined;
    if (size < cur.readOffset) why = `truncated to ${size} bytes`;
    else if (Date.now() - cur.checkedAt >= this.opts.pollIntervalMs) {
      cur.checkedAt = Date.now();
      if (await this.headChanged(cur.fh, size, cur.fingerprint)) why = 'rewritten in place';
      else if ((cur.fingerprint?.bytes ?? 0) < Math.min(size, FINGERPRINT_BYTES)) cur.fingerprint = await fingerprintOf(cur.fh, size);
    }
    if (why === undefined) return false;
    const partial = cur.readOffset - cur.linesEnd;
    this.log('warn', `${cur.path} was ${why} (read up to byte ${cur.readOffset}): reading it again from the start`, partial > 0 ? { droppedPartialLineBytes: partial } : {});
    cur.readOffset = 0;
    cur.linesEnd = 0;
    cur.lineBase = 0;
    cur.splitter = this.splitterFor(cur.path, 0);
    cur.batchedLines = 0;
    cur.items = [];
    cur.fingerprint = await fingerprintOf(cur.fh, size);
    await this.commit(this.positionOf(cur));
    return true;
  }

  /** The old file is finished: its last bytes without LF are a last line; then open the new file. */
  private async switchToNew(cur: Current): Promise<void> {
    append(cur.items, cur.splitter.end());
    cur.linesEnd = cur.readOffset;
    await this.flush(cur);
    if (this.stopping) return;
    await cur.fh.close();
    this.cur = undefined;
    await this.openWhenPresent(0);
    this.log('info', `now reading the new ${this.opts.path}`, { previous: cur.path, previousBytes: cur.readOffset });
    await this.commit(this.positionOf(this.cur!));
  }

  private async headChanged(fh: FileHandle, size: number, fp: HeadFingerprint | undefined): Promise<boolean> {
    if (fp === undefined) return false;
    if (size < fp.bytes) return true;
    const now = await fingerprintOf(fh, fp.bytes);
    return now?.sha256 !== fp.sha256;
  }

  /** The reading loop's wait: until a watch event, a stop, or the next poll. */
  private wait(ms = this.opts.pollIntervalMs): Promise<void> {
    if (this.poked || this.stopping) {
      this.poked = false;
      return Promise.resolve();
    }
    if (this.watcher === undefined) this.watchDirectory();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeup = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeup = done;
    });
  }

  /** Sleeps `ms`, or less if a stop arrives (saves retry beside the reading loop's wait()). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.onStop.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.onStop.add(done);
    });
  }

  private poke(): void {
    if (this.wakeup !== undefined) this.wakeup();
    else this.poked = true;
  }

  /** One watch on the directory sees writes to the file, renames and the new file's creation. */
  private watchDirectory(): void {
    if (this.stopping) return;
    try {
      this.watcher = watch(this.dir, { persistent: false }, (_event, name) => {
        if (name === null || name.startsWith(this.base)) this.poke();
      });
      this.watcher.on('error', (e) => {
        this.log('debug', `watch on ${this.dir} failed, polling only: ${e.message}`);
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch (e) {
      this.log('debug', `cannot watch ${this.dir}, polling only: ${(e as Error).message}`);
      this.watcher = undefined;
    }
  }

  private log(level: 'error' | 'warn' | 'info' | 'debug', msg: string, fields: Record<string, unknown> = {}): void {
    this.opts.logger.log(level, msg, { path: this.opts.path, ...fields });
  }
}

/** Ends run() quietly when a stop arrives while waiting for the file to appear. */
class StopBeforeOpen extends Error {}

// ---- file helpers -------------------------------------------------------------------------

interface FileStat {
  readonly identity: FileIdentity;
  readonly size: number;
}

async function statFile(path: string): Promise<FileStat | undefined> {
  try {
    const st = await stat(path, { bigint: true });
    return { identity: { dev: String(st.dev), ino: String(st.ino) }, size: Number(st.size) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function fileStat(fh: FileHandle): Promise<FileStat> {
  const st = await fh.stat({ bigint: true });
  return { identity: { dev: String(st.dev), ino: String(st.ino) }, size: Number(st.size) };
}

async function openFile(path: string): Promise<FileHandle> {
  const fh = await open(path, 'r');
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new SegError('SEG_ERR_CONFIG', `${path} is not a regular file`);
  }
  return fh;
}

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

async function fingerprintOf(fh: FileHandle, size: number): Promise<HeadFingerprint | undefined> {
  const want = Math.min(size, FINGERPRINT_BYTES);
  if (want === 0) return undefined;
  const head = Buffer.alloc(want);
  const { bytesRead } = await fh.read(head, 0, want, 0);
  if (bytesRead === 0) return undefined;
  return { bytes: bytesRead, sha256: createHash('sha256').update(head.subarray(0, bytesRead)).digest('hex').slice(0, 16) };
}

/**
 * Start offset for `--from end`: just after the last LF, so a line being written is read
 * whole. If no LF is found within maxLineBytes of the end, the last line is over-long
 * anyway; starting at the end then makes its remainder an over-long line reported at its LF.
 */
async function afterLastLine(fh: FileHandle, size: number, maxLineBytes: number): Promise<number> {
  const span = Math.min(size, maxLineBytes + 1);
  const step = 64 * 1024;
  const buf = Buffer.allocUnsafe(step);
  for (let end = size; end > size - span; ) {
    const start = Math.max(size - span, end - step);
    const { bytesRead } = await fh.read(buf, 0, end - start, start);
    const lf = buf.subarray(0, bytesRead).lastIndexOf(LF);
    if (lf >= 0) return start + lf + 1;
    end = start;
  }
  return span === size ? 0 : size;
}

/** Counts LFs before `offset` so error reports carry real line numbers (once, at first start). */
async function countLines(fh: FileHandle, offset: number, buf: Buffer): Promise<number> {
  let lines = 0;
  for (let pos = 0; pos < offset; ) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, offset - pos), pos);
    if (bytesRead === 0) break;
    const chunk = buf.subarray(0, bytesRead);
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) lines++;
    pos += bytesRead;
  }
  return lines;
}

/** Finds up to `n` LFs from `from`; `last` is the index of the last one found. */
function nthLf(chunk: Buffer, from: number, n: number): { found: number; last: number } {
  let found = 0;
  let last = -1;
  for (let i = chunk.indexOf(LF, from); i >= 0 && found < n; i = chunk.indexOf(LF, i + 1)) {
    found++;
    last = i;
  }
  return { found, last };
}

function append(to: LineItem[], from: readonly LineItem[]): void {
  for (const item of from) to.push(item);
}
