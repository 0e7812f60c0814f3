/**
 * What the Deribit import checks before it hands a book over (docs/data-import.md, "Checked before writing"): an
 * instrument repeated in get_positions, each currency's equity against the venue's `equity`, and the library's own
 * validation of the book and market, each refusal at the path of the venue's field. The responses are the fixtures'
 * (fixtures/README.md, data/examples/deribit-usdc/), changed by hand one field at a time.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { InputError, type InputProblem } from '../../src/errors.js';
import { type DeribitResponses, importDeribit } from '../../src/import/deribit/index.js';
import { deribitFixture } from './fixtures.js';

const engine = await createEngine({ backend: 'js' });

/** The problems of the InputError `importDeribit(input)` throws (fails when it returns or throws anything else). */
function refusal(input: DeribitResponses): readonly InputProblem[] {
  try {
    importDeribit(input);
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  throw new Error('expected an InputError');
}

type Response = { jsonrpc: string; id: unknown; result: Record<string, unknown> };
type Positions = { jsonrpc: string; id: unknown; result: Record<string, unknown>[] };

/** The USDC account (docs/data-import.md's worked example) with its summary's and its one position's fields changed. */
function usdc(summary: Record<string, unknown> = {}, ...positions: Record<string, unknown>[]): DeribitResponses {
  const saved = deribitFixture('usdc-account');
  const s = saved.accountSummary as Response, p = saved.positions as Positions;
  return {
    ...saved,
    accountSummary: { ...s, result: { ...s.result, ...summary } },
    positions: positions.length === 0 ? p : { ...p, result: positions.map((changes) => ({ ...p.result[0], ...changes })) },
  };
}

describe('an instrument quoted twice in one file', () => {
  it('two tickers of the USDC perpetual are refused at the second (an older one saved after had been taken)', () => {
    const saved = usdc();
    const tickers = saved.ticker as Response[];
    const older = { ...tickers[0], result: { ...tickers[0].result, mark_price: 80_000, timestamp: (tickers[0].result.timestamp as number) - 3_600_000 } };
    expect(refusal({ ...saved, ticker: [...tickers, older] })).toEqual([{
      path: 'ticker.json[1].result.instrument_name',
      message: '"BTC_USDC-PERPETUAL" again (first at ticker.json[0].result): one quote per instrument in a file',
    }]);
  });
});

describe('a position repeated in get_positions', () => {
  it("the tester's case: the USDC perpetual twice is refused at the second entry, naming the first (it was imported, margined at equity 25,322.25 and IM 815.15)", () => {
    expect(refusal(usdc({}, {}, {}))).toEqual([{
      path: 'get_positions.json.result[1].instrument_name',
      message: '"BTC_USDC-PERPETUAL" again (get_positions.json.result[0]): Deribit reports one position per instrument; save each currency\'s get_positions once',
    }]);
  });

  it('also across responses: the BTC perpetual in two saved get_positions responses', () => {
    const coin = deribitFixture('coin-account');
    const saved = coin.positions as Positions;
    const problems = refusal({ ...coin, positions: [saved, { ...saved, id: 2, result: [saved.result[0]] }] });
    expect(problems).toEqual([{
      path: 'get_positions.json[1].result[0].instrument_name',
      message: '"BTC-PERPETUAL" again (get_positions.json[0].result[0]): Deribit reports one position per instrument; save each currency\'s get_positions once',
    }]);
  });
});

describe("each currency's equity against the venue's", () => {
  it("the fixtures: the engine's equity of the imported book is the venue's", () => {
    for (const [name, account, equity] of [['usdc-account', 'deribit-USDC', 25154.875], ['cross-collateral', 'deribit', 120363]] as const) {
      const imported = importDeribit(deribitFixture(name));
      const row = engine.margin(imported.book, imported.market, { method: 'cross' }).accounts.find((a) => a.id === account)!;
      expect(Math.abs(row.equity - equity)).toBeLessThanOrEqual(1e-9 * equity);
    }
  });

  it('an equity the book does not make is refused at the summary, with both figures', () => {
    // 25154.9: as if a position of 0.025 USDC of session P&L were missing from get_positions
    expect(refusal(usdc({ equity: 25154.9 }))).toEqual([{
      path: 'get_account_summary.json.result.equity',
      message: "the venue's USDC equity 25154.9 is not the imported book's 25154.875 (off by -0.025, beyond the rounding tolerance 0.000026): balance + futures_session_rpl + each future's session P&L + each option's size × mark must make it; save get_account_summary and get_positions at the same time, each position once",
    }]);
  });

  it('to the venue\'s rounding: the BTC account\'s equity 1e-8 off (its last printed digit) passes, 1e-6 off is refused', () => {
    const coin = deribitFixture('coin-account');
    const s = coin.accountSummary as Response;
    const withEquity = (equity: number) => ({ ...coin, accountSummary: { ...s, result: { ...s.result, equity } } });
    expect(() => importDeribit(withEquity(2.37288182))).not.toThrow();
    expect(() => importDeribit(withEquity(2.37288180))).not.toThrow();
    expect(refusal(withEquity(2.37288281)).map((p) => p.path)).toEqual(['get_account_summary.json.result.equity']);
  });

  it('a negative balance (the OpenAPI sets it no minimum; Deribit\'s insurance fund resets a negative account) is imported as a liability when the equity adds up, and refused when it does not', () => {
    // −100 − 12.5 + 0.5·(91515 − 91180.25) = 54.875
    const imported = importDeribit(usdc({ balance: -100, equity: 54.875 }));
    expect(imported.book.accounts[0].collateral).toEqual([{ asset: 'USDC', amount: -112.5 }]);
    expect(imported.notes).toContainEqual({ path: 'get_account_summary.json.result.balance', message: "negative (-100 USDC): written as a negative balance, a liability at full value, as the venue's equity counts it" });
    const row = engine.margin(imported.book, imported.market, { method: 'cross' }).accounts[0];
    expect(row.equity).toBeCloseTo(54.875, 9);
    // the balance changed and the equity not: the figures disagree by the 25,100 USDC the balance moved
    expect(refusal(usdc({ balance: -100 }))).toEqual([expect.objectContaining({ path: 'get_account_summary.json.result.equity', message: expect.stringMatching(/^the venue's USDC equity 25154\.875 is not the imported book's 54\.875 /) })]);
  });
});

describe('the book and market pass the validation `margin` runs, else the refusal is at the venue\'s field', () => {
  it("size 1e300 (the book's quantity, which `margin` refused at accounts[0].positions[0].quantity) at get_positions' size", () => {
    expect(refusal(usdc({}, { size: 1e300, size_currency: 1e300 }))).toEqual([
      { path: 'get_positions.json.result[0].size', message: '1e+300 is above the largest quantity 1e12 (imported as accounts[0].positions[0].quantity)' },
    ]);
  });

  it('a mark and an index price out of the price domain: at the ticker and the index response', () => {
    const saved = deribitFixture('usdc-account');
    const [ticker] = saved.ticker as Response[];
    const [index] = saved.indexPrice as Response[];
    expect(refusal({ ...saved, ticker: [{ ...ticker, result: { ...ticker.result, mark_price: 1e300 } }] })).toEqual([
      { path: 'ticker.json[0].result.mark_price', message: '1e+300 is above the largest price 1e12 (imported as market.marks["BTC_USDC-PERPETUAL"])' },
    ]);
    expect(refusal({ ...saved, indexPrice: [{ ...index, result: { index_price: 1e300 } }] })).toEqual([
      { path: 'get_index_price.json[0].result.index_price', message: '1e+300 is above the largest price 1e12 (imported as market.assets.BTC.price)' },
    ]);
    // an index price of 0 is said once, at its response: not also "no index price for BTC"
    expect(refusal({ ...saved, indexPrice: [{ ...index, result: { index_price: 0 } }] })).toEqual([
      { path: 'get_index_price.json[0].result.index_price', message: 'not positive (0)' },
    ]);
  });

  it("mark IVs out of the vol domain: at each option quote's mark_iv, the asset's vol at the quote it was taken from", () => {
    const coin = deribitFixture('coin-account');
    const summaries = coin.bookSummary as Positions;
    const bookSummary = { ...summaries, result: summaries.result.map((q) => (q.mark_iv !== undefined ? { ...q, mark_iv: 1e9 } : q)) };
    expect(refusal({ ...coin, bookSummary })).toEqual([
      { path: 'get_book_summary_by_currency.json.result[2].mark_iv', message: '10000000 is above the largest vol 3000 (imported as market.assets.BTC.vol)' },
      { path: 'get_book_summary_by_currency.json.result[4].mark_iv', message: '10000000 is above the largest vol 3000 (imported as market.impliedVols["BTC-25DEC26-100000-C"])' },
      { path: 'get_book_summary_by_currency.json.result[5].mark_iv', message: '10000000 is above the largest vol 3000 (imported as market.impliedVols["BTC-25DEC26-110000-C"])' },
    ]);
  });
});

describe('an instrument quoted by both the ticker and the book summary', () => {
  it('takes the ticker\'s quote and says so, with how far the two marks were apart', () => {
    // a book summary of the ticker's instrument at twice the ticker's mark: 50% apart
    const saved = deribitFixture('usdc-account');
    const [ticker] = saved.ticker as Response[];
    const name = (ticker.result as { instrument_name: string }).instrument_name, mark = (ticker.result as { mark_price: number }).mark_price;
    const bookSummary = { jsonrpc: '2.0', result: [{ instrument_name: name, mark_price: mark * 2, creation_timestamp: (ticker.result as { timestamp: number }).timestamp }] };
    const imported = importDeribit({ ...saved, bookSummary });
    expect(imported.market.marks![name]).toBe(mark);
    expect(imported.notes).toContainEqual({ path: 'ticker.json', message: '1 instrument is quoted by both the ticker and the book summary: the ticker\'s quote is taken (their marks differ by up to 50.0%)' });
  });
});

describe("a quote's timestamp that no valuation time can be", () => {
  const saved = deribitFixture('usdc-account');
  const [ticker] = saved.ticker as Response[];
  const at = (timestamp: unknown): DeribitResponses => ({ ...saved, ticker: [{ ...ticker, result: { ...ticker.result, timestamp } }] });

  it('1e20 ms (about 3 billion years: Date has no such day) and 1.5 ms are refused at the ticker\'s timestamp; it threw a RangeError', () => {
    for (const ms of [1e20, 1.5]) {
      expect(refusal(at(ms))).toEqual([{ path: 'ticker.json[0].result.timestamp', message: expect.stringMatching(new RegExp(`^${String(ms).replace(/[.+]/g, '\\$&')} is not a time a market can state`)) }]);
    }
  });

  it("the last millisecond of year 9999 is a valuation time (market.json's four-digit year), the next one is not", () => {
    // Date.UTC(9999, 11, 31, 23, 59, 59, 999) = 253,402,300,799,999
    expect(importDeribit(at(253_402_300_799_999)).market.valuationTime).toBe('9999-12-31T23:59:59.999Z');
    expect(refusal(at(253_402_300_800_000)).map((p) => p.path)).toEqual(['ticker.json[0].result.timestamp']);
  });

  it('a ticker without its mark_price is one problem, not also "no timestamp" (its timestamp is there)', () => {
    const { mark_price: _, ...noMark } = ticker.result as Record<string, unknown>;
    expect(refusal({ ...saved, ticker: [{ ...ticker, result: noMark }] }).map((p) => p.path)).toEqual(['ticker.json[0].result.mark_price']);
  });

  it('a field read as optional (mark_iv, index_price, …) of another type than a number or null is refused, not read as none', () => {
    const field = (key: string, value: unknown): DeribitResponses => ({ ...saved, ticker: [{ ...ticker, result: { ...ticker.result, [key]: value } }] });
    expect(refusal(field('mark_iv', '54.1'))).toEqual([{ path: 'ticker.json[0].result.mark_iv', message: 'expected a finite number or null, got "54.1"' }]);
    expect(refusal(field('index_price', true))).toEqual([{ path: 'ticker.json[0].result.index_price', message: 'expected a finite number or null, got true' }]);
  });
});

describe('index responses name their coin', () => {
  const index = (id: string, price: number) => ({ jsonrpc: '2.0', id, result: { estimated_delivery_price: price, index_price: price } });

  it('an eth_usd index never prices BTC, even as the one response left (it priced BTC at 3,000 in silence)', () => {
    expect(refusal({ ...usdc(), indexPrice: [index('eth_usd', 3_000)] })).toEqual([
      { path: 'get_index_price.json', message: 'no index price for BTC (request public/get_index_price with index_name btc_usd)' },
    ]);
  });

  it('a second btc_usd index is refused, naming both (the last one was taken)', () => {
    expect(refusal({ ...usdc(), indexPrice: [index('btc_usd', 91_500), index('btc_usd', 50_000)] })).toEqual([
      { path: 'get_index_price.json[1].result', message: 'a second BTC index (btc_usd: 50000; the first, get_index_price.json[0].result: 91500): one index per coin' },
    ]);
  });

  it('a stablecoin index: near 1 noted (the coin is written as USD at par), off par refused', () => {
    const near = importDeribit({ ...usdc(), indexPrice: [index('btc_usd', 91_500), index('usdc_usd', 0.9995)] });
    expect(near.notes).toContainEqual({ path: 'get_index_price.json[1].result', message: 'the usdc_usd index (0.9995): USDC is written as USD at par' });
    expect(near.notes).toContainEqual({ path: 'get_account_summary.json.result', message: 'USDC-settled contracts and USDC balances are written as USD: Deribit values USDC at par' });
    expect(refusal({ ...usdc(), indexPrice: [index('btc_usd', 91_500), index('usdc_usd', 0.95)] })).toEqual([
      { path: 'get_index_price.json[1].result.index_price', message: 'USDC at 0.95 USD is not at par: the import writes USDC balances and USDC-settled contracts as USD at 1 (within 1%); convert them first, or leave the index out' },
    ]);
  });

  it('within 1% is inclusive: 1.01 and 0.99 are noted (1.01 − 1 is 0.010000000000000009 in doubles), 1.0101 refused', () => {
    for (const price of [1.01, 0.99]) {
      const at = importDeribit({ ...usdc(), indexPrice: [index('btc_usd', 91_500), index('usdc_usd', price)] });
      expect(at.notes).toContainEqual({ path: 'get_index_price.json[1].result', message: `the usdc_usd index (${price}): USDC is written as USD at par` });
    }
    expect(refusal({ ...usdc(), indexPrice: [index('btc_usd', 91_500), index('usdc_usd', 1.0101)] })[0].path).toBe('get_index_price.json[1].result.index_price');
  });
});

describe('a timestamp of another type', () => {
  it('a ticker timestamp given as a string is refused at its path (it was read as absent)', () => {
    const saved = usdc();
    const tickers = saved.ticker as Response[];
    const text = [{ ...tickers[0], result: { ...tickers[0].result, timestamp: String(tickers[0].result.timestamp) } }];
    expect(refusal({ ...saved, ticker: text })).toContainEqual({ path: 'ticker.json[0].result.timestamp', message: `expected whole epoch milliseconds or null, got "${tickers[0].result.timestamp}"` });
  });
});

describe('a mark_iv far from the vol its mark implies', () => {
  it('is noted (mark_iv 0.529 instead of 52.9: the vol read, not the mark, drives portfolio and deribit margin); consistent quotes are not', () => {
    const coin = deribitFixture('coin-account');
    expect(importDeribit(coin).notes.filter((n) => n.message.includes('is far from'))).toEqual([]);
    const summaries = coin.bookSummary as { result: Record<string, unknown>[] };
    const result = summaries.result.map((q) => (q.instrument_name === 'BTC-25DEC26-100000-C' ? { ...q, mark_iv: 0.529 } : q));
    const notes = importDeribit({ ...coin, bookSummary: { ...summaries, result } }).notes.filter((n) => n.message.includes('is far from'));
    expect(notes).toHaveLength(1);
    expect(notes[0].message).toMatch(/^BTC-25DEC26-100000-C: mark_iv 0\.529 is far from the 5\d\.\d\d% its mark_price 0\.0322 implies at the index 91500: the methods that revalue options read the vol$/);
  });
});

describe('an inverse future\'s size', () => {
  it('that is no whole number of its 10 USD contracts is refused at its path (12,005 was imported as 1,200.5 contracts)', () => {
    const coin = deribitFixture('coin-account');
    const saved = coin.positions as Positions;
    const result = saved.result.map((p, k) => (k === 0 ? { ...p, size: 12_005 } : p));
    expect(refusal({ ...coin, positions: { ...saved, result } })).toContainEqual({ path: 'get_positions.json.result[0].size', message: "12005 USD is not a whole number of BTC-PERPETUAL's 10 USD contracts" });
  });
});

describe('an equity refusal names what was skipped beside it', () => {
  it('a BTC future saved as ETH-26MAR27 among the BTC positions: skipped for no ETH summary, and the BTC equity refusal says so', () => {
    const coin = deribitFixture('coin-account');
    const saved = coin.positions as Positions;
    const result = saved.result.map((p, k) => (k === 1 ? { ...p, instrument_name: 'ETH-26MAR27' } : p));
    const problems = refusal({ ...coin, positions: { ...saved, result } });
    const equity = problems.find((p) => p.path.endsWith('.equity'))!;
    expect(equity.message).toMatch(/; not imported from the same response: get_positions\.json\.result\[1\]\S* \(.*no account summary for ETH.*\): a position of another currency saved there keeps its P&L in this equity$/);
  });
});

describe("a cross-collateral account's venue equity", () => {
  it('summed over its summaries (no total_equity_usd) names every summary it sums, not the first', () => {
    const cross = deribitFixture('cross-collateral');
    const summaries = (cross.accountSummary as Response[]).map((s) => ({ ...s, result: { ...s.result, total_equity_usd: undefined } }));
    const imported = importDeribit({ ...cross, accountSummary: summaries });
    expect(imported.venueEquity.map((e) => e.path)).toEqual(['get_account_summary.json[0].result.equity + get_account_summary.json[1].result.equity + get_account_summary.json[2].result.equity']);
  });
});
