/**
 * The `follow` state file: where in which file the last delivered line ended. It is a
 * small versioned JSON document (`{"version":1,...}`) replaced atomically on every save —
 * written to a temporary file beside it, fsync'ed, renamed over the old one, then the
 * directory fsync'ed — so after a crash or power loss the file holds either the previous
 * position or the new one, never a torn mix (rename(2) is atomic within a filesystem).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SegError } from '../../core/errors.js';

/** A file as the kernel knows it: device and inode, kept as decimal strings (64-bit safe). */
export interface FileIdentity {
  readonly dev: string;
  readonly ino: string;
}

/**
 * Digest of a file's first bytes. Appended files never change their head, so a different
 * head under the same identity means the inode was reused or the file was rewritten in place.
 */
export interface HeadFingerprint {
  /** How many leading bytes were hashed (up to FINGERPRINT_BYTES). */
  readonly bytes: number;
  /** First 16 hex digits of their SHA-256. */
  readonly sha256: string;
}

/** A position just after a complete line (or at the start of a file). */
export interface FilePosition {
  /** Absolute path the file was opened under. */
  readonly path: string;
  readonly identity: FileIdentity;
  /** Byte offset of the next unread line. */
  readonly offset: number;
  /** Lines before `offset` (so error reports keep their line numbers after a restart). */
  readonly line: number;
  readonly fingerprint: HeadFingerprint | undefined;
}

interface StateV1 {
  version: 1;
  path: string;
  dev: string;
  ino: string;
  offset: number;
  line: number;
  fingerprint: HeadFingerprint | null;
  savedAt: string;
}

export class CheckpointStore {
  private readonly tmpPath: string;

  constructor(readonly statePath: string) {
    // Unique per process so two followers mistakenly given one state file cannot tear it.
    this.tmpPath = join(dirname(statePath), `.${basename(statePath)}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`);
  }

  /**
   * The saved position, or undefined when there is none yet (no file, or an empty file an
   * operator created in advance). A file that is not a state document is an error: guessing
   * a position would silently lose or repeat data.
   */
  async load(): Promise<FilePosition | undefined> {
    let text: string;
    try {
      text = await readFile(this.statePath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new SegError('SEG_ERR_INTERNAL', `state file ${this.statePath}: ${(e as Error).message}`, { permanent: true, cause: e });
    }
    if (text.trim() === '') return undefined;
    return parseState(text, this.statePath);
  }

  /** Replaces the saved position atomically and durably. */
  async save(pos: FilePosition): Promise<void> {
    const state: StateV1 = {
      version: 1,
      path: pos.path,
      dev: pos.identity.dev,
      ino: pos.identity.ino,
      offset: pos.offset,
      line: pos.line,
      fingerprint: pos.fingerprint ?? null,
      savedAt: new Date().toISOString(),
    };
    // The cheap steps are synchronous (microseconds, page cache only); the two fsyncs, which
    // wait for the disk, run in the thread pool, so a save overlaps formatting the next batch.
    const fd = openSync(this.tmpPath, 'w', 0o640);
    try {
      writeSync(fd, JSON.stringify(state) + '\n');
      await fsyncFd(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(this.tmpPath, this.statePath);
    } catch (e) {
      rmSync(this.tmpPath, { force: true });
      throw e;
    }
    await syncDirectory(dirname(this.statePath));
  }

  /** Checks up front that the state file's directory exists (creating it) and is writable. */
  async prepare(): Promise<void> {
    await mkdir(dirname(this.statePath), { recursive: true });
    const fh = await open(this.tmpPath, 'w', 0o640);
    await fh.close();
    await unlink(this.tmpPath);
  }
}

/** fsync of the directory makes the rename itself durable (ext4/xfs without it may lose it). */
async function syncDirectory(dir: string): Promise<void> {
  const fd = openSync(dir, 'r');
  try {
    await fsyncFd(fd);
  } catch (e) {
    // Some filesystems refuse fsync on a directory (EINVAL/EISDIR); the rename still happened.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EBADF') throw e;
  } finally {
    closeSync(fd);
  }
}

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (e) => (e ? reject(e) : resolve())));
}

function parseState(text: string, where: string): FilePosition {
  const bad = (why: string) =>
    new SegError('SEG_ERR_INTERNAL', `state file ${where}: ${why}; remove it to start again from --from`, { permanent: true });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw bad('not a JSON object');
  const s = doc as Record<string, unknown>;
  if (s['version'] !== 1) throw bad(`unsupported version ${JSON.stringify(s['version'])} (this build reads version 1)`);
  const { path, dev, ino, offset, line, fingerprint } = s;
  if (typeof path !== 'string') throw bad('"path" is not a string');
  if (typeof dev !== 'string' || !/^\d+$/.test(dev)) throw bad('"dev" is not a decimal string');
  if (typeof ino !== 'string' || !/^\d+$/.test(ino)) throw bad('"ino" is not a decimal string');
  if (!isCount(offset)) throw bad('"offset" is not a non-negative integer');
  if (!isCount(line)) throw bad('"line" is not a non-negative integer');
  let fp: HeadFingerprint | undefined;
  if (fingerprint !== null && fingerprint !== undefined) {
    const f = fingerprint as Record<string, unknown>;
    if (typeof f !== 'object' || !isCount(f['bytes']) || typeof f['sha256'] !== 'string') throw bad('"fingerprint" is malformed');
    fp = { bytes: f['bytes'] as number, sha256: f['sha256'] };
  }
  return { path, identity: { dev, ino }, offset: offset as number, line: line as number, fingerprint: fp };
}

function isCount(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
