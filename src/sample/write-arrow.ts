/**
 * A generated sample written as an Arrow IPC book (DIR/book.arrow, schemas/book.arrow.md) and its market
 * (DIR/market.json): the accounts are generated and written a record batch at a time, so memory holds one batch.
 */
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ACCOUNTS_PER_BATCH, ArrowBookBatches } from '../io/arrow/write-book.js';
import { loadArrow } from '../io/arrow/load.js';
import { writePieces } from '../io/write-pieces.js';
import { DEFAULT_VALUATION_TIME, sampleJson, sampleStream } from './generate.js';
import type { WriteSampleOptions } from './write.js';
import { makeDirs } from '../io/make-dirs.js';

export async function writeArrowSample(dir: string, accounts: number, seed: number, options: WriteSampleOptions = {}): Promise<{ book: string; market: string }> {
  const A = await loadArrow();
  const stream = sampleStream({ accounts, seed, valuationTime: options.valuationTime ?? DEFAULT_VALUATION_TIME, positionsPerAccount: options.positionsPerAccount, accountsPerMaster: options.accountsPerMaster, coinAccounts: options.coinAccounts });
  await makeDirs(dir);
  const paths = { book: join(dir, 'book.arrow'), market: join(dir, 'market.json') };
  await writeFile(paths.market, sampleJson(stream.market));
  // the generator's balances are of the market's assets; it gives no isolated allocations, methods or locations
  const batches = new ArrowBookBatches(A, stream.instruments, { assets: Object.keys(stream.market.assets).sort(), masters: (options.accountsPerMaster ?? 1) > 1, marginCurrencies: (options.coinAccounts ?? 0) > 0 });
  const writer = new A.RecordBatchFileWriter();
  const file = await open(paths.book, 'w');
  // Each batch's bytes are written out before the next batch is made, so memory holds one batch. The writer queues its
  // bytes in many small pieces; taking them needs no I/O (the collector below runs on microtasks), but writing each
  // piece on its own took one event-loop turn per piece, so with one turn per batch the file lagged behind the
  // generator and memory grew with the book (1 GB for a million accounts). The pieces are gathered, then written in one
  // vectored write (src/io/write-pieces.ts).
  const queued: Uint8Array[] = [];
  const collected = (async () => {
    for await (const bytes of writer) queued.push(bytes);
  })();
  const flush = async () => {
    await new Promise<void>((resolve) => setImmediate(resolve)); // the collector has taken every piece queued so far
    if (queued.length > 0) await writePieces(file, queued.splice(0), paths.book);
  };
  writer.reset(undefined, batches.schema);
  let accountsWritten = 0;
  try {
    // each account copied into the batch's columns as it is generated: its objects die young (a batch of them held
    // until the batch was made went to the old generation: 0.69 GB peak at 1,000,000 × 20 and 0.85 GB at 10,000,000)
    for (const account of stream.accounts()) {
      batches.add(account);
      if (batches.pending < ACCOUNTS_PER_BATCH) continue;
      writer.write(batches.take());
      await flush();
      options.onProgress?.((accountsWritten += ACCOUNTS_PER_BATCH));
    }
    if (batches.pending > 0) writer.write(batches.take());
    writer.finish();
    await collected;
    await flush();
  } finally {
    await file.close(); // a failed write (a full disk) closes the file too, not the garbage collector
  }
  return paths;
}
