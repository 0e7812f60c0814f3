/** Writing a generated sample to disk (shared by the `generate` command and write-default.ts). */

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_VALUATION_TIME, generateSample, sampleJson } from './generate.js';

/** Writes `dir/book.json` and `dir/market.json`; returns their paths. */
export async function writeSample(dir: string, accounts: number, seed: number, valuationTime = DEFAULT_VALUATION_TIME): Promise<{ book: string; market: string }> {
  const { book, market } = generateSample({ accounts, seed, valuationTime });
  await mkdir(dir, { recursive: true });
  const paths = { book: join(dir, 'book.json'), market: join(dir, 'market.json') };
  await writeFile(paths.book, sampleJson(book));
  await writeFile(paths.market, sampleJson(market));
  return paths;
}
