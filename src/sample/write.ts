/** Writing a generated sample to disk (shared by the `generate` command and write-default.ts), streamed. */

import { join } from 'node:path';
import { openAtomic } from '../io/atomic-file.js';
import { DEFAULT_VALUATION_TIME, sampleBookChunks, sampleJson, sampleStream } from './generate.js';
import { makeDirs } from '../io/make-dirs.js';

export interface WriteSampleOptions {
  valuationTime?: string | undefined;
  /** Exactly this many positions per account (see SampleOptions.positionsPerAccount). */
  positionsPerAccount?: number | undefined;
  /** Accounts per master group (see SampleOptions.accountsPerMaster). */
  accountsPerMaster?: number | undefined;
  /** BTC-margined subaccounts appended (see SampleOptions.coinAccounts). */
  coinAccounts?: number | undefined;
  /** Called every few thousand accounts with the count written so far. */
  onProgress?: ((accountsWritten: number) => void) | undefined;
}

/**
 * Writes `dir/book.json` and `dir/market.json` and returns their paths. The book is streamed account by account
 * (memory stays flat at any size); the market is small and written whole. Each file appears whole or not at all.
 */
export async function writeSample(dir: string, accounts: number, seed: number, options: WriteSampleOptions = {}): Promise<{ book: string; market: string }> {
  const opts = options;
  const stream = sampleStream({ accounts, seed, valuationTime: opts.valuationTime ?? DEFAULT_VALUATION_TIME, positionsPerAccount: opts.positionsPerAccount, accountsPerMaster: opts.accountsPerMaster, coinAccounts: opts.coinAccounts });
  await makeDirs(dir);
  const paths = { book: join(dir, 'book.json'), market: join(dir, 'market.json') };
  // each file whole or not at all (a temporary file renamed once written: src/io/atomic-file.ts)
  const market = await openAtomic(paths.market);
  try {
    await market.write(sampleJson(stream.market));
    await market.commit();
  } finally {
    await market.discard();
  }
  const book = await openAtomic(paths.book);
  try {
    let pending = '';
    let written = 0;
    for (const chunk of sampleBookChunks(stream, (n) => (written = n))) {
      pending += chunk;
      if (pending.length < 1 << 20) continue;
      await book.write(pending);
      pending = '';
      opts.onProgress?.(written);
    }
    await book.write(pending);
    await book.commit();
  } finally {
    await book.discard(); // nothing once committed
  }
  return paths;
}
