/**
 * Venue conventions of ccxt's parsers the import follows (docs/data-import.md, "CCXT"), each checked against what the
 * venue itself states (hand computation from the venue's own fields):
 * - deribit parsePosition: `contracts` = get_positions' `size`, signed, in units already (USD of face for a perpetual);
 *   `contractSize` filled from the market (10) is not a factor of it;
 * - okx parseTradingBalance: `total` = `eq`, the currency's equity; an option's contractSize lacks ctMult (skipped);
 * - bybit: a USDC perpetual's P&L since the last session runs from `info.sessionAvgPrice` (its wallet has the rest);
 * - a ccxt Balance's `debt` (borrowed plus interest) is owed;
 * - a flat position needs no side or entry; a book margin would refuse is refused before it is written.
 */
import { describe, expect, it } from 'vitest';
import { importCcxt } from '../../src/import/ccxt/index.js';
import { InputError } from '../../src/errors.js';
import { contractEquity } from './fixtures.js';
import { problemLines } from '../support/problems.js';

const AT = Date.UTC(2026, 10, 20, 8);
const ticker = (symbol: string, price: number) => ({ symbol, timestamp: AT, markPrice: price, indexPrice: price });

describe('importCcxt: venue conventions', () => {
  it('deribit: a long of size 1,000 USD is 1,000 USD of face, not 1,000 contracts of 10 (0.01 BTC of notional, as size_currency says)', () => {
    const positions = [{ symbol: 'BTC/USD:BTC', side: 'long', contracts: 1_000, contractSize: 10, entryPrice: 95_000, markPrice: 100_000, notional: 0.01 }];
    const result = importCcxt({ positions, balance: { BTC: { total: 1 } }, tickers: { 'BTC/USD:BTC': ticker('BTC/USD:BTC', 100_000) } }, { venue: 'deribit' });
    const account = result.book.accounts[0];
    const instrument = result.book.instruments[0];
    expect(account.positions[0].quantity * instrument.multiplier).toBe(1_000); // USD of face
    // total 1 is equity: cash 1 − 1,000·(1/95,000 − 1/100,000) = 1 − 0.000526316, so the book's equity is the venue's 1
    expect(Math.abs(contractEquity(result.book, result.market, 'ccxt-BTC', 'BTC') - 1)).toBeLessThan(1e-15);
  });

  it('deribit: a short comes signed (size −1,000, side short) and is imported short', () => {
    const positions = [{ symbol: 'BTC/USD:BTC', side: 'short', contracts: -1_000, contractSize: 10, entryPrice: 95_000, markPrice: 100_000 }];
    const result = importCcxt({ positions, balance: { BTC: { total: 1 } }, tickers: { 'BTC/USD:BTC': ticker('BTC/USD:BTC', 100_000) } }, { venue: 'deribit' });
    expect(result.book.accounts[0].positions).toEqual([{ instrument: 'BTC/USD:BTC', quantity: -1_000, entryPrice: 95_000 }]);
    // a negative count is a short only where the parser signs it
    expect(() => importCcxt({ positions, balance: { BTC: { total: 1 } }, tickers: { 'BTC/USD:BTC': ticker('BTC/USD:BTC', 100_000) } }, { venue: 'binance' })).toThrow(/positions\.json\[0\]\.contracts: negative/);
  });

  it('okx: total is eq (99,000 = cashBal 100,000 + upl −1,000), counted once; an option is skipped for its contract size', () => {
    const result = importCcxt({
      positions: [
        { symbol: 'BTC/USD:BTC-261225-100000-C', side: 'long', contracts: 10, contractSize: 1, entryPrice: 0.05, markPrice: 0.06 },
        { symbol: 'BTC/USDT:USDT', side: 'short', contracts: 50, contractSize: 0.01, entryPrice: 98_000, markPrice: 100_000, unrealizedPnl: -1_000 },
      ],
      balance: { USDT: { free: 90_000, used: 9_000, total: 99_000 } },
      tickers: { 'BTC/USDT:USDT': ticker('BTC/USDT:USDT', 100_000) },
      greeks: { 'BTC/USD:BTC-261225-100000-C': { symbol: 'BTC/USD:BTC-261225-100000-C', timestamp: AT, markImpliedVolatility: 0.55 } },
    }, { venue: 'okx' });
    expect(result.skipped).toEqual([{ path: 'positions.json[0]', message: expect.stringMatching(/ctVal without ctMult/) }]);
    // cash 99,000 − (0.5·(100,000 − 98,000)·−1 = −1,000) = 100,000; equity 100,000 − 1,000 = 99,000, OKX's eq
    expect(result.book.accounts[0].collateral).toEqual([{ asset: 'USDT', amount: 100_000 }]);
  });

  it('bybit USDC perpetual: the P&L runs from sessionAvgPrice 95,000, so equity is Bybit\'s 15,000 (12,500 + 0.5·5,000), not 17,500', () => {
    const result = importCcxt({
      positions: [{ symbol: 'BTC/USDC:USDC', side: 'long', contracts: 0.5, contractSize: 1, entryPrice: 90_000, markPrice: 100_000, unrealizedPnl: 2_500, info: { avgPrice: '90000', sessionAvgPrice: '95000' } }],
      balance: { USDC: { free: 7_500, used: 5_000, total: 12_500 } },
      tickers: { 'BTC/USDC:USDC': ticker('BTC/USDC:USDC', 100_000) },
    }, { venue: 'bybit' });
    expect(result.book.accounts[0].positions).toEqual([{ instrument: 'BTC/USDC:USDC', quantity: 0.5, entryPrice: 95_000 }]);
    expect(result.notes).toContainEqual({ path: 'positions.json[0].info.sessionAvgPrice', message: expect.stringMatching(/entry 95000 from positions\.json\[0\]\.info\.sessionAvgPrice, not entryPrice 90000/) });
    expect(result.notes.some((n) => n.path.endsWith('.unrealizedPnl'))).toBe(false); // 0.5·(100,000 − 95,000) = 2,500: agrees
  });

  it('a linear position whose venue P&L is not the book\'s from its entry is noted (Bybit without sessionAvgPrice)', () => {
    const result = importCcxt({
      positions: [{ symbol: 'BTC/USDC:USDC', side: 'long', contracts: 0.5, contractSize: 1, entryPrice: 90_000, markPrice: 100_000, unrealizedPnl: 2_500 }],
      balance: { USDC: { total: 12_500 } },
      tickers: { 'BTC/USDC:USDC': ticker('BTC/USDC:USDC', 100_000) },
    }, { venue: 'bybit' });
    expect(result.notes).toContainEqual({ path: 'positions.json[0].unrealizedPnl', message: expect.stringMatching(/unrealizedPnl 2500 is not the P&L the book counts from entry 90000 at mark 100000 \(5000\)/) });
  });

  it('a borrowing (debt 15,005 USDT) is owed: net assets 20,000 − 15,005 + 0.3 BTC = 34,995 USD, Binance\'s totalNetAsset', () => {
    const result = importCcxt({
      positions: [],
      balance: { BTC: { free: 0.3, used: 0, total: 0.3, debt: 0 }, USDT: { free: 20_000, used: 0, total: 20_000, debt: 15_005 } },
      tickers: { 'BTC/USDT': { symbol: 'BTC/USDT', timestamp: AT, last: 100_000 } },
    }, { venue: 'binance' });
    expect(result.book.accounts[0].collateral).toEqual([{ asset: 'BTC', amount: 0.3 }, { asset: 'USDT', amount: 4_995 }]);
    expect(result.notes).toContainEqual({ path: 'balance.json["USDT"].total', message: 'USDT: total 20000 less debt 15005 (borrowed plus interest) = 4995' });
  });

  it('a debt is taken out only where the venue\'s total is gross of it; null is none', () => {
    const bybit = importCcxt({ positions: [], balance: { USDT: { total: 20_000, debt: 100 }, BTC: { total: 0.1, debt: null } }, tickers: { 'BTC/USDT': { symbol: 'BTC/USDT', timestamp: AT, last: 100_000 } } }, { venue: 'bybit' });
    expect(bybit.book.accounts[0].collateral).toEqual([{ asset: 'USDT', amount: 20_000 }, { asset: 'BTC', amount: 0.1 }]);
    expect(bybit.notes).toContainEqual({ path: 'balance.json["USDT"].total', message: expect.stringMatching(/^USDT: debt 100 not taken out of total 20000: bybit's total is not known to be gross of its debt \(only binance's is\)$/) });
    const unnamed = importCcxt({ positions: [], balance: { USDT: { total: 20_000, debt: 100 } }, tickers: { 'BTC/USDT': { symbol: 'BTC/USDT', timestamp: AT, last: 100_000 } } });
    expect(unnamed.notes).toContainEqual({ path: 'balance.json["USDT"].total', message: 'USDT: debt 100 not taken out of total 20000: no venue was named (--venue): only a venue whose total is known to be gross of its debt (binance) has it taken out' });
  });

  it('a balance stated twice must agree; a negative one is said to be a borrowing', () => {
    const tickers = { 'BTC/USDT': { symbol: 'BTC/USDT', timestamp: AT, last: 100_000 } };
    expect(problemLines(() => importCcxt({ positions: [], balance: { USDT: { total: 10_000 }, total: { USDT: 20_000 } }, tickers })))
      .toEqual(['balance.json.total["USDT"]: 20000 is not USDT\'s own total 10000 (balance.json["USDT"].total): ccxt states one balance twice; save fetchBalance again']);
    const negative = importCcxt({ positions: [], balance: { USDT: { total: -10_000 }, BTC: { total: 1 }, total: { USDT: -10_000, BTC: 1 } }, tickers });
    expect(negative.book.accounts[0].collateral).toContainEqual({ asset: 'USDT', amount: -10_000 });
    expect(negative.notes).toContainEqual({ path: 'balance.json["USDT"].total', message: expect.stringMatching(/^USDT: total -10000 is negative: imported as a borrowing/) });
  });

  it('bybit USDC without a usable sessionAvgPrice keeps entryPrice and says what it may count twice', () => {
    const result = importCcxt({
      positions: [{ symbol: 'BTC/USDC:USDC', side: 'long', contracts: 0.5, contractSize: 1, entryPrice: 90_000, markPrice: 100_000, info: { sessionAvgPrice: '0' } }],
      balance: { USDC: { total: 12_500 } },
      tickers: { 'BTC/USDC:USDC': ticker('BTC/USDC:USDC', 100_000) },
    }, { venue: 'bybit' });
    expect(result.book.accounts[0].positions[0].entryPrice).toBe(90_000);
    expect(result.notes).toContainEqual({ path: 'positions.json[0].info.sessionAvgPrice', message: expect.stringMatching(/no usable positions\.json\[0\]\.info\.sessionAvgPrice \("0"\): the P&L is counted from entryPrice 90000, twice/) });
  });

  it('deribit: a count whose sign is not its side is refused either way; an equity total asks no P&L check', () => {
    const tickers = { 'BTC/USDC:USDC': ticker('BTC/USDC:USDC', 100_000) };
    const short = [{ symbol: 'BTC/USDC:USDC', side: 'short', contracts: 0.5, contractSize: 0.001, entryPrice: 90_000, markPrice: 100_000 }];
    expect(() => importCcxt({ positions: short, balance: { USDC: { total: 1_000 } }, tickers }, { venue: 'deribit' })).toThrow(/positions\.json\[0\]\.side: "short" with contracts 0\.5: deribit's parser signs contracts/);
    const long = [{ symbol: 'BTC/USDC:USDC', side: 'long', contracts: 0.5, contractSize: 0.001, entryPrice: 90_000, markPrice: 100_000, unrealizedPnl: 0 }];
    const result = importCcxt({ positions: long, balance: { USDC: { total: 1_000 } }, tickers }, { venue: 'deribit' });
    expect(result.book.accounts[0].positions).toEqual([{ instrument: 'BTC/USDC:USDC', quantity: 0.5, entryPrice: 90_000 }]); // 0.5 BTC, not 0.5 × 0.001
    expect(result.notes.some((n) => n.path.endsWith('.unrealizedPnl'))).toBe(false); // Deribit's is session P&L; the total is equity
  });

  it('nothing importable is not a validation error: the skips stay with the result for the caller to report', () => {
    const result = importCcxt({
      positions: [{ symbol: 'ETH/USD:ETH', side: 'long', contracts: 5, contractSize: 1, entryPrice: 3_000 }],
      balance: {},
      tickers: { 'BTC/USDT:USDT': ticker('BTC/USDT:USDT', 100_000) },
    }, { venue: 'binance' });
    expect(result.book.accounts).toEqual([]);
    expect(result.skipped).toEqual([{ path: 'positions.json[0]', message: expect.stringMatching(/no price for ETH/) }]);
  });

  it('a flat position as ccxt keeps it (no side, no entry) is noted, not a failure of the whole import', () => {
    const result = importCcxt({
      positions: [
        { symbol: 'BTC/USDC:USDC', side: 'long', contracts: 0.5, contractSize: 1, entryPrice: 95_000, markPrice: 100_000 },
        { symbol: 'ETH/USDC:USDC', contracts: 0, contractSize: 1, markPrice: 3_500, info: { side: '', size: '0', avgPrice: '0' } },
      ],
      balance: { USDC: { total: 12_500 } },
      tickers: { 'BTC/USDC:USDC': ticker('BTC/USDC:USDC', 100_000) },
    }, { venue: 'bybit' });
    expect(result.book.accounts[0].positions).toHaveLength(1);
    expect(result.notes).toContainEqual({ path: 'positions.json[1]', message: 'ETH/USDC:USDC: flat (0 contracts), not imported' });
  });

  it('a book margin would refuse is refused before it is written, at the ccxt field it came from', () => {
    let error: unknown;
    try {
      importCcxt({
        positions: [{ symbol: 'BTC/USD:BTC', side: 'short', contracts: 5, contractSize: 100, entryPrice: 0 }],
        balance: { BTC: { total: 0.09973684 } },
        tickers: { 'BTC/USD:BTC': ticker('BTC/USD:BTC', 95_000) },
      }, { venue: 'binance' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems[0]).toEqual({
      path: 'positions.json[0].entryPrice',
      message: expect.stringMatching(/^accounts\[0\]\.positions\[0\]\.entryPrice of the book: 0 is not > 0: an inverse contract's P&L/),
    });
  });
});
