/**
 * The CCXT adapter on unified structures written from CCXT's types (ts/src/base/types.ts: Position, Balances, Ticker,
 * Greeks) with venue-realistic values (fixtures/README.md): symbols parsed, units carried as the unified fields state
 * them, nothing dropped without a path.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { optionPrice } from '../../src/greeks/one-option.js';
import { importCcxt } from '../../src/import/ccxt/index.js';
import { yearsBetween } from '../../src/model/time.js';
import { parseCcxtSymbol } from '../../src/import/ccxt/symbols.js';
import { ccxtFixture, contractEquity } from './fixtures.js';

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('CCXT unified symbols', () => {
  it('reads swaps, futures and options, linear and inverse', () => {
    expect(parseCcxtSymbol('BTC/USDT:USDT', 8)).toMatchObject({ kind: 'perpetual', base: 'BTC', settle: 'USDT', inverse: false });
    expect(parseCcxtSymbol('BTC/USD:BTC-261225', 8)).toMatchObject({ kind: 'future', inverse: true, expiryMs: Date.UTC(2026, 11, 25, 8) });
    expect(parseCcxtSymbol('BTC/USD:BTC-261225-100000-C', 8)).toMatchObject({ kind: 'option', strike: 100000, right: 'call', settle: 'BTC', inverse: true });
    expect(parseCcxtSymbol('BTC/USD:USDC-221209-18000-C', 8)).toMatchObject({ kind: 'option', settle: 'USDC', inverse: false });
    expect(parseCcxtSymbol('ETH/USDT:USDT-261225-2500.5-P', 0)).toMatchObject({ strike: 2500.5, right: 'put', expiryMs: Date.UTC(2026, 11, 25, 0) });
  });

  it('says why spot, quanto and malformed symbols are not imported', () => {
    expect(parseCcxtSymbol('BTC/USDT', 8)).toEqual({ error: 'BTC/USDT is a spot market: spot holdings are balances (fetchBalance), not positions' });
    expect(parseCcxtSymbol('ETH/USD:BTC', 8)).toEqual({ error: 'ETH/USD:BTC: a quanto contract (settled in BTC, neither its base nor its quote) is not supported' });
    expect(parseCcxtSymbol('BTC/USD:BTC-261301', 8)).toEqual({ error: 'BTC/USD:BTC-261301: 261301 is not a date (YYMMDD)' });
    expect(parseCcxtSymbol('BTC-PERP', 8)).toHaveProperty('error');
  });
});

describe('importCcxt: coin-margined (inverse perpetual and future, BTC call spread, as CCXT gives Deribit)', () => {
  const result = importCcxt(ccxtFixture('coin-margined'));

  it('writes inverse contracts and coin-settled options with the contract size as multiplier, the account in BTC', () => {
    expect(result.skipped).toEqual([]);
    expect(result.book.instruments).toEqual([
      { id: 'BTC/USD:BTC', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' },
      { id: 'BTC/USD:BTC-270326', kind: 'future', underlying: 'BTC', multiplier: 10, expiry: '2027-03-26T08:00:00Z', settlement: 'BTC' },
      { id: 'BTC/USD:BTC-261225-100000-C', kind: 'option', underlying: 'BTC', multiplier: 1, right: 'call', strike: 100000, expiry: '2026-12-25T08:00:00Z', settlement: 'BTC' },
      { id: 'BTC/USD:BTC-261225-110000-C', kind: 'option', underlying: 'BTC', multiplier: 1, right: 'call', strike: 110000, expiry: '2026-12-25T08:00:00Z', settlement: 'BTC' },
    ]);
    expect(result.book.accounts).toEqual([{
      id: 'ccxt-BTC', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 2.4 }],
      positions: [
        { instrument: 'BTC/USD:BTC', quantity: 1200, entryPrice: 88950 },
        { instrument: 'BTC/USD:BTC-270326', quantity: -500, entryPrice: 93210.5 },
        { instrument: 'BTC/USD:BTC-261225-100000-C', quantity: -1.5, entryPrice: 0.024 },
        { instrument: 'BTC/USD:BTC-261225-110000-C', quantity: 1.5, entryPrice: 0.009 },
      ],
    }]);
  });

  it('reads percent IVs (every markImpliedVolatility above 3) as decimals', () => {
    expect(result.market.impliedVols).toEqual({ 'BTC/USD:BTC-261225-100000-C': 0.529, 'BTC/USD:BTC-261225-110000-C': 0.541 });
    expect(result.market.assets.BTC).toEqual({ price: 91500, vol: 0.529 });
  });

  it('an option without markImpliedVolatility: at the vol its markPrice implies at the index, not skipped', () => {
    // the 100,000 call's greeks keep its markPrice 0.0322 BTC and lose its IV: 0.0322 × 91,500 USD at the index (rate and
    // carry 0, the market's) is one Black-76 vol, the engine's own pricing gives the mark back
    const input = ccxtFixture('coin-margined');
    const greeks = (input.greeks as Record<string, unknown>[]).map((g) => (g.symbol === 'BTC/USD:BTC-261225-100000-C' ? { ...g, markImpliedVolatility: undefined } : g));
    const implied = importCcxt({ ...input, greeks });
    expect(implied.skipped).toEqual([]);
    expect(implied.book).toEqual(result.book);
    const vol = implied.market.impliedVols!['BTC/USD:BTC-261225-100000-C'];
    const years = yearsBetween(Date.parse(implied.market.valuationTime), Date.parse('2026-12-25T08:00:00Z'));
    expect(relative(optionPrice(true, 91_500, 100_000, years, vol, 0, 0), 0.0322 * 91_500)).toBeLessThan(1e-12);
    expect(implied.notes.map((n) => n.message)).toContainEqual(expect.stringContaining(`BTC/USD:BTC-261225-100000-C: no markImpliedVolatility in greeks.json: at the vol its markPrice 0.0322 implies at the index 91500 (${(vol * 100).toPrecision(6)}%)`));
    // a mark no vol gives (above the coin itself) is skipped, saying so
    const dear = (input.greeks as Record<string, unknown>[]).map((g) => (g.symbol === 'BTC/USD:BTC-261225-100000-C' ? { ...g, markImpliedVolatility: undefined, markPrice: 2 } : g));
    const positions = (input.positions as Record<string, unknown>[]).map((p) => (p.symbol === 'BTC/USD:BTC-261225-100000-C' ? { ...p, markPrice: undefined } : p));
    const tickers = Object.fromEntries(Object.entries(input.tickers as Record<string, Record<string, unknown>>).map(([k, t]) => [k, k === 'BTC/USD:BTC-261225-100000-C' ? { ...t, markPrice: undefined } : t]));
    const skipped = importCcxt({ ...input, greeks: dear, positions, tickers }).skipped;
    expect(skipped.map((x) => x.message)).toEqual(['BTC/USD:BTC-261225-100000-C: no markImpliedVolatility in greeks.json, and its markPrice 2 implies no vol at the index 91500']);
  });

  it('equity by the contract: 2.4 + 12000·(1/88950 − 1/91520.5) − 5000·(1/93210.5 − 1/93050) − 1.5·0.0322 + 1.5·0.0129 BTC', () => {
    // 2.4 + 0.00378909… + 0.00009253… − 0.02895 = 2.37493161… (from average prices, as CCXT's entryPrice gives them)
    const expected = 2.4 + 12000 * (1 / 88950 - 1 / 91520.5) - 5000 * (1 / 93210.5 - 1 / 93050) - 1.5 * 0.0322 + 1.5 * 0.0129;
    expect(relative(contractEquity(result.book, result.market, 'ccxt-BTC', 'BTC'), expected)).toBeLessThan(1e-12);
    expect(relative(expected, 2.37493161)).toBeLessThan(1e-8);
  });
});

describe('importCcxt: USDC-settled linear perpetual and a USDC BTC call spread', () => {
  const result = importCcxt(ccxtFixture('usdc-linear'));

  it('linear contracts in units of the contract size, USDC at par, decimal IVs kept', () => {
    expect(result.skipped).toEqual([]);
    expect(result.book.instruments).toEqual([
      { id: 'BTC/USDC:USDC', kind: 'perpetual', underlying: 'BTC', multiplier: 0.001 },
      { id: 'BTC/USDC:USDC-261225-100000-C', kind: 'option', underlying: 'BTC', multiplier: 1, right: 'call', strike: 100000, expiry: '2026-12-25T08:00:00Z' },
      { id: 'BTC/USDC:USDC-261225-110000-C', kind: 'option', underlying: 'BTC', multiplier: 1, right: 'call', strike: 110000, expiry: '2026-12-25T08:00:00Z' },
    ]);
    expect(result.book.accounts[0].positions).toEqual([
      { instrument: 'BTC/USDC:USDC', quantity: 500, entryPrice: 90000 },
      { instrument: 'BTC/USDC:USDC-261225-100000-C', quantity: -1.5, entryPrice: 2210 },
      { instrument: 'BTC/USDC:USDC-261225-110000-C', quantity: 1.5, entryPrice: 830 },
    ]);
    expect(result.market.impliedVols).toEqual({ 'BTC/USDC:USDC-261225-100000-C': 0.529, 'BTC/USDC:USDC-261225-110000-C': 0.541 });
    expect(result.notes).toContainEqual({ path: 'market.assets.USDC.price', message: 'USDC valued at 1 USD (no USDC/USD ticker)' });
  });
});

describe('importCcxt: a multi-asset unified account (USDT, BTC, ETH; USDT-margined perpetuals)', () => {
  const result = importCcxt(ccxtFixture('multi-asset'));

  it('every balance, priced by the contracts\' index prices', () => {
    expect(result.book.accounts[0].collateral).toEqual([{ asset: 'USDT', amount: 15000 }, { asset: 'BTC', amount: 0.75 }, { asset: 'ETH', amount: 12 }]);
    expect(result.market.assets).toEqual({ BTC: { price: 91500, vol: 0 }, ETH: { price: 3050.25, vol: 0 }, USDT: { price: 1, vol: 0 } });
    expect(result.notes).toContainEqual({ path: 'market.assets.BTC.vol', message: 'no option quote on BTC: its vol set to 0 (VaR sees no risk in it); give one in market.json' });
  });
});

describe('importCcxt: what it does not import is listed with its path', () => {
  const base = ccxtFixture('multi-asset');
  const [btc] = base.positions as Record<string, unknown>[];

  it('spot, quanto, unknown contracts and CCXT positions without contracts', () => {
    const result = importCcxt({
      ...base,
      positions: [...(base.positions as unknown[]),
        { ...btc, symbol: 'BTC/USDT' }, { ...btc, symbol: 'ETH/USD:BTC' }, { ...btc, symbol: 'DOGE/USDT:USDT' }, { ...btc, contracts: undefined }],
      balance: { ...(base.balance as object), XYZ: { free: 5, used: 0, total: 5 } },
    });
    expect(result.skipped).toEqual([
      { path: 'positions.json[2].symbol', message: 'BTC/USDT is a spot market: spot holdings are balances (fetchBalance), not positions' },
      { path: 'positions.json[3].symbol', message: 'ETH/USD:BTC: a quanto contract (settled in BTC, neither its base nor its quote) is not supported' },
      { path: 'positions.json[5].contracts', message: 'BTC/USDT:USDT: contracts is undefined (CCXT leaves it so for some venues, e.g. Deribit: use the Deribit adapter on the raw responses)' },
      { path: 'positions.json[4]', message: 'DOGE/USDT:USDT: no price for DOGE (give a ticker with an indexPrice, or a DOGE/USD spot ticker)' },
      { path: 'balance.json["XYZ"].total', message: 'XYZ: no price (give a XYZ/USD or XYZ/USDT ticker)' },
    ]);
  });

  it('IVs that mix percent and decimals are refused unless the unit is given', () => {
    const greeks = ccxtFixture('usdc-linear').greeks as Record<string, Record<string, unknown>>;
    const mixed = { ...ccxtFixture('usdc-linear'), greeks: { ...greeks, 'BTC/USDC:USDC-261225-110000-C': { ...greeks['BTC/USDC:USDC-261225-110000-C'], markImpliedVolatility: 54.1 } } };
    expect(() => importCcxt(mixed)).toThrow(/markImpliedVolatility mixes values above and below 3/);
    expect(importCcxt(mixed, { ivUnit: 'decimal' }).market.impliedVols!['BTC/USDC:USDC-261225-110000-C']).toBe(54.1);
  });
});

/**
 * What `total` is, per venue (docs/data-import.md): ccxt's deribit parseBalance puts get_account_summary's `equity`
 * there (balance + futures session P&L + options value) and its parsePosition leaves `contracts` undefined; ccxt's
 * bitmex parseBalance puts `marginBalance` (walletBalance + unrealised P&L). An equity total becomes cash less the
 * imported positions' value, so the book's equity is the venue's.
 */
