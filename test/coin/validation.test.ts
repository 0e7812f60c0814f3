/**
 * Settlement and margin currencies on the input road (src/model/settlement.ts): every bad input is an InputError at
 * its path, with what is wrong and, for a misspelt currency, the nearest name. Valid coin books conform to the book
 * schema and lay out and back again.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, validateBook, validateInputs } from '../../src/index.js';
import { layoutToBook } from '../../src/layout/to-book.js';
import { layoutBook } from '../../src/layout/book-layout.js';
import { HeapAllocator } from '../../src/memory/allocators.js';
import { expectOneProblem, problemLines } from '../support/problems.js';
import { expectConforms } from '../support/schemas.js';
import { COIN_INSTRUMENTS, COIN_METHODS, coinBook, coinMarket, USD_ONLY_METHODS } from '../support/coin-books.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

const BTC_ACCOUNT = { marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 1 }] };

describe('settlement and margin currency: the input domain', () => {
  it('a coin book is valid, conforms to the schema, and lays out and back (inverse entries kept as −1/entry)', () => {
    const json = coinBook(BTC_ACCOUNT, { positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 5_000 }] });
    expectConforms('book', json);
    const book = validateBook(json);
    expect(book.instruments[0]).toEqual({ id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' });
    expect(book.instruments[4]).toEqual({ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC', multiplier: 1 }); // USD: no key
    expect(book.accounts[0].marginCurrency).toBe('BTC');
    expect(book.accounts[1].marginCurrency).toBeUndefined();
    const layout = layoutBook(book, new HeapAllocator());
    expect(layout.positions.column<'f64'>('entryPrice').array[layout.positions.start.array[0]]).toBe(-1 / 100_000);
    expect([layout.marginAsset.array[0], layout.marginAsset.array[1], layout.cashUsd.array[0]]).toEqual([layout.assetIndex('BTC'), -1, 1]);
    expect(layout.collateral.countOf(0)).toBe(0); // a coin account's balance is its cash
    const back = layoutToBook(layout);
    expect(back.accounts[0]).toEqual({ id: 'acct-0', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 1 }], marginCurrency: 'BTC' });
    expect(validateBook(back)).toEqual(book);
  });

  it('refuses a coin-settled option\'s mark given in USD, naming the coin figure it likely meant; admits one in coin', () => {
    const book = coinBook({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-25DEC26-120000-C', quantity: -1, entryPrice: 0.02 }, { instrument: 'BTC-25DEC26-90000-P', quantity: -1, entryPrice: 0.03 }], collateral: [{ asset: 'BTC', amount: 1 }] });
    // a call is worth at most 1 BTC per BTC: 1,500 is USD (0.015 BTC at 100,000)
    expectOneProblem(() => validateInputs(book, coinMarket({ marks: { 'BTC-25DEC26-120000-C': 1_500 } })), 'market.marks["BTC-25DEC26-120000-C"]',
      /^1500 is more than a coin-settled call is worth \(at most 1 BTC per BTC; a mark above 1\.1 is refused\): its mark is in BTC, not USD \(1500 USD would be 0\.015 BTC\)$/);
    // just above the bound with its slack (1.1 × 1): the bound is stated as enforced, and no USD reading is offered
    expectOneProblem(() => validateInputs(book, coinMarket({ marks: { 'BTC-25DEC26-120000-C': 1.11 } })), 'market.marks["BTC-25DEC26-120000-C"]',
      /^1\.11 is more than a coin-settled call is worth \(at most 1 BTC per BTC; a mark above 1\.1 is refused\)$/);
    // a put at most its strike, 0.9 BTC per BTC at 100,000: 1.2 is refused, 0.95 (within a tenth of slack: 0.99) and 0.03 are not
    expectOneProblem(() => validateInputs(book, coinMarket({ marks: { 'BTC-25DEC26-90000-P': 1.2 } })), 'market.marks["BTC-25DEC26-90000-P"]', /\(at most 0\.9 BTC per BTC; a mark above 0\.99 is refused\)$/);
    expect(() => validateInputs(book, coinMarket({ marks: { 'BTC-25DEC26-90000-P': 0.95, 'BTC-25DEC26-120000-C': 0.015 } }))).not.toThrow();
  });

  it('bounds an inverse contract by its face value in USD (quantity × multiplier), not by quantity × multiplier × price', () => {
    const inverse = (quantity: number) => coinBook({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 1 }] });
    // 1e10 contracts of 10 USD: 1e11 USD of face, within 1e15 at any BTC price (it was read as 1e11 × 100,000 = 1e16)
    expect(validateInputs(inverse(1e10), coinMarket()).book.accounts[0].positions[0].quantity).toBe(1e10);
    // 1e12 contracts of 2,000 USD: 2e15 USD of face, above the bound at BTC 1e-6 as at 100,000 (it was accepted at a low price)
    const big = { ...inverse(1e12), instruments: COIN_INSTRUMENTS.map((i) => (i.id === 'BTC-PERPETUAL' ? { ...i, multiplier: 2_000 } : i)) };
    for (const btc of [1e-6, 100_000]) {
      expect(problemLines(() => validateInputs(big, coinMarket({ btc })))).toContain('accounts[0]: the position in BTC-PERPETUAL has a notional of 2000000000000000 USD, above the largest notional 1e15 USD');
    }
  });

  it('rows of an inverse contract net at the harmonic mean of their entries; closing realizes coin into the BTC balance', () => {
    // 1,000 @ 5,000 and 2,000 @ 6,000 contracts of 10 USD: 3,000 / (1,000/5,000 + 2,000/6,000) = 5,625 (Deribit's average)
    const added = validateBook(coinBook({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: 1_000, entryPrice: 5_000 }, { instrument: 'BTC-PERPETUAL', quantity: 2_000, entryPrice: 6_000 }], collateral: [{ asset: 'BTC', amount: 1 }] }));
    expect(added.accounts[0].positions[0].entryPrice).toBeCloseTo(5_625, 9);
    // long 1,000 @ 5,000 closed against a short 1,000 @ 5,500: 10,000 USD × (1/5,000 − 1/5,500) = 0.18181… BTC
    const closed = validateBook(coinBook({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: 1_000, entryPrice: 5_000 }, { instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 5_500 }] }));
    expect(closed.accounts[0].positions[0].quantity).toBe(0);
    expect(closed.accounts[0].collateral).toEqual([{ asset: 'BTC', amount: 10_000 * (1 / 5_000 - 1 / 5_500) }]);
    expect(closed.accounts[0].cashUsd).toBeUndefined();
  });

  it('settlement: a string, nothing for spot, an option settled in its own underlying only, an asset the market prices', () => {
    const instrument = (extra: Record<string, unknown>) => ({ instruments: [{ id: 'X', kind: 'future', underlying: 'BTC', ...extra }], accounts: [{ id: 'a', collateral: [{ asset: 'USDC', amount: 1 }] }] });
    expectOneProblem(() => validateBook(instrument({ settlement: 7 })), 'instruments[0].settlement', /expected "USD" or an asset symbol/);
    expectOneProblem(() => validateBook(instrument({ kind: 'spot', settlement: 'BTC' })), 'instruments[0].settlement', /a spot instrument .* settles nothing/);
    expectOneProblem(() => validateBook(instrument({ kind: 'option', right: 'call', strike: 1, expiry: '2026-12-25T08:00:00Z', underlying: 'ETH', settlement: 'BTC' })), 'instruments[0].settlement', /quanto option, which margin-core does not model/);
    expect(problemLines(() => validateInputs(instrument({ settlement: 'USDX' }), coinMarket()))).toEqual([
      'instruments[0].settlement: unknown asset "USDX" (not in market.assets; did you mean "USDC"?): settle in "USD" or an asset the market prices',
    ]);
    expect(validateBook(instrument({ settlement: 'USD' })).instruments[0]).not.toHaveProperty('settlement');
  });

  it('marginCurrency: unknown names get the nearest; an account holds only instruments settled in its currency', () => {
    expect(problemLines(() => validateBook(coinBook({ ...BTC_ACCOUNT, marginCurrency: 'BTc', collateral: [] })))).toEqual([
      'accounts[0].positions[0].instrument: instrument "BTC-PERPETUAL" is settled in "BTC": an account margined in "BTc" cannot hold it (each settlement currency is margined in an account of its own: give the account marginCurrency "BTC")',
      'accounts[0].marginCurrency: unknown currency "BTc": no instrument of the book settles in it and the account holds none (did you mean "BTC"?)',
    ]);
    // the instrument's settlement misspelt ("btc" for "BTC", which the book knows): one problem for its holders, naming
    // the instrument's field as the other way out
    const misspelt = { ...coinBook(BTC_ACCOUNT, BTC_ACCOUNT), instruments: COIN_INSTRUMENTS.map((ins, i) => (i === 0 ? { ...ins, settlement: 'btc' } : ins)) };
    expect(problemLines(() => validateBook(misspelt))).toEqual([
      'accounts[0].positions[0].instrument: instrument "BTC-PERPETUAL" is settled in "btc": an account margined in "BTC" cannot hold it (each settlement currency is margined in an account of its own: give the account marginCurrency "btc", or if "btc" is a slip for "BTC", correct instruments[0].settlement); 2 positions hold it: accounts[0].positions[0].instrument, accounts[1].positions[0].instrument',
    ]);
    // with the market, which prices no "btc": that is the cause, said alone (an account margined in "btc" could not be
    // margined either); unchanged for a name the market prices (USDC: the other way out stands)
    expect(problemLines(() => validateInputs(misspelt, coinMarket()))).toEqual([
      'instruments[0].settlement: unknown asset "btc" (not in market.assets; did you mean "BTC"?): settle in "USD" or an asset the market prices',
    ]);
    const inUsdc = { ...coinBook(BTC_ACCOUNT), instruments: COIN_INSTRUMENTS.map((ins, i) => (i === 0 ? { ...ins, settlement: 'USDC' } : ins)) };
    expect(problemLines(() => validateInputs(inUsdc, coinMarket()))).toEqual([
      expect.stringMatching(/^accounts\[0\]\.positions\[0\]\.instrument: instrument "BTC-PERPETUAL" is settled in "USDC": an account margined in "BTC" cannot hold it/),
    ]);
    expectOneProblem(() => validateBook(coinBook({ marginCurrency: 3, collateral: [{ asset: 'USDC', amount: 1 }] } as never)), 'accounts[0].marginCurrency', /expected "USD" or an asset symbol/);
    expectOneProblem(() => validateBook(coinBook({ positions: [{ instrument: 'BTC-25DEC26-120000-C', quantity: -1, entryPrice: 0.01 }], collateral: [{ asset: 'USDC', amount: 1 }] })),
      'accounts[0].positions[0].instrument', /settled in "BTC": an account margined in "USD" cannot hold it/);
    expectOneProblem(() => validateBook(coinBook({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 1 }] })),
      'accounts[0].positions[0].instrument', /"BTC-PERP" is settled in "USD": an account margined in "BTC" cannot hold it/);
  });

  it('a settlement one letter from the account\'s currency is another asset, not a slip (USDT held by a USD account)', () => {
    // USDT, USD and USDC are an edit apart and all real: only a difference of case ("btc" for "BTC") is offered as a slip
    const inUsdt = { ...coinBook({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 5_000 }] }), instruments: COIN_INSTRUMENTS.map((ins) => (ins.id === 'BTC-PERP' ? { ...ins, settlement: 'USDT' } : ins)) };
    expect(problemLines(() => validateBook(inUsdt))).toEqual([
      'accounts[0].positions[0].instrument: instrument "BTC-PERP" is settled in "USDT": an account margined in "USD" cannot hold it (each settlement currency is margined in an account of its own: give the account marginCurrency "USDT")',
    ]);
  });

  it('a coin-margined account holds only its coin (no other asset, no location, no cashUsd); an inverse entry is > 0', () => {
    expect(problemLines(() => validateBook(coinBook({ ...BTC_ACCOUNT, collateral: [{ asset: 'BTC', amount: 1 }, { asset: 'USDC', amount: 5 }], cashUsd: 10 })))).toEqual([
      'accounts[0].cashUsd: an account margined in "BTC" keeps its cash as a "BTC" balance in collateral, not as USD',
      'accounts[0].collateral[1].asset: an account margined in "BTC" holds only "BTC" (its cash); hold "USDC" in an account margined in USD or in "USDC"',
    ]);
    expectOneProblem(() => validateBook(coinBook({ ...BTC_ACCOUNT, collateral: [{ asset: 'BTC', amount: 1, location: 'ethereum' } as never] })), 'accounts[0].collateral[0].location', /its cash at the margin account: it has no location/);
    expectOneProblem(() => validateBook(coinBook({ ...BTC_ACCOUNT, positions: [{ instrument: 'BTC-PERPETUAL', quantity: 1, entryPrice: 0 }] })), 'accounts[0].positions[0].entryPrice', /0 is not > 0: an inverse contract's P&L/);
    // 0 is a flat position's entry (netting.ts), as a live session states one a fill closed
    expect(validateBook(coinBook({ ...BTC_ACCOUNT, positions: [{ instrument: 'BTC-PERPETUAL', quantity: 0, entryPrice: 0 }] })).accounts[0].positions).toEqual([{ instrument: 'BTC-PERPETUAL', quantity: 0, entryPrice: 0 }]);
  });

  it('the layout\'s edits and the live session\'s inputs keep the rules, with paths', () => {
    const book = validateBook(coinBook(BTC_ACCOUNT, { id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] }));
    const layout = layoutBook(book, new HeapAllocator());
    expectOneProblem(() => layout.addPosition('acct-0', { instrument: 'BTC-PERP', quantity: 1, entryPrice: 1 }), 'position.instrument', /settled in "USD": an account margined in "BTC"/);
    expectOneProblem(() => layout.addPosition('usd', { instrument: 'BTC-PERPETUAL', quantity: 1, entryPrice: 1 }), 'position.instrument', /settled in "BTC": an account margined in "USD"/);
    expectOneProblem(() => layout.setCollateral('acct-0', 'USDC', 1), 'balance.asset', /holds only "BTC"/);
    layout.setCollateral('acct-0', 'BTC', 2);
    expect(layout.cashUsd.array[0]).toBe(2);
    // adding to an inverse position nets harmonically, in the layout's −1/price
    layout.addPosition('acct-0', { instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 125_000 });
    const slot = layout.positions.start.array[0];
    expect(-1 / layout.positions.column<'f64'>('entryPrice').array[slot]).toBeCloseTo(2_000 / (1_000 / 100_000 + 1_000 / 125_000), 6);

    const live = engine.live(validateBook(coinBook(BTC_ACCOUNT)), validateInputs(coinBook(BTC_ACCOUNT), coinMarket()).market, { method: 'cross' });
    try {
      expect(problemLines(() => live.applyFills([{ account: 'acct-0', instrument: 'BTC-PERPETUAL', quantity: 10, price: 0 }]))).toEqual([
        'fills[0].price: 0 is not > 0: an inverse contract\'s price is USD per coin, its P&L in coin multiplier·(1/entry − 1/price)',
      ]);
      expectOneProblem(() => live.applyTransfers([{ account: 'acct-0', cashUsd: 5 }]), 'transfers[0].cashUsd', /margined in BTC: its cash is BTC/);
      expectOneProblem(() => live.applyTransfers([{ account: 'acct-0', asset: 'ETH', amount: 5 }]), 'transfers[0].asset', /holds only BTC, not ETH/);
      expectOneProblem(() => live.whatIf('acct-0', [{ instrument: 'BTC-PERP', quantity: 1 }]), 'trades[0].instrument', /settled in "USD": account "acct-0" is margined in "BTC"/);
    } finally {
      live.release();
    }
  });

  it('a coin-settled option\'s trade price given in USD is refused as its mark is (fill, what-if, check); one in coin fills', () => {
    // BTC at 100,000: a call is worth at most 1 BTC per BTC (a price above 1.1 refused), the 90,000 put at most
    // 0.9 BTC (above 0.99 refused). 1425 was read as 1,425 BTC a contract: the buyer went to −1,423.76 BTC, the seller
    // was credited 1,425 BTC and reported healthy.
    const live = engine.live(validateBook(coinBook(BTC_ACCOUNT)), validateInputs(coinBook(BTC_ACCOUNT), coinMarket()).market, { method: 'cross' });
    try {
      const before = JSON.stringify(live.report());
      const usd = /1425 is more than a coin-settled call is worth \(at most 1 BTC per BTC; a price above 1\.1 is refused\): its price is in BTC, not USD \(1425 USD would be 0\.01425 BTC\)/;
      expectOneProblem(() => live.applyFills([{ account: 'acct-0', instrument: 'BTC-25DEC26-120000-C', quantity: -1, price: 1425 }]), 'fills[0].price', usd);
      expectOneProblem(() => live.validateFills([{ account: 'acct-0', instrument: 'BTC-25DEC26-120000-C', quantity: 1, price: 1425 }]), 'fills[0].price', usd);
      expectOneProblem(() => live.whatIf('acct-0', [{ instrument: 'BTC-25DEC26-120000-C', quantity: 1, price: 1425 }]), 'trades[0].price', usd);
      expectOneProblem(() => live.check('acct-0', { instrument: 'BTC-25DEC26-120000-C', quantity: -1, price: 1425 }), 'order.price', usd);
      expectOneProblem(() => live.applyFills([{ account: 'acct-0', instrument: 'BTC-25DEC26-90000-P', quantity: 1, price: 1 }]), 'fills[0].price', /1 is more than a coin-settled put is worth \(at most 0\.9 BTC per BTC; a price above 0\.99 is refused\)$/);
      expect(JSON.stringify(live.report())).toBe(before);
      // in coin, within the bound: filled, the premium 0.015 BTC paid
      const cash = live.account('acct-0').equity;
      live.applyFills([{ account: 'acct-0', instrument: 'BTC-25DEC26-120000-C', quantity: 1, price: 0.015 }]);
      expect(live.book().accounts[0].positions).toContainEqual({ instrument: 'BTC-25DEC26-120000-C', quantity: 1, entryPrice: 0.015 });
      expect(live.account('acct-0').equity).toBeLessThan(cash);
    } finally {
      live.release();
    }
  });

  it('a USD-only method (no `coinMargin`) reports a coin-margined account in status error with why; the others margin it', () => {
    const json = coinBook(BTC_ACCOUNT, { id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] });
    expect(USD_ONLY_METHODS.length).toBeGreaterThan(0);
    for (const method of USD_ONLY_METHODS) {
      const report = engine.margin(json, coinMarket(), { method });
      expect(report.accounts[0]).toMatchObject({ id: 'acct-0', status: 'error', error: expect.stringContaining(`the ${method} method margins accounts in USD only`) });
      expect(report.accounts[0].im).toBeNaN();
      expect(report.accounts[1].status).toBe('healthy');
      expect(report.totals.byStatus.error).toBe(1);
      expect(report.totals.im).toBe(report.accounts[1].im);
      // one account's row is the report's, the set-aside one too (a live session and serve's GET /accounts/:id read it)
      const live = engine.live(json, coinMarket(), { method });
      expect(live.account('acct-0')).toEqual(report.accounts[0]);
      expect(() => live.whatIf('acct-0', [{ instrument: 'BTC-PERPETUAL', quantity: 1 }])).toThrow(/margins accounts in USD only/);
      live.release();
    }
    for (const method of COIN_METHODS) expect(engine.margin(json, coinMarket(), { method }).accounts[0].marginCurrency).toBe('BTC');
  });

  it('the instruments list holds every kind a Deribit book has', () => {
    expect(COIN_INSTRUMENTS.map((i) => i.id)).toContain('BTC-25DEC26-90000-P');
  });
});
