/**
 * A generated sample written as an Arrow IPC book (DIR/book.arrow, schemas/book.arrow.md) and its market
 * (DIR/market.json): the accounts are generated and written a record batch at a time, so memory holds one batch.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ACCOUNTS_PER_BATCH, ArrowBookBatches } from '../io/arrow/write-book.js';
import { loadArrow } from '../io/arrow/load.js';
import type { Account } from '../model/types.js';
import { DEFAULT_VALUATION_TIME, sampleJson, sampleStream } from './generate.js';
import type { WriteSampleOptions } from './write.js';

export async function writeArrowSample(dir: string, accounts: number, seed: number, options: WriteSampleOptions = {}): Promise<{ book: string; market: string }> {
  const A = await loadArrow();
  const stream = sampleStream({ accounts, seed, valuationTime: options.valuationTime ?? DEFAULT_VALUATION_TIME, positionsPerAccount: options.positionsPerAccount, accountsPerMaster: options.accountsPerMaster });
  await mkdir(dir, { recursive: true });
  const paths = { book: join(dir, 'book.arrow'), market: join(dir, 'market.json') };
  await writeFile(paths.market, sampleJson(stream.market));
  // the generator's balances are of the market's assets; it gives no isolated allocations, methods or locations
  const batches = new ArrowBookBatches(A, stream.instruments, { assets: Object.keys(stream.market.assets).sort(), masters: (options.accountsPerMaster ?? 1) > 1 });
  const writer = new A.RecordBatchFileWriter();
  const done = pipeline(Readable.fromWeb(writer.toDOMStream() as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(paths.book));
  writer.reset(undefined, batches.schema);
  let batch: Account[] = [];
  let written = 0;
  for (const account of stream.accounts()) {
    batch.push(account);
    if (batch.length < ACCOUNTS_PER_BATCH) continue;
    writer.write(batches.batch(batch));
    options.onProgress?.((written += batch.length));
    batch = [];
    await new Promise<void>((resolve) => setImmediate(resolve)); // let the bytes flow out before the next batch
  }
  if (batch.length > 0) writer.write(batches.batch(batch));
  writer.finish();
  await done;
  return paths;
}