describe("importCcxt: a balance's total, as the venue's ccxt parser defines it", () => {
  // long 50,000 USD of BTC/USD:BTC entered at 95,000, marked 100,000: P&L 50,000·(1/95,000 − 1/100,000)
  // = 0.0263157894… BTC; the venue's equity total 1.02631579 BTC (wallet 1 BTC). As ccxt's bitmex parser gives XBTUSD:
  // 50,000 contracts of 1 USD, contractSize BitMEX's multiplier 100,000,000 satoshis (ccxt-bitmex.test.ts)
  const pnl = 50_000 * (1 / 95_000 - 1 / 100_000);
  const inverseLong = {
    positions: [{ symbol: 'BTC/USD:BTC', side: 'long', contracts: 50_000, contractSize: 100_000_000, notional: 50_000, entryPrice: 95_000, markPrice: 100_000 }],
    balance: { BTC: { free: 1, used: 0.01, total: 1.02631579 } },
    tickers: { 'BTC/USD:BTC': { symbol: 'BTC/USD:BTC', timestamp: Date.UTC(2026, 10, 20, 8), markPrice: 100_000, indexPrice: 100_000 } },
  };

  it('bitmex (total = marginBalance, equity): an inverse long with total 1.02631579 BTC imports at cash 1.02631579 − P&L, equity 1.02631579', () => {
    const result = importCcxt(inverseLong, { venue: 'bitmex' });
    const [account] = result.book.accounts;
    expect(account.collateral).toEqual([{ asset: 'BTC', amount: 1.02631579 - pnl }]);
    expect(relative(contractEquity(result.book, result.market, account.id, 'BTC'), 1.02631579)).toBeLessThan(1e-15);
    expect(result.notes.map((n) => n.message)).toContainEqual(expect.stringMatching(/^BTC: total 1\.02631579 is equity \(bitmex: ccxt bitmex parseBalance: total = User\/getMargin `marginBalance`/));
  });

  it('without a venue the total is read as cash, and a note says so: equity 1.02631579 + P&L = 1.05263158', () => {
    // the same 50,000 USD as a parser giving the face in contractSize (5,000 contracts of 10 USD, as Deribit's are)
    const position = { symbol: 'BTC/USD:BTC', side: 'long', contracts: 5_000, contractSize: 10, entryPrice: 95_000, markPrice: 100_000 };
    const result = importCcxt({ ...inverseLong, positions: [position] });
    expect(result.book.accounts[0].collateral).toEqual([{ asset: 'BTC', amount: 1.02631579 }]);
    expect(relative(contractEquity(result.book, result.market, 'ccxt-BTC', 'BTC'), 1.02631579 + pnl)).toBeLessThan(1e-15);
    expect(result.notes).toContainEqual({ path: 'balance.json', message: 'each total read as cash (a wallet balance): no venue given; ccxt\'s deribit, bitmex, okx, binance parsers put equity there (give the venue: --venue or venue; or --balance-total equity, balanceTotal "equity")' });
  });

  it('binance (total = marginBalance, equity): a USD-M account of wallet 10,000 with 950 of P&L imports cash 10,000, equity 10,950', () => {
    // long 0.5 BTC from 90,000 marked 91,500 (+750), short 4 ETH from 3,100 marked 3,050 (+200): ccxt's total for
    // USDT is Binance's marginBalance, 10,000 + 950 = 10,950 (read as cash it would count the 950 twice: 11,900)
    const result = importCcxt({
      positions: [
        { symbol: 'BTC/USDT:USDT', side: 'long', contracts: 0.5, contractSize: 1, entryPrice: 90_000, markPrice: 91_500 },
        { symbol: 'ETH/USDT:USDT', side: 'short', contracts: 4, contractSize: 1, entryPrice: 3_100, markPrice: 3_050 },
      ],
      balance: { USDT: { free: 10_462, used: 488, total: 10_950 } },
      tickers: {
        'BTC/USDT:USDT': { symbol: 'BTC/USDT:USDT', timestamp: Date.UTC(2026, 10, 20, 8), markPrice: 91_500, indexPrice: 91_500 },
        'ETH/USDT:USDT': { symbol: 'ETH/USDT:USDT', timestamp: Date.UTC(2026, 10, 20, 8), markPrice: 3_050, indexPrice: 3_050 },
      },
    }, { venue: 'binance' });
    expect(result.book.accounts[0].collateral).toEqual([{ asset: 'USDT', amount: 10_000 }]);
    expect(result.notes.map((n) => n.message)).toContainEqual(expect.stringMatching(/^USDT: total 10950 is equity \(binance: ccxt binance parseBalance/));
  });

  it('an equity total less options at their mark and linear P&L: the coin-margined account with total 2.4 as equity holds 2.4 + 0.02506839 BTC of cash', () => {
    // value of the imported positions by the contract: 12,000·(1/88,950 − 1/91,520.5) − 5,000·(1/93,210.5 − 1/93,050)
    // − 1.5·0.0322 + 1.5·0.0129 = 0.00378909 + 0.00009253 − 0.02895 = −0.02506839 BTC
    const value = 12_000 * (1 / 88_950 - 1 / 91_520.5) - 5_000 * (1 / 93_210.5 - 1 / 93_050) - 1.5 * 0.0322 + 1.5 * 0.0129;
    const result = importCcxt(ccxtFixture('coin-margined'), { balanceTotal: 'equity' });
    expect(result.book.accounts[0].collateral).toEqual([{ asset: 'BTC', amount: 2.4 - value }]);
    expect(relative(2.4 - value, 2.42506839)).toBeLessThan(1e-8);
    expect(relative(contractEquity(result.book, result.market, 'ccxt-BTC', 'BTC'), 2.4)).toBeLessThan(1e-15);
  });

  it('a USDT-settled perpetual: a USDT total of 10,500 as equity with a long 1 BTC from 95,000 marked 100,000 is 5,500 of cash', () => {
    const result = importCcxt({
      positions: [{ symbol: 'BTC/USDT:USDT', side: 'long', contracts: 1, contractSize: 1, entryPrice: 95_000, markPrice: 100_000 }],
      balance: { USDT: { free: 10_000, used: 500, total: 10_500 } },
      tickers: { 'BTC/USDT:USDT': { symbol: 'BTC/USDT:USDT', timestamp: Date.UTC(2026, 10, 20, 8), markPrice: 100_000, indexPrice: 100_000 } },
    }, { balanceTotal: 'equity' });
    expect(result.book.accounts[0].collateral).toEqual([{ asset: 'USDT', amount: 5_500 }]);
  });

  it("ccxt's deribit structures as its parser gives them (fixtures/ccxt/deribit): total = equity 2.37288181, contracts undefined", () => {
    const result = importCcxt(ccxtFixture('deribit'), { venue: 'deribit' });
    expect(result.skipped.map((s) => s.path)).toEqual([0, 1, 2, 3].map((i) => `positions.json[${i}].contracts`));
    // no position imported, so nothing to take out: the BTC balance is Deribit's equity, as the account's value
    expect(result.book.accounts).toEqual([{ id: 'ccxt', positions: [], collateral: [{ asset: 'BTC', amount: 2.37288181 }] }]);
  });

  it('refuses a balanceTotal other than cash or equity, by path', () => {
    expect(() => importCcxt(inverseLong, { balanceTotal: 'wallet' as never })).toThrow(/balanceTotal: expected "cash" or "equity", got "wallet"/);
  });
});

describe('importCcxt: a position given twice', () => {
  // a short of 0.8 BTC/USDT:USDT from 92,400, 10,000 USDT, BTC at 91,500
  const short = { symbol: 'BTC/USDT:USDT', side: 'short', contracts: 0.8, contractSize: 1, entryPrice: 92_400, marginMode: 'cross', hedged: false };
  const structures = (...positions: object[]) => ({
    positions, balance: { USDT: { free: 10_000, used: 0, total: 10_000 } },
    tickers: { 'BTC/USDT:USDT': { symbol: 'BTC/USDT:USDT', timestamp: Date.UTC(2026, 10, 20, 8), markPrice: 91_500, indexPrice: 91_500 } },
  });
  const quantities = (result: ReturnType<typeof importCcxt>) => result.book.accounts[0].positions.map((p) => [p.quantity, p.entryPrice]);

  it('the same object twice (in any key order) is refused at the second, naming the first: it was imported as a short of 1.6', () => {
    const reordered = Object.fromEntries(Object.entries(short).reverse());
    for (const again of [short, reordered]) {
      expect(() => importCcxt(structures(short, again))).toThrow(InputError);
      try {
        importCcxt(structures(short, again));
      } catch (error) {
        expect((error as InputError).problems).toEqual([{ path: 'positions.json[1]', message: expect.stringMatching(/^BTC\/USDT:USDT: the same position as positions\.json\[0\], every field alike: it would count its P&L and its requirement twice/) }]);
      }
    }
  });

  it('two that differ are both imported, as documented: long and short in hedge mode, cross and isolated (OKX)', () => {
    const long = { ...short, side: 'long', contracts: 0.5, entryPrice: 91_000, hedged: true };
    expect(quantities(importCcxt(structures({ ...short, hedged: true }, long)))).toEqual([[-0.8, 92_400], [0.5, 91_000]]);
    expect(quantities(importCcxt(structures(short, { ...short, marginMode: 'isolated' })))).toEqual([[-0.8, 92_400], [-0.8, 92_400]]);
  });

  it('a quote field of the wrong type is refused at its path, not read as no price (a string indexPrice had skipped the short)', () => {
    const withText = structures(short);
    withText.tickers['BTC/USDT:USDT'] = { ...withText.tickers['BTC/USDT:USDT'], indexPrice: '91490' as unknown as number };
    expect(() => importCcxt(withText)).toThrow(InputError);
    try {
      importCcxt(withText);
    } catch (error) {
      expect((error as InputError).problems).toEqual([{ path: 'tickers.json["BTC/USDT:USDT"].indexPrice', message: 'expected a finite number or null, got "91490"' }]);
    }
    // null is a venue's "none": the mark then prices BTC as before
    const withNull = structures({ ...short, markPrice: null });
    expect(quantities(importCcxt(withNull))).toEqual([[-0.8, 92_400]]);
    expect(() => importCcxt(structures({ ...short, unrealizedPnl: 'n/a' }))).toThrow(/positions\.json\[0\]\.unrealizedPnl: expected a finite number or null, got "n\/a"/);
  });

  it('a quote filed under another symbol, or a symbol quoted twice, is refused at its path (a hand-merged tickers file had priced BTC at ETH\'s 3,049)', () => {
    const clash = structures(short);
    (clash.tickers as Record<string, object>)['ETH/USDT:USDT'] = { symbol: 'BTC/USDT:USDT', timestamp: Date.UTC(2026, 10, 20, 8), markPrice: 3_050, indexPrice: 3_049 };
    expect(() => importCcxt(clash)).toThrow(/tickers\.json\["ETH\/USDT:USDT"\]\.symbol: "BTC\/USDT:USDT" under the key "ETH\/USDT:USDT": a quote is keyed by its own symbol/);
    const listed = { ...structures(short), tickers: [clash.tickers['BTC/USDT:USDT'], { symbol: 'BTC/USDT:USDT', timestamp: Date.UTC(2026, 10, 20, 8), markPrice: 3_050, indexPrice: 3_049 }] };
    expect(() => importCcxt(listed)).toThrow(/tickers\.json\[1\]\.symbol: "BTC\/USDT:USDT" again \(first at tickers\.json\[0\]\): one quote per symbol/);
  });

  it('an option or structure field it does not know is refused at its path (a misspelt venu read every total as cash)', () => {
    expect(() => importCcxt(structures(short), { venu: 'binance' } as never)).toThrow(/options\.venu: unknown field \(did you mean "venue"\?\)/);
    expect(() => importCcxt({ ...structures(short), venue: 'binance' } as never)).toThrow(/structures\.venue: unknown field/);
  });

  it('an open linear position at entry 0 is refused at its entryPrice (it counted its whole notional as profit: equity 55,800 for 10,800)', () => {
    expect(() => importCcxt(structures({ ...short, entryPrice: 0 }))).toThrow(/positions\.json\[0\]\.entryPrice: 0 is not > 0: an open BTC\/USDT:USDT position at entry 0 would count its whole notional as profit/);
  });

  it('a flat position listed twice counts nothing and is not refused (hedge-mode flat sides saved without info)', () => {
    const flat = { symbol: 'ETH/USDT:USDT', contracts: 0, contractSize: 1, hedged: true };
    expect(quantities(importCcxt(structures(short, flat, flat)))).toEqual([[-0.8, 92_400]]);
  });
});

describe("importCcxt: a ticker's timestamp that no valuation time can be", () => {
  const structures = (timestamp: number) => ({
    positions: [{ symbol: 'BTC/USDT:USDT', side: 'long', contracts: 1, contractSize: 1, entryPrice: 95_000 }],
    balance: { USDT: { free: 10_000, used: 0, total: 10_000 } },
    tickers: { 'BTC/USDT:USDT': { symbol: 'BTC/USDT:USDT', timestamp, markPrice: 100_000, indexPrice: 100_000 } },
  });

  it("1e20 ms is refused at the ticker's timestamp (it threw a RangeError from toISOString); year 9999's last ms is kept", () => {
    expect(() => importCcxt(structures(1e20))).toThrow(/tickers\.json\["BTC\/USDT:USDT"\]\.timestamp: 100000000000000000000 is not a time a market can state/);
    // Date.UTC(9999, 11, 31, 23, 59, 59, 999) = 253,402,300,799,999
    expect(importCcxt(structures(253_402_300_799_999)).market.valuationTime).toBe('9999-12-31T23:59:59.999Z');
  });
});

describe('importCcxt: a contract expiring at the valuation time', () => {
  it('is imported with 0 years to expiry, as the library admits it (it was skipped as expired)', () => {
    const at = Date.UTC(2026, 10, 20, 8); // Deribit's expiry hour on 20 Nov 2026
    const result = importCcxt({
      positions: [{ symbol: 'BTC/USD:BTC-261120', side: 'long', contracts: 100, contractSize: 10, entryPrice: 95_000, markPrice: 100_000 }],
      balance: { BTC: { free: 1, used: 0, total: 1 } },
      tickers: { 'BTC/USD:BTC-261120': { symbol: 'BTC/USD:BTC-261120', timestamp: at, markPrice: 100_000, indexPrice: 100_000 } },
    }, { venue: 'deribit' });
    expect(result.skipped).toEqual([]);
    expect(result.book.instruments.map((i) => i.expiry)).toEqual(['2026-11-20T08:00:00Z']);
    expect(result.market.valuationTime).toBe('2026-11-20T08:00:00Z');
  });
});
