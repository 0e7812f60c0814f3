import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSample, sampleJson } from '../../src/sample/generate.js';

// The bundled default sample (written by src/sample/write-default.ts): 300 accounts and 2 BTC-margined subaccounts, seed 7.
const bundledBook = readFileSync(new URL('../../data/sample/book.json', import.meta.url), 'utf8');
const bundledMarket = readFileSync(new URL('../../data/sample/market.json', import.meta.url), 'utf8');

describe('bundled default sample', () => {
  it('is exactly what the generator writes for 300 accounts and 2 BTC-margined ones, seed 7', () => {
    const { book, market } = generateSample({ accounts: 300, seed: 7, valuationTime: '2026-11-20T08:00:00Z', coinAccounts: 2 });
    expect(sampleJson(book)).toBe(bundledBook);
    expect(sampleJson(market)).toBe(bundledMarket);
  });

  it('keeps each file under 1 MB', () => {
    expect(Buffer.byteLength(bundledBook)).toBeLessThan(1_000_000);
    expect(Buffer.byteLength(bundledMarket)).toBeLessThan(1_000_000);
  });
});
