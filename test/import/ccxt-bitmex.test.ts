/**
 * BitMEX through ccxt (fixtures/ccxt/bitmex, shaped as ccxt's bitmex parser returns them: ts/src/bitmex.ts
 * parsePosition, parseMarket, parseBalance, parseTicker). What the parser fills, and the importer reads
 * (docs/data-import.md, "What a position holds, per venue"): `contracts` = |currentQty|; `side` from homeNotional's
 * sign, else info.currentQty's; an inverse `contractSize` is BitMEX's multiplier in satoshis (100,000,000 for XBTUSD:
 * one contract is 1 USD of face); `notional` = |foreignNotional| in USD; `total` = marginBalance (wallet + unrealised
 * P&L); tickers without an indexPrice, the index under BitMEX's own `.BXBT`.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { importCcxt } from '../../src/import/ccxt/index.js';
import { allEngines } from '../support/engines.js';
import { ccxtFixture, contractEquity } from './fixtures.js';

const engines = await allEngines();
const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const fixture = () => structuredClone(ccxtFixture('bitmex'));
type Position = { side?: string; notional?: number; info: Record<string, unknown> };
const positionsOf = (input: ReturnType<typeof fixture>) => input.positions as Position[];

// long 20,000 XBTUSD (1 USD each) from 90,000, marked 100,000: P&L 20,000·(1/90,000 − 1/100,000) = 0.0222222… BTC
const pnl = 20_000 * (1 / 90_000 - 1 / 100_000);
// BitMEX's marginBalance 52,222,222 XBt = walletBalance 50,000,000 + unrealisedPnl 2,222,222 (to the satoshi)
const marginBalance = 0.52222222;

describe("importCcxt: BitMEX as ccxt's bitmex parser gives it (XBTUSD inverse long)", () => {
  const result = importCcxt(ccxtFixture('bitmex'), { venue: 'bitmex' });

  it('reads 20,000 contracts of 100,000,000 satoshis as 20,000 USD of face: multiplier 1, quantity +20,000 (side from homeNotional 0.2)', () => {
    expect(result.skipped).toEqual([]);
    expect(result.book.instruments).toEqual([{ id: 'BTC/USD:BTC', kind: 'perpetual', underlying: 'BTC', multiplier: 1, settlement: 'BTC' }]);
    expect(result.book.accounts).toEqual([{
      id: 'ccxt-BTC', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: marginBalance - pnl }],
      positions: [{ instrument: 'BTC/USD:BTC', quantity: 20_000, entryPrice: 90_000 }],
    }]);
  });

  it("prices BTC at BitMEX's .BXBT index (99,950; ccxt's tickers carry no indexPrice), the mark at XBTUSD's 100,000", () => {
    expect(result.market.assets.BTC.price).toBe(99_950);
    expect(result.market.marks).toEqual({ 'BTC/USD:BTC': 100_000 });
  });

  it("equity by the contract is BitMEX's margin balance, total 0.52222222 BTC: cash 0.52222222 − 0.02222222 + the P&L", () => {
    expect(relative(contractEquity(result.book, result.market, 'ccxt-BTC', 'BTC'), marginBalance)).toBeLessThan(1e-15);
  });

  it('side undefined (BitMEX sent no homeNotional): the sign of info.currentQty gives it; a short reads −20,000', () => {
    const input = fixture();
    const [p] = positionsOf(input);
    delete p.side;
    p.info.homeNotional = null;
    expect(importCcxt(input, { venue: 'bitmex' }).book.accounts[0].positions).toEqual([{ instrument: 'BTC/USD:BTC', quantity: 20_000, entryPrice: 90_000 }]);
    p.info.currentQty = -20_000;
    expect(importCcxt(input, { venue: 'bitmex' }).book.accounts[0].positions[0].quantity).toBe(-20_000);
  });

  it('fails closed by path when nothing says the side, when currentQty disagrees with contracts, or notional with the face', () => {
    const noSign = fixture();
    delete positionsOf(noSign)[0].side;
    delete positionsOf(noSign)[0].info.currentQty;
    expect(() => importCcxt(noSign, { venue: 'bitmex' })).toThrow(InputError);
    expect(() => importCcxt(noSign, { venue: 'bitmex' })).toThrow(/positions\.json\[0\]\.side: undefined, and info\.currentQty \(BitMEX's signed quantity\) is not a number/);
    // without the venue, an undefined side is refused as before
    expect(() => importCcxt(noSign)).toThrow(/positions\.json\[0\]\.side: expected "long" or "short", got undefined/);
    const mismatch = fixture();
    delete positionsOf(mismatch)[0].side;
    positionsOf(mismatch)[0].info.currentQty = 2_000;
    expect(() => importCcxt(mismatch, { venue: 'bitmex' })).toThrow(/positions\.json\[0\]\.info\.currentQty: \|2000\| is not contracts \(20000\)/);
    const face = fixture();
    positionsOf(face)[0].notional = 200_000;
    expect(() => importCcxt(face, { venue: 'bitmex' })).toThrow(/positions\.json\[0\]\.notional: 200000 USD is not contracts × contractSize·1e-8 = 20000 × 1/);
  });

  it('a linear BitMEX contract keeps contractSize = 1/underlyingToPositionMultiplier: 1,000,000 XBTUSDT of 0.000001 BTC is 1 BTC', () => {
    const result = importCcxt({
      // XBTUSDT: underlyingToPositionMultiplier 1,000,000, so ccxt's contractSize 0.000001 BTC; notional |foreignNotional| in USDT
      positions: [{ symbol: 'BTC/USDT:USDT', side: 'long', contracts: 1_000_000, contractSize: 0.000001, notional: 100_000, entryPrice: 95_000, markPrice: 100_000 }],
      balance: { USDT: { free: 10_000, used: 0, total: 10_000 } },
      tickers: { 'BTC/USDT:USDT': { symbol: 'BTC/USDT:USDT', timestamp: Date.UTC(2026, 10, 20, 8), markPrice: 100_000 }, '.BXBT': { symbol: '.BXBT', timestamp: Date.UTC(2026, 10, 20, 8), last: 99_950 } },
    }, { venue: 'bitmex', balanceTotal: 'cash' });
    expect(result.book.instruments).toEqual([{ id: 'BTC/USDT:USDT', kind: 'perpetual', underlying: 'BTC', multiplier: 0.000001 }]);
    expect(result.book.accounts[0].positions).toEqual([{ instrument: 'BTC/USDT:USDT', quantity: 1_000_000, entryPrice: 95_000 }]);
    // 1,000,000 × 0.000001 = 1 BTC long: P&L 1·(100,000 − 95,000) = 5,000 USDT on 10,000 of cash
    expect(relative(contractEquity(result.book, result.market, 'ccxt', 'USD'), 15_000)).toBeLessThan(1e-12);
  });

  it('read without the venue, contractSize 100,000,000 would be taken as the face: 2·10^12 USD, 1e8 times the position (why the venue matters)', () => {
    const plain = importCcxt(ccxtFixture('bitmex'));
    expect(plain.book.instruments[0].multiplier).toBe(100_000_000);
  });
});

describe.each(engines.map((e) => [e.backend, e] as const))('BitMEX import → cross margin on %s', (_, engine) => {
  it("equity = BitMEX's margin balance 0.52222222 BTC; IM 0.008 × 20,000/100,000 = 0.0016, MM 0.004 × 0.2 = 0.0008 BTC", () => {
    const imported = importCcxt(ccxtFixture('bitmex'), { venue: 'bitmex' });
    const [account] = engine.margin(imported.book, imported.market, { method: 'cross' }).accounts;
    expect(account.id).toBe('ccxt-BTC');
    expect(relative(account.equity, marginBalance)).toBeLessThan(1e-15);
    // cross, an inverse contract (docs/coin-margined.md): USD notional at the index N·S/F = 20,000·99,950/100,000
    // = 19,990 USD, in BTC's first bracket (to 50,000 USD: IM 0.8 %, MM 0.4 %); in coin ÷ S: rate × N/F
    expect(relative(account.im, 0.008 * 20_000 / 100_000)).toBeLessThan(1e-12);
    expect(relative(account.mm, 0.004 * 20_000 / 100_000)).toBeLessThan(1e-12);
    expect(account.status).toBe('healthy');
  });
});
