import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointStore, type FilePosition } from '../../../plugin/inputs/file/checkpoint-store.js';
import { tempDir } from './support.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const pos = (offset: number): FilePosition => ({
  path: '/var/log/segura/audit.json',
  identity: { dev: '2049', ino: '18446744073709551557' }, // above 2^53: kept exact as a string
  offset,
  line: offset / 10,
  fingerprint: { bytes: 256, sha256: '0123456789abcdef' },
});

describe('CheckpointStore', () => {
  it('has no position before the first save, nor for an empty file made in advance', async () => {
    const store = new CheckpointStore(join(dir, 'state.json'));
    expect(await store.load()).toBeUndefined();
    writeFileSync(store.statePath, '');
    expect(await store.load()).toBeUndefined();
  });

  it('saves a versioned JSON document and reads back exactly what it saved', async () => {
    const store = new CheckpointStore(join(dir, 'state.json'));
    await store.save(pos(120));
    const doc = JSON.parse(readFileSync(store.statePath, 'utf8')) as Record<string, unknown>;
    expect(doc).toMatchObject({ version: 1, path: '/var/log/segura/audit.json', dev: '2049', ino: '18446744073709551557', offset: 120, line: 12 });
    expect(await store.load()).toEqual(pos(120));
    // Only the state file is left: the temporary file was renamed over it.
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('prepare() creates the directory and proves it writable, leaving nothing behind', async () => {
    const store = new CheckpointStore(join(dir, 'a', 'b', 'state.json'));
    await store.prepare();
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual([]);
  });

  it('refuses a file that is not a version-1 state document, saying how to recover', async () => {
    const store = new CheckpointStore(join(dir, 'state.json'));
    for (const [text, why] of [
      ['{"offset":', 'not JSON'],
      ['[1]', 'not a JSON object'],
      ['{"version":2}', 'unsupported version 2'],
      ['{"version":1,"path":"/x","dev":"1","ino":"2","offset":-1,"line":0}', '"offset" is not a non-negative integer'],
      ['{"version":1,"path":"/x","dev":1,"ino":"2","offset":0,"line":0}', '"dev" is not a decimal string'],
    ] as const) {
      writeFileSync(store.statePath, text);
      await expect(store.load()).rejects.toThrow(why);
      await expect(store.load()).rejects.toThrow('remove it to start again');
    }
  });

  it('a reader never sees a torn state file while saves keep replacing it', async () => {
    const store = new CheckpointStore(join(dir, 'state.json'));
    await store.save(pos(0));
    let saving = true;
    const writer = (async () => {
      for (let i = 1; i <= 100; i++) await store.save(pos(i * 10));
      saving = false;
    })();
    let reads = 0;
    while (saving) {
      const got = await store.load();
      expect(got?.identity.ino).toBe('18446744073709551557');
      reads++;
    }
    await writer;
    expect(reads).toBeGreaterThan(0);
    expect((await store.load())!.offset).toBe(1000);
    expect(existsSync(store.statePath)).toBe(true);
  });
});
