/**
 * Regenerates the bundled sample, data/sample/{book,market}.json (300 accounts and 2 BTC-margined subaccounts,
 * seed 7, valued at 2026-11-20T08:00:00Z). Run from the repo root:
 *   npx esbuild src/sample/write-default.ts --bundle --platform=node --format=esm --outfile=/tmp/wd.mjs && node /tmp/wd.mjs
 * test/sample/bundled.test.ts checks the committed files match what this writes.
 */

import { writeSample } from './write.js';

export const DEFAULT_SAMPLE = { dir: 'data/sample', accounts: 300, coinAccounts: 2, seed: 7, valuationTime: '2026-11-20T08:00:00Z' } as const;

const paths = await writeSample(DEFAULT_SAMPLE.dir, DEFAULT_SAMPLE.accounts, DEFAULT_SAMPLE.seed, { valuationTime: DEFAULT_SAMPLE.valuationTime, coinAccounts: DEFAULT_SAMPLE.coinAccounts });
console.log(`wrote ${paths.book} and ${paths.market}`);
