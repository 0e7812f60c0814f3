/**
 * The Deribit adapter on responses written from the venue's API documentation (fixtures/README.md): instruments from
 * their names, units as the OpenAPI schema states them, and each account's equity equal to the venue's `equity`.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { yearsBetween } from '../../src/model/time.js';
import { optionPrice } from '../../src/greeks/one-option.js';
import { importDeribit } from '../../src/import/deribit/index.js';
import { parseDeribitName } from '../../src/import/deribit/names.js';
import { contractEquity, deribitFixture } from './fixtures.js';

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('Deribit instrument names', () => {
  it('reads perpetuals, futures, options, linear contracts and decimal strikes', () => {
    expect(parseDeribitName('BTC-PERPETUAL')).toMatchObject({ kind: 'perpetual', base: 'BTC', settlement: 'BTC', inverse: true });
    expect(parseDeribitName('BTC-27DEC26')).toMatchObject({ kind: 'future', expiryMs: Date.UTC(2026, 11, 27, 8) });
    expect(parseDeribitName('BTC-27DEC26-100000-C')).toMatchObject({ kind: 'option', strike: 100000, right: 'call', settlement: 'BTC' });
    expect(parseDeribitName('BTC_USDC-PERPETUAL')).toMatchObject({ kind: 'perpetual', base: 'BTC', settlement: 'USDC', inverse: false });
    expect(parseDeribitName('XRP_USDC-30JUN27-0d625-P')).toMatchObject({ kind: 'option', strike: 0.625, right: 'put', settlement: 'USDC' });
  });

  it('says why a name is not a future, perpetual or option', () => {
    expect(parseDeribitName('BTC_USDC')).toEqual({ error: 'BTC_USDC is a spot pair: spot holdings are balances, not positions' });
    expect(parseDeribitName('BTC-FS-27DEC26_PERP')).toHaveProperty('error');
    expect(parseDeribitName('BTC-31FEB27')).toHaveProperty('error');
    expect(parseDeribitName('BTC-27DEC26-1e5-C')).toHaveProperty('error');
  });
});

describe('importDeribit: a BTC account (inverse perpetual and future, BTC call spread)', () => {
  const result = importDeribit(deribitFixture('coin-account'));
  const { book, market } = result;

  it('writes the contracts as coin-settled, in contracts of 10 USD, and the account in BTC', () => {
    expect(result.skipped).toEqual([]);
    expect(book.instruments).toEqual([
      { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' },
      { id: 'BTC-26MAR27', kind: 'future', underlying: 'BTC', multiplier: 10, expiry: '2027-03-26T08:00:00Z', settlement: 'BTC' },
      { id: 'BTC-25DEC26-100000-C', kind: 'option', underlying: 'BTC', multiplier: 1, right: 'call', strike: 100000, expiry: '2026-12-25T08:00:00Z', settlement: 'BTC' },
      { id: 'BTC-25DEC26-110000-C', kind: 'option', underlying: 'BTC', multiplier: 1, right: 'call', strike: 110000, expiry: '2026-12-25T08:00:00Z', settlement: 'BTC' },
    ]);
    // size 12000 USD = 1200 contracts of 10 USD; a sell of 5000 USD = −500; options: size in BTC, entry in BTC
    // the perpetual was open at the last settlement (its floating P&L runs from settlement_price 91180.25), the
    // future was opened in the session (from average_price 93210.5)
    expect(book.accounts).toEqual([{
      id: 'deribit-BTC', marginCurrency: 'BTC',
      collateral: [{ asset: 'BTC', amount: 2.4 + 0.00125 }], // balance + futures_session_rpl
      positions: [
        { instrument: 'BTC-PERPETUAL', quantity: 1200, entryPrice: 91180.25 },
        { instrument: 'BTC-26MAR27', quantity: -500, entryPrice: 93210.5 },
        { instrument: 'BTC-25DEC26-100000-C', quantity: -1.5, entryPrice: 0.024 },
        { instrument: 'BTC-25DEC26-110000-C', quantity: 1.5, entryPrice: 0.009 },
      ],
    }]);
  });

  it('prices BTC at the btc_usd index, marks as quoted, mark IVs from percent to decimals', () => {
    expect(market.valuationTime).toBe('2026-11-20T10:15:00Z');
    expect(market.assets).toEqual({ BTC: { price: 91500, vol: 0.548 } }); // vol: BTC-25DEC26-90000-C, nearest the money at 35 days
    expect(market.marks).toEqual({ 'BTC-PERPETUAL': 91520.5, 'BTC-26MAR27': 93050, 'BTC-25DEC26-100000-C': 0.0322, 'BTC-25DEC26-110000-C': 0.0129 });
    expect(market.impliedVols).toEqual({ 'BTC-25DEC26-100000-C': 0.529, 'BTC-25DEC26-110000-C': 0.541 });
  });

  it("has the venue's equity, in BTC and in USD at the index, to 1e-9", () => {
    // Deribit's equity 2.37288181 BTC = balance 2.4 + futures_session_rpl 0.00125
    //   + 12000·(1/91180.25 − 1/91520.5) [perpetual, 0.00048928] − 5000·(1/93210.5 − 1/93050) [future, 0.00009253]
    //   − 1.5·0.0322 + 1.5·0.0129 [options value, −0.02895]
    const [venue] = result.venueEquity;
    expect(venue).toEqual({ account: 'deribit-BTC', currency: 'BTC', equity: 2.37288181, equityUsd: 2.37288181 * 91500, path: 'get_account_summary.json.result.equity' });
    expect(relative(contractEquity(book, market, 'deribit-BTC', 'BTC'), 2.37288181)).toBeLessThan(1e-9);
    expect(relative(contractEquity(book, market, 'deribit-BTC', 'USD'), 217118.685615)).toBeLessThan(1e-9);
  });
});

describe('importDeribit: a USDC account (linear perpetual)', () => {
  const result = importDeribit(deribitFixture('usdc-account'));

  it('writes USDC contracts and balances as USD ones (Deribit values USDC at par), the entry its session P&L runs from', () => {
    expect(result.skipped).toEqual([]);
    expect(result.book).toEqual({
      instruments: [{ id: 'BTC_USDC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 1 }],
      accounts: [{ id: 'deribit-USDC', collateral: [{ asset: 'USDC', amount: 24987.5 }], positions: [{ instrument: 'BTC_USDC-PERPETUAL', quantity: 0.5, entryPrice: 91180.25 }] }],
    });
    expect(result.notes.map((n) => n.message)).toContain('USDC-settled contracts and USDC balances are written as USD: Deribit values USDC at par');
  });

  it("has the venue's equity: 25000 − 12.5 + 0.5·(91515 − 91180.25) = 25154.875 USDC", () => {
    expect(result.venueEquity).toEqual([{ account: 'deribit-USDC', currency: 'USDC', equity: 25154.875, equityUsd: 25154.875, path: 'get_account_summary.json.result.equity' }]);
    expect(relative(contractEquity(result.book, result.market, 'deribit-USDC', 'USD'), 25154.875)).toBeLessThan(1e-9);
  });
});

describe('importDeribit: a cross-collateral account (BTC, ETH and USDC balances)', () => {
  const result = importDeribit(deribitFixture('cross-collateral'));

  it('makes one account holding every currency, margined in USD, priced by the named indices', () => {
    expect(result.book.accounts).toEqual([{
      id: 'deribit',
      collateral: [{ asset: 'BTC', amount: 0.75 }, { asset: 'ETH', amount: 12 }, { asset: 'USDC', amount: 14996.8 }],
      positions: [{ instrument: 'BTC_USDC-PERPETUAL', quantity: -0.8, entryPrice: 91180.25 }, { instrument: 'ETH_USDC-PERPETUAL', quantity: 10, entryPrice: 3010.5 }],
    }]);
    expect(result.market.assets).toEqual({ BTC: { price: 91500, vol: 0 }, ETH: { price: 3050.25, vol: 0 }, USDC: { price: 1, vol: 0 } });
  });

  it("has the venue's total_equity_usd: 0.75·91500 + 12·3050.25 + 15135 = 120363", () => {
    expect(result.venueEquity).toEqual([{ account: 'deribit', currency: 'USD', equity: 120363, equityUsd: 120363, path: 'get_account_summary.json[0].result.total_equity_usd' }]);
    expect(relative(contractEquity(result.book, result.market, 'deribit', 'USD'), 120363)).toBeLessThan(1e-9);
  });
});

describe('importDeribit: what it does not import is listed with its path', () => {
  const base = deribitFixture('coin-account');
  const positions = base.positions as { result: Record<string, unknown>[] };
  const perp = positions.result[0];
  const withPositions = (...extra: Record<string, unknown>[]) => ({ ...base, positions: { ...positions, result: [...positions.result, ...extra] } });

  it('combos, spot, coins without inverse contracts, flat positions; a contract no quote names is marked at its own mark_price', () => {
    const result = importDeribit(withPositions(
      { ...perp, instrument_name: 'BTC-FS-27DEC26_PERP', kind: 'future_combo' },
      { ...perp, instrument_name: 'BTC_USDC', kind: 'spot' },
      { ...perp, instrument_name: 'SOL-PERPETUAL' },
      { ...perp, instrument_name: 'BTC-25DEC26' },
      { ...perp, instrument_name: 'BTC-26JUN26', size: 0, direction: 'zero' },
    ));
    expect(result.skipped).toEqual([
      { path: 'get_positions.json.result[4].kind', message: 'BTC-FS-27DEC26_PERP: kind "future_combo" is not supported (futures, perpetuals and options are)' },
      { path: 'get_positions.json.result[5].kind', message: 'BTC_USDC: kind "spot" is not supported (futures, perpetuals and options are)' },
      { path: 'get_positions.json.result[6].instrument_name', message: 'SOL-PERPETUAL: no inverse contract size known for SOL (Deribit lists inverse futures on BTC and ETH)' },
    ]);
    expect(result.notes).toContainEqual({ path: 'get_positions.json.result[8]', message: 'BTC-26JUN26: flat (size 0), not imported' });
    expect(result.notes).toContainEqual({ path: 'get_positions.json.result[7].mark_price', message: `BTC-25DEC26: no ticker or book summary quotes it: marked at the position's own mark_price ${perp.mark_price}` });
    expect(result.market.marks!['BTC-25DEC26']).toBe(perp.mark_price);
    // the venue's equity counts what the book leaves out: not compared, and said so
    expect(result.notes).toContainEqual({ path: 'get_account_summary.json.result.equity', message: "BTC: the book's equity is not checked against the venue's: it leaves out the positions listed as skipped" });
    expect(result.book.accounts[0].positions).toHaveLength(5);
  });

  it('an option no quote names: at its own mark_price and the vol that implies at the index, its equity still checked', () => {
    // the short 100,000 call's summary row removed: the position states mark 0.0322 BTC and no vol. At the index 91,500
    // (rate and carry 0, the market's) Black-76 gives 0.0322 × 91,500 = 2,946.3 USD at one vol: the engine prices it
    // back to its rounding, and the venue's equity (which counts it at that mark) is still checked, not skipped
    const summary = base.bookSummary as { result: { instrument_name: string }[] };
    const input = { ...base, bookSummary: { ...summary, result: summary.result.filter((r) => r.instrument_name !== 'BTC-25DEC26-100000-C') } };
    const result = importDeribit(input);
    const full = importDeribit(base);
    expect(result.skipped).toEqual([]);
    expect(result.book).toEqual(full.book);
    expect(result.market.marks!['BTC-25DEC26-100000-C']).toBe(0.0322);
    const vol = result.market.impliedVols!['BTC-25DEC26-100000-C'];
    const years = yearsBetween(Date.parse(result.market.valuationTime), Date.parse('2026-12-25T08:00:00Z'));
    expect(relative(optionPrice(true, 91_500, 100_000, years, vol, 0, 0), 0.0322 * 91_500)).toBeLessThan(1e-12);
    expect(vol).toBeGreaterThan(0.4); // the quoted 52.9% was at the future's 91,710, not the index
    expect(vol).toBeLessThan(0.6);
    expect(result.notes).toContainEqual({ path: 'get_positions.json.result[2].mark_price', message: `BTC-25DEC26-100000-C: no ticker or book summary quotes it: marked at the position's own mark_price 0.0322, at the vol it implies at the index 91500 (${(vol * 100).toPrecision(6)}%)` });
    expect(result.notes.map((n) => n.message)).not.toContainEqual(expect.stringContaining('not checked'));
    expect(result.venueEquity).toEqual(full.venueEquity);
  });

  it('an option whose quote has no mark_iv: at the vol its quoted mark implies at the index, not skipped (its equity still checked)', () => {
    const summary = base.bookSummary as { result: { instrument_name: string; mark_iv?: unknown; mark_price?: number }[] };
    const input = { ...base, bookSummary: { ...summary, result: summary.result.map((r) => (r.instrument_name === 'BTC-25DEC26-100000-C' ? { ...r, mark_iv: null } : r)) } };
    const result = importDeribit(input);
    const full = importDeribit(base);
    expect(result.skipped).toEqual([]);
    expect(result.book).toEqual(full.book);
    const mark = summary.result.find((r) => r.instrument_name === 'BTC-25DEC26-100000-C')!.mark_price!;
    expect(result.market.marks!['BTC-25DEC26-100000-C']).toBe(mark);
    const vol = result.market.impliedVols!['BTC-25DEC26-100000-C'];
    const years = yearsBetween(Date.parse(result.market.valuationTime), Date.parse('2026-12-25T08:00:00Z'));
    expect(relative(optionPrice(true, 91_500, 100_000, years, vol, 0, 0), mark * 91_500)).toBeLessThan(1e-12);
    expect(result.notes).toContainEqual({ path: expect.stringMatching(/\.mark_iv$/), message: `BTC-25DEC26-100000-C: its quote has no mark_iv: marked at its mark_price ${mark}, at the vol it implies at the index 91500 (${(vol * 100).toPrecision(6)}%)` });
    expect(result.venueEquity).toEqual(full.venueEquity);
  });

  it('an option whose own mark implies no vol (1.5 BTC for a call on one BTC) is skipped, with why', () => {
    const summary = base.bookSummary as { result: { instrument_name: string }[] };
    const input = {
      ...base,
      bookSummary: { ...summary, result: summary.result.filter((r) => r.instrument_name !== 'BTC-25DEC26-110000-C') },
      positions: { ...positions, result: positions.result.map((p) => (p.instrument_name === 'BTC-25DEC26-110000-C' ? { ...p, mark_price: 1.5 } : p)) },
    };
    const result = importDeribit(input);
    expect(result.skipped).toEqual([{ path: 'get_positions.json.result[3]', message: 'BTC-25DEC26-110000-C: no ticker or book summary quotes it, and its own mark_price 1.5 implies no vol at the index 91500' }]);
  });

  it('an error response, a size against its direction, a missing field: one InputError with every path', () => {
    const bad = { ...base, accountSummary: { jsonrpc: '2.0', id: 1, error: { code: 13009, message: 'unauthorized' } }, positions: { ...positions, result: [{ ...perp, size: -12000 }, { ...perp, instrument_name: 'BTC-26MAR27', mark_price: undefined }] } };
    const error = (() => {
      try {
        importDeribit(bad);
      } catch (e) {
        return e as InputError;
      }
      throw new Error('expected an InputError');
    })();
    expect(error).toBeInstanceOf(InputError);
    expect(error.problems).toEqual([
      { path: 'get_account_summary.json.error', message: 'the venue answered an error (13009: "unauthorized"): save a successful response' },
      { path: 'get_positions.json.result[0].size', message: 'size -12000 disagrees with direction "buy"' },
      { path: 'get_positions.json.result[1].mark_price', message: 'missing (expected a finite number)' },
    ]);
  });

  it('index prices it cannot attribute: named ids, then a single unknown, then equal to what the positions report', () => {
    const two = { ...deribitFixture('cross-collateral') };
    const renumbered = (two.indexPrice as { result: unknown }[]).map((r, i) => ({ ...r, id: i + 1 }));
    // numeric ids: BTC and ETH are told apart by the positions' index_price… which here are USDC indices (not equal): a problem
    expect(() => importDeribit({ ...two, indexPrice: renumbered })).toThrow(/cannot tell which coin this index price is for/);
    const [btc] = renumbered as { result: { index_price: number } }[];
    expect(() => importDeribit({ ...base, indexPrice: [btc] })).not.toThrow();
  });
});

describe('importDeribit: cross collateral with a coin-settled contract', () => {
  it('keeps the coin that settles contracts in an account of its own, margined in it; the others share the USD account', () => {
    const cross = deribitFixture('cross-collateral');
    const coin = deribitFixture('coin-account');
    const [perp] = (coin.positions as { result: Record<string, unknown>[] }).result;
    const positions = (cross.positions as { result: unknown[] }[]).map((r) => ({ ...r, result: [...r.result, perp] }));
    const ticker = [...(cross.ticker as object[]), { jsonrpc: '2.0', id: 99, result: { instrument_name: 'BTC-PERPETUAL', mark_price: 91520.5, index_price: 91500, timestamp: Date.UTC(2026, 10, 20, 10, 15) } }];
    // the BTC summary's equity counts the perpetual's session P&L (its floating_profit_loss)
    const accountSummary = (cross.accountSummary as { result: Record<string, unknown> }[]).map((r) => (r.result.currency === 'BTC' ? { ...r, result: { ...r.result, equity: 0.75048928, futures_session_upl: 0.00048928 } } : r));
    const result = importDeribit({ ...cross, accountSummary, positions, ticker });
    expect(result.book.accounts.map((a) => [a.id, a.marginCurrency, a.collateral.map((c) => c.asset), a.positions.map((p) => p.instrument)])).toEqual([
      ['deribit-BTC', 'BTC', ['BTC'], ['BTC-PERPETUAL']],
      ['deribit', undefined, ['ETH', 'USDC'], ['BTC_USDC-PERPETUAL', 'ETH_USDC-PERPETUAL']],
    ]);
    expect(result.venueEquity.map((e) => [e.account, e.currency, e.equity])).toEqual([['deribit-BTC', 'BTC', 0.75048928], ['deribit', 'USD', 12 * 3050.25 + 15135]]);
  });
});

describe('importDeribit: fields it does not know', () => {
  it('an option or response field it does not know is refused at its path, not ignored', () => {
    const responses = deribitFixture('coin-account');
    expect(() => importDeribit(responses, { acountPrefix: 'x' } as never)).toThrow(/options\.acountPrefix: unknown field \(did you mean "accountPrefix"\?\)/);
    expect(() => importDeribit({ ...responses, tickers: {} } as never)).toThrow(/responses\.tickers: unknown field \(did you mean "ticker"\?\)/);
  });
});
