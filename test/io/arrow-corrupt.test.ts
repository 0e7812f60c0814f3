/**
 * A corrupt Arrow book (a few bytes of a valid one overwritten anywhere: metadata, offsets, dictionaries, values, the
 * footer) is read as a book, or refused with an InputError: never another exception, never a hang in the decoder. A
 * book it reads margins to a report or an InputError too. Corruptions found this way are kept as cases: a message
 * header made unreadable (apache-arrow's decoder looped on it), a header counting 900 million buffers and a schema
 * counting billions of fields (apache-arrow looped or ran out of memory decoding them) and a list whose offsets buffer
 * is empty.
 */
import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { InputError } from '../../src/errors.js';
import { generateSample } from '../../src/sample/generate.js';
import { readArrowBook, readArrowBookChunks } from '../../src/io/arrow/read-book.js';
import { writeArrowBook } from '../../src/io/arrow/write-book.js';
import { propertyRuns } from '../support/property-runs.js';
import { scratchDir } from '../support/scratch-dir.js';

const sample = generateSample({ accounts: 40, seed: 3, positionsPerAccount: 3 });
const valid = await writeArrowBook(sample.book, { accountsPerBatch: 16 });
const validStream = await writeArrowBook(sample.book, { accountsPerBatch: 16, format: 'stream' });
const engine = await createEngine({ backend: 'js' });
const dir = scratchDir('mc-arrow-corrupt-');

