/** The block reader gives the file's bytes in order, a read ahead in flight, and fails or stops without stray errors. */
import { writeFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlockReader } from '../../src/io/block-reader.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-blocks-');

/** A file of `size` bytes, byte k = (7k + 3) mod 251 (no two blocks alike). */
function fileOf(name: string, size: number): { path: string; bytes: Uint8Array } {
  const bytes = Uint8Array.from({ length: size }, (_, k) => (7 * k + 3) % 251);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

describe('BlockReader', () => {
  for (const [size, block] of [[0, 16], [1, 16], [16, 16], [17, 16], [1000, 64], [100_003, 4096]] as const) {
    it(`${size} bytes in blocks of ${block}: the file, in order, each block full but the last; then empty blocks`, async () => {
      const { path, bytes } = fileOf(`f-${size}-${block}`, size);
      const file = await open(path, 'r');
      try {
        const reader = new BlockReader(file, block);
        const got: number[] = [];
        const lengths: number[] = [];
        for (;;) {
          const b = await reader.next();
          if (b.length === 0) break;
          lengths.push(b.length);
          got.push(...b); // read now: the block is reused by the call after next
        }
        expect(Uint8Array.from(got)).toEqual(bytes);
        expect(lengths.slice(0, -1).every((n) => n === block)).toBe(true);
        expect(lengths.length).toBe(Math.ceil(size / block));
        expect((await reader.next()).length).toBe(0);
        expect((await reader.next()).length).toBe(0);
        await reader.settle();
      } finally {
        await file.close();
      }
    });
  }

  it('a block stays as it was while the next is read ahead into the other buffer', async () => {
    const { path, bytes } = fileOf('ahead', 64);
    const file = await open(path, 'r');
    try {
      const reader = new BlockReader(file, 16);
      const first = await reader.next(); // the second block is being read now
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect([...first]).toEqual([...bytes.subarray(0, 16)]);
      expect([...(await reader.next())]).toEqual([...bytes.subarray(16, 32)]);
    } finally {
      await file.close();
    }
  });

  it('stopped after one block with a read in flight: settle() waits for it, and the file closes', async () => {
    const { path } = fileOf('stop', 100);
    const file = await open(path, 'r');
    const reader = new BlockReader(file, 10);
    await reader.next();
    await reader.settle();
    await file.close();
  });

  it('a read ahead that fails with nobody asking for its block is no unhandled rejection; asked for, it is the error', async () => {
    let reads = 0;
    const failing = {
      read: async (buffer: Uint8Array) => {
        if (reads++ === 0) return { bytesRead: buffer.length, buffer };
        throw new Error('EIO: the disk went away');
      },
    } as unknown as FileHandle;
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const reader = new BlockReader(failing, 8);
      expect((await reader.next()).length).toBe(8); // the second read starts now, and fails
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(rejections).toEqual([]);
      await expect(reader.next()).rejects.toThrow('EIO: the disk went away');
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('a file that cannot be read (a directory): the first block is the error', async () => {
    const file = await open(dir, 'r');
    try {
      await expect(new BlockReader(file, 16).next()).rejects.toThrow(/EISDIR/);
    } finally {
      await file.close();
    }
  });
});
