/**
 * Chunk sources behind `stdio`: a regular file is read in large chunks with one read ahead,
 * anything else as a stream; either way the bytes arrive complete and in order, end of
 * input is null, and close() (a stop) wakes a pending read.
 */
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fileChunkSource, isRegularFile, streamChunkSource, type ChunkSource } from '../../plugin/inputs/chunk-source.js';

async function readAll(source: ChunkSource): Promise<{ bytes: Buffer; chunks: number }> {
  const parts: Buffer[] = [];
  for (let chunk = await source.next(); chunk !== null; chunk = await source.next()) parts.push(Buffer.from(chunk));
  return { bytes: Buffer.concat(parts), chunks: parts.length };
}

function tempFile(content: Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'seg-chunks-')), 'in.ndjson');
  writeFileSync(path, content);
  return path;
}

describe('fileChunkSource', () => {
  it('reads a file completely, in order, in chunks of the given size', async () => {
    const content = Buffer.from(Array.from({ length: 500 }, (_, i) => `{"n":${i},"s":"é李"}\n`).join(''));
    const fd = openSync(tempFile(content), 'r');
    try {
      expect(isRegularFile(fd)).toBe(true);
      const { bytes, chunks } = await readAll(fileChunkSource(fd, 1000));
      expect(bytes.equals(content)).toBe(true);
      expect(chunks).toBe(Math.ceil(content.length / 1000));
    } finally {
      closeSync(fd);
    }
  });

  it('answers null after close()', async () => {
    const fd = openSync(tempFile(Buffer.alloc(5000, 0x61)), 'r');
    try {
      const source = fileChunkSource(fd, 1000);
      expect((await source.next())?.length).toBe(1000);
      source.close();
      expect(await source.next()).toBeNull();
    } finally {
      closeSync(fd);
    }
  });
});

describe('streamChunkSource', () => {
  it('hands over everything buffered at once, then null at the end', async () => {
    const stream = new PassThrough();
    const source = streamChunkSource(stream);
    stream.write('a\n');
    stream.write('b\n');
    await new Promise((r) => setImmediate(r));
    expect((await source.next())?.toString()).toBe('a\nb\n');
    const pending = source.next();
    stream.end('c\n');
    expect((await pending)?.toString()).toBe('c\n');
    expect(await source.next()).toBeNull();
  });

  it('wakes a pending read with null on close() (a stop while stdin is idle)', async () => {
    const stream = new PassThrough();
    const source = streamChunkSource(stream);
    const pending = source.next();
    source.close();
    expect(await pending).toBeNull();
  });

  it('rejects a pending read when the stream fails', async () => {
    const stream = new PassThrough();
    const source = streamChunkSource(stream);
    const pending = source.next();
    stream.destroy(new Error('boom'));
    await expect(pending).rejects.toThrow('boom');
  });

  it('is used for anything but a regular file: isRegularFile is false for a device and a bad fd', () => {
    const fd = openSync('/dev/null', 'r');
    try {
      expect(isRegularFile(fd)).toBe(false);
    } finally {
      closeSync(fd);
    }
    expect(isRegularFile(-1)).toBe(false);
  });
});
