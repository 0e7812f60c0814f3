/** The saved venue responses under test/import/fixtures/ (README.md there says where each field and unit comes from). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CcxtStructures } from '../../src/import/ccxt/index.js';
import type { DeribitResponses } from '../../src/import/deribit/index.js';
import type { ImportedBook } from '../../src/import/types.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

/**
 * A saved account's folder. The USDC account is docs/data-import.md's worked example, shipped in the package:
 * data/examples/deribit-usdc/ (`margin-core sample data` writes it for a reader).
 */
export function fixtureDir(dir: string): string {
  return dir === 'deribit/usdc-account' ? join(import.meta.dirname, '..', '..', 'data', 'examples', 'deribit-usdc') : join(FIXTURES, dir);
}

function read(dir: string, name: string): unknown {
  const path = join(fixtureDir(dir), name);
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

export function deribitFixture(name: string): DeribitResponses {
  const dir = `deribit/${name}`;
  return {
    positions: read(dir, 'get_positions.json'), accountSummary: read(dir, 'get_account_summary.json'), bookSummary: read(dir, 'get_book_summary_by_currency.json'),
    ticker: read(dir, 'ticker.json'), indexPrice: read(dir, 'get_index_price.json'),
  };
}

export function ccxtFixture(name: string): CcxtStructures {
  const dir = `ccxt/${name}`;
  return { positions: read(dir, 'positions.json'), balance: read(dir, 'balance.json'), tickers: read(dir, 'tickers.json'), greeks: read(dir, 'greeks.json') };
}

/**
 * An imported account's equity by the book-format contract (docs/coin-margined.md), in `currency` (the account's
 * margin currency, or USD), from the book's own fields: balances at their price, inverse futures and perpetuals
 * quantity·multiplier·(1/entry − 1/mark) coin, linear ones quantity·multiplier·(mark − entry), options
 * quantity·multiplier·mark, each converted at the prices of `market`.
 */
export function contractEquity(book: ImportedBook, market: { assets: Record<string, { price: number }>; marks?: Record<string, number> }, account: string, currency: string): number {
  const a = book.accounts.find((x) => x.id === account)!;
  const usd = (asset: string) => (asset === 'USD' ? 1 : market.assets[asset].price);
  let equityUsd = 0;
  for (const c of a.collateral) equityUsd += c.amount * usd(c.asset);
  for (const p of a.positions) {
    const i = book.instruments.find((x) => x.id === p.instrument)!;
    const mark = market.marks![i.id];
    const settle = i.settlement ?? 'USD';
    const inverse = i.kind !== 'option' && settle === i.underlying;
    const units = p.quantity * i.multiplier;
    const inSettle = i.kind === 'option' ? units * mark : inverse ? units * (1 / p.entryPrice - 1 / mark) : units * (mark - p.entryPrice);
    equityUsd += inSettle * usd(settle);
  }
  return equityUsd / usd(currency);
}