/** What reading `bytes` (and margining the book read) comes to: 'book', 'input error', or the other exception. */
async function outcome(bytes: Uint8Array): Promise<string> {
  try {
    const book = await readArrowBook(bytes);
    try {
      engine.margin(book, sample.market);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
    return 'book';
  } catch (error) {
    if (error instanceof InputError) return 'input error';
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

function corrupted(edits: readonly (readonly [number, number])[], from = valid): Uint8Array {
  const bytes = from.slice();
  for (const [at, value] of edits) bytes[at] = value;
  return bytes;
}

describe('a corrupt Arrow book', () => {
  it('a message header made unreadable: refused at `book`, not decoded', async () => {
    // the file's third message (two dictionaries, then the first record batch): byte 3 of its metadata is the high
    // byte of its flatbuffer's root offset, now far past the metadata (apache-arrow's decoder looped on it)
    const markers = [...valid.keys()].filter((k) => k % 8 === 0 && valid[k] === 0xff && valid[k + 1] === 0xff && valid[k + 2] === 0xff && valid[k + 3] === 0xff);
    const problems = await readArrowBook(corrupted([[markers[2] + 8 + 3, 47]])).then(() => [], (error: InputError) => error.problems);
    expect(problems).toEqual([{ path: 'book', message: expect.stringMatching(/^not an Arrow IPC file or stream, or one cut short: message at byte \d+ is not an Arrow message/) }]);
  });

  it('a dictionary batch whose header counts 900 million buffers: refused at `book` before apache-arrow decodes it (it ran out of memory)', async () => {
    // found by the property below: this byte is the high byte of the count of the asset dictionary's buffers
    const problems = await readArrowBook(corrupted([[18551, 54]])).then(() => [], (error: InputError) => error.problems);
    expect(problems).toEqual([{ path: 'book', message: expect.stringMatching(/is not an Arrow message \(a vector of 905969665 entries does not fit the 184 bytes of metadata\)$/) }]);
  });

  it('a stream whose schema counts 1.7 billion fields, or 15 million in a nested vector: refused at `book` (apache-arrow looped or ran out of memory)', async () => {
    // found by the property below: bytes of the stream's schema message (its fields vector's count, and one near its end)
    for (const [at, value, count] of [[56, 236, 1713519138], [114446, 235, 15400963]] as const) {
      const problems = await readArrowBook(corrupted([[at, value]], validStream)).then(() => [], (error: InputError) => error.problems);
      expect(problems).toEqual([{ path: 'book', message: expect.stringContaining(`message at byte 0 is not an Arrow message (a vector of ${count} entries does not fit`) }]);
    }
  });

  it('a list whose offsets buffer is empty: refused at its column (it overflowed the columns sized from it)', async () => {
    // found by the property below: this byte is the length of the last batch's positions offsets buffer
    expect(await readArrowBook(corrupted([[23722, 225]])).then(() => [], (error: InputError) => error.problems)).toEqual([
      { path: 'columns.positions', message: 'its buffers hold 0 of its 8 rows (a malformed Arrow file)' },
    ]);
  });

  /** The first batch's account id offsets [0, |id0|, |id0| + |id1|, …] and the byte where the file holds them (little-endian Int32s). */
  function idOffsets(): { offsets: Int32Array; at: number } {
    const ids = sample.book.accounts.slice(0, 16).map((a) => a.id);
    const offsets = new Int32Array(ids.length + 1);
    for (let k = 0; k < ids.length; k++) offsets[k + 1] = offsets[k] + ids[k].length;
    const pattern = new Uint8Array(offsets.buffer);
    const at = valid.findIndex((_, i) => pattern.every((b, j) => valid[i + j] === b));
    expect(at).toBeGreaterThan(0);
    return { offsets, at };
  }

  it('an id whose string offsets fall back: refused at that id (it read as the next ids run together, and the next as empty)', async () => {
    const { offsets, at } = idOffsets();
    const bytes = valid.slice();
    new DataView(bytes.buffer).setInt32(at + 4 * 6, offsets[7] + 1000, true); // id 5 ends 1,000 bytes on, id 6 starts there
    expect(await readArrowBook(bytes).then(() => [], (error: InputError) => error.problems)).toEqual([
      { path: 'accounts[5].id', message: `string offsets ${offsets[5]} … ${offsets[7] + 1000} are not a range of the column's ${offsets[16]} bytes (a malformed Arrow file)` },
    ]);
  });

  it('an id column whose last offset runs past its bytes: refused at the column, counting the rows its bytes hold (all but the last)', async () => {
    const { offsets, at } = idOffsets();
    const bytes = valid.slice();
    new DataView(bytes.buffer).setInt32(at + 4 * 16, offsets[16] + 1000, true); // the last id ends 1,000 bytes past the data
    const problems = await readArrowBook(bytes).then(() => [], (error: InputError) => error.problems);
    // it had said "its buffers hold 0 of its 16 rows": 15 are whole
    expect(problems).toEqual([{ path: expect.stringMatching(/id$/), message: 'its buffers hold 15 of its 16 rows (a malformed Arrow file)' }]);
  });

  it('a bad dictionary index in a later part of a batch the chunk reader cuts: named at its own account and balance', async () => {
    // batches of 32 and 8 accounts, the first read in parts of 8, 16, …: account 30's first balance points past the
    // assets' dictionary (the part's check of its items reads the whole batch's)
    const one = await writeArrowBook(sample.book, { accountsPerBatch: 32 });
    const { tableFromIPC } = await import('apache-arrow');
    const collateral = tableFromIPC(one).getChild('collateral')!.data[0], items = collateral.children[0];
    const names = (items.type as { children: { name: string }[] }).children.map((f) => f.name);
    const indices = items.children[names.indexOf('asset')].values as Int32Array;
    expect(indices.buffer).toBe(one.buffer); // a view of the file's bytes: where to write
    const row = (collateral.valueOffsets as Int32Array)[30];
    const bytes = one.slice();
    new DataView(bytes.buffer).setInt32(indices.byteOffset - one.byteOffset + 4 * row, 999, true);
    const path = join(dir, 'later-part.arrow');
    writeFileSync(path, bytes);
    const file = await open(path, 'r');
    try {
      const problems = await (async () => {
        for await (const _ of readArrowBookChunks(file, {}, 32, undefined, 8)) void _;
        return [];
      })().catch((error: InputError) => error.problems);
      expect(problems).toEqual([{ path: 'accounts[30].collateral[0].asset', message: expect.stringMatching(/^dictionary index 999 is outside its dictionary of \d+ strings/) }]);
    } finally {
      await file.close();
    }
  });

  it('a stream without its end-of-stream marker: read, with a warning at `book` that it may be cut short; a marker cut in half: refused', async () => {
    // writeArrowBook ends the stream with the 8-byte marker 0xFFFFFFFF 0x00000000 (Arrow's "Encapsulated message format")
    expect([...validStream.subarray(-8)]).toEqual([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    expect((await readArrowBook(validStream)).warnings).toEqual([]);
    // without it the data ends after the last record batch: the 40 accounts, and the warning
    const unended = await readArrowBook(validStream.subarray(0, -8));
    expect(unended.accounts.map((a) => a.id)).toEqual(sample.book.accounts.map((a) => a.id));
    expect(unended.warnings).toEqual([{ path: 'book', message: expect.stringMatching(/^the Arrow IPC stream has no end-of-stream marker: read as the 40 accounts it holds, but a stream cut short/) }]);
    // the same through the file reader the CLI uses, chunk by chunk
    const path = join(dir, 'unended.arrows');
    writeFileSync(path, validStream.subarray(0, -8));
    const file = await open(path, 'r');
    const warnings: unknown[] = [];
    try {
      for await (const { book } of readArrowBookChunks(file, {}, 16)) warnings.push(...book.warnings);
    } finally {
      await file.close();
    }
    expect(warnings).toEqual(unended.warnings);
    // the marker's first 4 bytes alone: a message cut short
    const problems = await readArrowBook(validStream.subarray(0, -4)).then(() => [], (error: InputError) => error.problems);
    expect(problems).toEqual([{ path: 'book', message: expect.stringMatching(/^not an Arrow IPC file or stream, or one cut short: message at byte \d+ is cut short$/) }]);
    // the file format ends with its footer, which names its batches: no marker is looked for
    expect((await readArrowBook(valid)).warnings).toEqual([]);
  });

  it('a few bytes overwritten anywhere, in the file or the stream format: a book or an InputError, never another exception', async () => {
    const edit = fc.tuple(fc.integer({ min: 0, max: Math.max(valid.length, validStream.length) - 1 }), fc.integer({ min: 0, max: 255 }));
    const seen = new Map<string, number>();
    await fc.assert(fc.asyncProperty(fc.boolean(), fc.array(edit, { minLength: 1, maxLength: 4 }), async (stream, edits) => {
      const from = stream ? validStream : valid;
      const result = await outcome(corrupted(edits.map(([at, value]) => [at % from.length, value] as const), from));
      seen.set(result, (seen.get(result) ?? 0) + 1);
      expect(['book', 'input error']).toContain(result);
    }), propertyRuns(400));
    expect(seen.get('input error') ?? 0).toBeGreaterThan(0); // the corruptions reach the checks, not only the padding
  }, 120_000);
});
