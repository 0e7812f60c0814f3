import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { piecesLength, WriteBehind, writePieces } from '../../src/io/write-pieces.js';

const dir = await mkdtemp(join(tmpdir(), 'margin-core-pieces-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Pieces as an Arrow writer hands them: views at offsets into larger buffers, empty ones among them. */
function pieces(): Uint8Array[] {
  const backing = Uint8Array.from({ length: 64 }, (_, k) => k);
  return [backing.subarray(3, 10), new Uint8Array(0), Uint8Array.of(200, 201), backing.subarray(40, 64), new Uint8Array(Int32Array.of(-1).buffer)];
}

const joined = (list: readonly Uint8Array[]) => Uint8Array.from(list.flatMap((p) => [...p]));

describe('writePieces', () => {
  it('writes every piece in order, views at their own offsets, after what the file holds', async () => {
    const path = join(dir, 'real.bin');
    const handle = await open(path, 'w');
    await handle.write(Uint8Array.of(9, 9));
    await writePieces(handle, pieces(), path);
    await handle.close();
    expect([...await readFile(path)]).toEqual([9, 9, 3, 4, 5, 6, 7, 8, 9, 200, 201, ...Array.from({ length: 24 }, (_, k) => 40 + k), 255, 255, 255, 255]);
    expect(piecesLength(pieces())).toBe(7 + 0 + 2 + 24 + 4);
  });

  it('a vectored write that takes only part goes on from where it stopped, inside a piece or at its end', async () => {
    for (const taken of [0, 5, 7, 9, 20, 36]) {
      const written: number[] = [];
      const handle = {
        writev: async (list: Uint8Array[]) => {
          written.push(...joined(list).subarray(0, taken));
          return { bytesWritten: taken, buffers: list };
        },
        write: async (piece: Uint8Array, at: number, length: number) => {
          const n = Math.min(length, 3); // a file that takes three bytes a call
          written.push(...piece.subarray(at, at + n));
          return { bytesWritten: n, buffer: piece };
        },
      } as unknown as FileHandle;
      await writePieces(handle, pieces(), 'x');
      expect(written).toEqual([...joined(pieces())]);
    }
  });

  it('a write that takes nothing is ENOSPC naming the file, not a loop', async () => {
    const handle = {
      writev: async (list: Uint8Array[]) => ({ bytesWritten: 4, buffers: list }),
      write: async (piece: Uint8Array) => ({ bytesWritten: 0, buffer: piece }),
    } as unknown as FileHandle;
    await expect(writePieces(handle, pieces(), '/tmp/report.arrow')).rejects.toMatchObject({ code: 'ENOSPC', message: 'no space to write /tmp/report.arrow' });
  });

  it('no pieces, or only empty ones, write nothing', async () => {
    let calls = 0;
    const handle = { writev: async () => (calls++, { bytesWritten: 0 }), write: async () => (calls++, { bytesWritten: 0 }) } as unknown as FileHandle;
    await writePieces(handle, [], 'x');
    await writePieces(handle, [new Uint8Array(0)], 'x');
    expect(calls).toBe(0);
  });
});

describe('WriteBehind', () => {
  it('writes in order behind the caller, waiting only past its limit; a failure is thrown by drain and stops the writes after it', async () => {
    const done: number[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const behind = new WriteBehind(async (pieces) => {
      const first = (pieces as Uint8Array[])[0][0];
      if (first === 1) await gate; // the first write is slow
      if (first === 4) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      done.push(first);
    }, 10);
    let returned = false;
    await behind.add([Uint8Array.of(1)], 4); // 4 bytes in flight: within the limit, returns at once
    const third = behind.add([Uint8Array.of(2)], 4).then(() => behind.add([Uint8Array.of(3)], 4)).then(() => (returned = true)); // 12 > 10: waits
    await new Promise((resolve) => setImmediate(resolve));
    expect([done, returned]).toEqual([[], false]);
    release();
    await third;
    expect(done).toEqual([1, 2, 3]);
    await behind.add([Uint8Array.of(4)], 1);
    await behind.add([Uint8Array.of(5)], 1);
    await expect(behind.drain()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(done).toEqual([1, 2, 3]);
  });
});
