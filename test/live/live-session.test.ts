/**
 * The live session: ticks, fills and transfers validated with paths and applied atomically, only exposed
 * accounts re-margined, status-change events hand-computed, a tick the method cannot margin taken back.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, InputError, type StatusChange, validateInputs } from '../../src/index.js';
import { BUILT_IN_METHODS } from '../../src/plugin.js';
import { flatMethod } from '../support/methods/flat/index.js';
import { layoutToBook } from '../../src/layout/to-book.js';
import { book, market } from '../support/margin-books.js';
import { problemLines } from '../support/problems.js';
import { returnsMatrix } from '../support/live.js';
import { wire } from '../support/wire.js';

const BOOK = book(
  { id: 'long', positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 95_000 }], collateral: [{ asset: 'USDC', amount: 30_000 }] },
  { id: 'short-call', positions: [{ instrument: 'BTC-110000-C', quantity: -1, entryPrice: 0 }], collateral: [{ asset: 'USDC', amount: 10_000 }] },
  { id: 'eth', positions: [{ instrument: 'ETH-PERP', quantity: 10, entryPrice: 3_000 }], collateral: [{ asset: 'USDT', amount: 5_000 }] },
  { id: 'cash', collateral: [{ asset: 'USDC', amount: 1_000 }] },
);

async function live(method = 'cross', params?: unknown) {
  const engine = await createEngine({ backend: 'wasm' });
  return engine.live(BOOK, market(), { method, params });
}

describe('ticks', () => {
  it('rejects a bad tick with every problem and its path, changing nothing', async () => {
    const session = await live();
    const before = JSON.stringify(session.report());
    expect(problemLines(() => session.applyTick(wire({
      assets: { BTC: { price: -1, vol: 6000 }, XYZ: { price: 1 }, ETH: { prise: 3 } },
      marks: { 'NOPE-PERP': 1, 'ETH-PERP': 0 },
      impliedVols: { 'BTC-PERP': 0.5, 'BTC-110000-C': Number.NaN },
      when: 'now',
    })))).toEqual([
      'tick.when: unknown field (expected assets, marks, impliedVols)',
      'tick.assets.BTC.price: -1 is negative (a price must be above 0)',
      'tick.assets.BTC.vol: 6000 is above the largest vol 3000',
      'tick.assets.XYZ: unknown asset "XYZ": not in the live market',
      'tick.assets.ETH.prise: unknown field (expected price, vol, rate, carry)',
      'tick.marks["NOPE-PERP"]: unknown instrument "NOPE-PERP": not in the book',
      'tick.marks["ETH-PERP"]: 0 is not positive (a price must be above 0)',
      'tick.impliedVols["BTC-PERP"]: "BTC-PERP" is not an option',
      'tick.impliedVols["BTC-110000-C"]: not a finite number (got NaN)',
    ]);
    expect(problemLines(() => session.applyTick(wire([1])))).toEqual(['tick: expected an object with assets, marks or impliedVols, got an Array']);
    expect(JSON.stringify(session.report())).toBe(before);
    session.release();
  });

  it('re-margins the accounts exposed to what moved and reports their status changes', async () => {
    const session = await live();
    const seen: StatusChange[][] = [];
    session.onStatusChange((events) => seen.push([...events]));
    // ETH moves: only `eth` holds ETH
    const eth = session.applyTick({ assets: { ETH: { price: 3_100 } }, marks: { 'ETH-PERP': 3_100 } });
    expect(eth.remargined).toBe(1);
    expect(session.account('eth').equity).toBe(5_000 + 10 * 100);
    // BTC to 80,300 (and the quoted perp with it): long's equity 30,000 + 2·(80,300 − 95,000) = 600 against
    // MM 50,000·0.4% + 110,600·0.5% = 753: liquidatable; the short call is exposed too, the cash account not: its
    // equity 10,000 − 1,234 (the call's quoted mark) = 8,766 was below IM max(0.15 − 10,000/100,000, 0.1)·100,000 =
    // 10,000 (margin call) and is above IM max(0.15 − 29,700/80,300, 0.1)·80,300 = 8,030 now: healthy
    const btc = session.applyTick({ assets: { BTC: { price: 80_300 } }, marks: { 'BTC-PERP': 80_300 } });
    expect(btc.remargined).toBe(2);
    expect(btc.events.map((e) => [e.account, e.from, e.to])).toEqual([['long', 'healthy', 'liquidatable'], ['short-call', 'margin_call', 'healthy']]);
    expect(btc.events[0].health).toBeCloseTo(600 / 753, 12);
    expect(btc.events[1].health).toBeCloseTo(8_766 / (0.075 * 80_300), 12);
    expect(seen).toEqual([btc.events]);
    expect(session.account('long').status).toBe('liquidatable');
    expect(session.marketJson.assets.BTC.price).toBe(80_300);
    expect(session.marketJson.marks!['BTC-PERP']).toBe(80_300);
    session.release();
  });

  it('takes a tick back when the method cannot margin the new market', async () => {
    const params = { var: { model: 'historical', returns: returnsMatrix(['BTC', 'ETH'], 60, 3) } };
    const session = await live('var', params);
    const before = JSON.stringify(session.report());
    const marketBefore = JSON.stringify(session.marketJson);
    // a vol on USDC makes it a risk factor the returns matrix does not have
    expect(problemLines(() => session.applyTick({ assets: { USDC: { vol: 0.1 }, BTC: { price: 90_000 } } }))).toEqual([
      'params.var.returns.assets: missing "USDC": the book is exposed to it (market vol > 0)',
    ]);
    expect(JSON.stringify(session.marketJson)).toBe(marketBefore);
    expect(JSON.stringify(session.report())).toBe(before);
    // and the session still works
    session.applyTick({ assets: { BTC: { price: 90_000 } } });
    expect(session.marketJson.assets.BTC.price).toBe(90_000);
    session.release();
  });

  it('judges the domain\'s bounds at the market it kept after a tick the method refused', async () => {
    const params = { var: { model: 'historical', returns: returnsMatrix(['BTC', 'ETH'], 60, 3) } };
    const session = await live('var', params);
    session.applyFills([{ account: 'cash', instrument: 'BTC-PERP', quantity: 6e9, price: 100_000 }]); // 6e14 USD
    expect(() => session.applyTick({ assets: { USDC: { vol: 0.1 }, BTC: { price: 160_000 } } })).toThrow(InputError);
    // at the kept 100,000 another 3e9 is 9e14 USD, within the bounds (at 160,000 it would be 1.44e15)
    session.validateFills([{ account: 'cash', instrument: 'BTC-PERP', quantity: 3e9, price: 100_000 }]);
    session.release();
  });
});

describe('fills and transfers', () => {
  it('validates the whole batch first: one bad fill changes nothing', async () => {
    const session = await live();
    const before = JSON.stringify(session.report());
    expect(problemLines(() => session.applyFills(wire([
      { account: 'long', instrument: 'BTC-PERP', quantity: 1, price: 100_000 },
      { account: 'nobody', instrument: 'BTC-PERP', quantity: 1, price: 1 },
      { account: 'long', instrument: 'XYZ', quantity: 0, price: -5, side: 'buy' },
      { account: 'long', instrument: 'ETH-PERP', quantity: Number.POSITIVE_INFINITY, price: 3_000 },
    ])))).toEqual([
      'fills[1].account: no account "nobody" in the book',
      'fills[2].side: unknown field (expected account, instrument, quantity, price)',
      'fills[2].instrument: unknown instrument "XYZ"',
      'fills[2].quantity: zero (a trade has a size; the sign is its side)',
      'fills[2].price: -5 is negative (a trade price must be 0 or at least 1e-12)',
      'fills[3].quantity: not a finite number (got Infinity)',
    ]);
    // a dust size: below the smallest, and never "0 or at least" (a trade of 0 is refused in words of its own)
    expect(problemLines(() => session.applyFills([{ account: 'cash', instrument: 'BTC-PERP', quantity: -1e-13, price: 100_000 }]))).toEqual([
      'fills[0].quantity: -1e-13 is below the smallest quantity 1e-12 in magnitude',
    ]);
    // a price outside the domain is refused at the door (src/model/domain.ts)
    expect(problemLines(() => session.applyFills([{ account: 'cash', instrument: 'BTC-PERP', quantity: -2, price: 1.7e308 }]))).toEqual([
      'fills[0].price: 1.7e+308 is above the largest trade price 1e12',
    ]);
    // a fill that would take the position out of the domain, after good ones on the same account
    expect(problemLines(() => session.applyFills([
      { account: 'cash', instrument: 'BTC-PERP', quantity: 1, price: 100_000 },
      { account: 'cash', instrument: 'BTC-PERP', quantity: 1e12, price: 100_000 }, // 1e12 + 1 contracts
    ]))).toEqual(['fills[1]: the position would leave the domain: 1000000000001 is above the largest quantity 1e12']);
    expect(JSON.stringify(session.report())).toBe(before);
    session.release();
  });

  it('refuses a fill of a future or perpetual at 0 (its whole notional as profit); an option\'s premium of 0 and an order\'s limit of 0 are taken', async () => {
    const session = await live();
    const before = JSON.stringify(session.report());
    expect(problemLines(() => session.applyFills([{ account: 'long', instrument: 'ETH-PERP', quantity: 10, price: 0 }]))).toEqual([
      'fills[0].price: 0 is not > 0: a fill of a future or perpetual at 0 would realize its whole notional as profit',
    ]);
    expect(problemLines(() => session.whatIf('long', [{ instrument: 'BTC-PERP', quantity: -1, price: 0 }]))).toEqual([
      'trades[0].price: 0 is not > 0: a fill of a future or perpetual at 0 would realize its whole notional as profit',
    ]);
    expect(JSON.stringify(session.report())).toBe(before);
    // a worthless option trades at 0; an order's limit of 0 is judged at the mark (check.test.ts)
    expect(session.whatIf('cash', [{ instrument: 'BTC-110000-C', quantity: 1, price: 0 }]).after.equity).toBe(1_000 + 1_234);
    expect(session.check('cash', { instrument: 'BTC-PERP', quantity: 1, price: 0 }).assumedPrice).toBe(100_000);
    session.release();
  });

  it('checks a batch as it would apply it without changing anything (validateFills, validateTransfers); a trial names the request\'s paths', async () => {
    const session = await live();
    const before = JSON.stringify(session.report());
    const netted = [
      { account: 'cash', instrument: 'BTC-PERP', quantity: 6e9, price: 100_000 },
      { account: 'long', instrument: 'BTC-PERP', quantity: 1, price: 100_000 },
      { account: 'cash', instrument: 'BTC-PERP', quantity: 6e9, price: 100_000 },
    ];
    // each fill is within the domain (6e14 USD of notional at 100,000); the first and third netted into one position are
    // not: 1.2e10 contracts, 1.2e15 USD, above the largest notional a fresh run takes (docs/domain.md)
    const beyond = /^fills\[2\]: the position in BTC-PERP has a notional of 12\d{14} USD, above the largest notional 1e15 USD$/;
    expect(problemLines(() => session.validateFills(netted))).toEqual([expect.stringMatching(beyond)]);
    expect(problemLines(() => session.applyFills(netted))).toEqual(problemLines(() => session.validateFills(netted)));
    expect(problemLines(() => session.validateTransfers([{ account: 'cash', cashUsd: 6e14 }, { account: 'cash', cashUsd: 6e14 }]))).toEqual([
      expect.stringMatching(/^transfers\[1\]: the account cash would leave the domain: .* is above the largest cash 1e15$/),
    ]);
    session.validateFills(netted.slice(0, 2)); // a valid batch: nothing thrown, nothing applied
    expect(JSON.stringify(session.report())).toBe(before);
    // a what-if names its trades, a check its order (the trial's own `changes[k]` is the library's name)
    expect(problemLines(() => session.whatIf('cash', [{ cashUsd: 1 }, { instrument: 'BTC-PERP', quantity: 6e9 }, { instrument: 'BTC-PERP', quantity: 6e9 }]))).toEqual([
      expect.stringMatching(/^trades\[2\]: the position in BTC-PERP has a notional of 12\d{14} USD, above the largest notional 1e15 USD$/),
    ]);
    session.applyFills([{ account: 'cash', instrument: 'BTC-PERP', quantity: 6e9, price: 100_000 }]);
    expect(problemLines(() => session.check('cash', { instrument: 'BTC-PERP', quantity: 6e9 }))).toEqual([
      expect.stringMatching(/^order: the position in BTC-PERP has a notional of 12\d{14} USD, above the largest notional 1e15 USD$/),
    ]);
    session.release();
  });

  it('refuses the rise that crosses the bound after rises that did not, however the fills in between moved it', async () => {
    const session = await live();
    session.applyFills([{ account: 'cash', instrument: 'BTC-PERP', quantity: 3e9, price: 100_000 }]); // 3e14 USD
    session.applyTick({ assets: { BTC: { price: 120_000 } } }); // 3.6e14
    session.applyFills([{ account: 'cash', instrument: 'BTC-PERP', quantity: 3e9, price: 120_000 }]); // 7.2e14
    session.applyTick({ assets: { BTC: { price: 110_000 } } }); // a fall: 6.6e14
    session.applyTick({ assets: { BTC: { price: 144_000 } } }); // 8.64e14
    // 172,800: 1.0368e15 USD, refused; 160,000 (9.6e14) taken
    expect(problemLines(() => session.applyTick({ assets: { BTC: { price: 172_800 } } }))).toEqual([
      expect.stringMatching(/^accounts\[3\]: account cash: the position in BTC-PERP has a notional of 1036\d{12} USD, above the largest notional 1e15 USD$/),
    ]);
    session.applyTick({ assets: { BTC: { price: 160_000 } } });
    expect(session.marketJson.assets.BTC.price).toBe(160_000);
    session.release();
  });

  it('checks the session\'s very first tick too (no fill before it), on every backend', async () => {
    // 5e9 BTC-PERP from the book: 5e14 USD at 100,000; BTC at 250,000 is 1.25e15, above the bound
    const whale = book({ id: 'whale', positions: [{ instrument: 'BTC-PERP', quantity: 5e9, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1e14 }] });
    for (const backend of ['js', 'wasm'] as const) {
      const session = (await createEngine({ backend })).live(whale, market(), { method: 'cross' });
      const before = JSON.stringify(session.marketJson);
      expect(problemLines(() => session.applyTick({ assets: { BTC: { price: 250_000 } } }))).toEqual([
        'accounts[0]: account whale: the position in BTC-PERP has a notional of 1250000000000000 USD, above the largest notional 1e15 USD',
      ]);
      expect(JSON.stringify(session.marketJson)).toBe(before);
      session.release();
    }
  });

  it('holds a coin-margined account\'s balance of its own coin (its cash) to the balance bound, as the book it came from', async () => {
    // 1e9 BTC in a BTC-margined account: 9.5e13 USD at 95,000, 2e15 at 2,000,000 (above the 1e15 bound on a balance)
    const coin = {
      instruments: [{ id: 'BTC-INV', kind: 'perpetual', underlying: 'BTC', settlement: 'BTC', multiplier: 10 }],
      accounts: [{ id: 'c', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 1e9 }], positions: [{ instrument: 'BTC-INV', quantity: -1_000, entryPrice: 95_000 }] }],
    };
    const coinMarket = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 95_000, vol: 0.5 } } };
    const engine = await createEngine({ backend: 'js' });
    const session = engine.live(coin, coinMarket, { method: 'cross' });
    // at the path a fresh run of live.book() names: the coin is the book's balance after the others (here the only one)
    const refused = 'accounts[0].collateral[0].amount: account c: 1000000000 BTC is worth 2000000000000000 USD, above the largest balance value 1e15 USD';
    expect(problemLines(() => session.validateTick({ assets: { BTC: { price: 2e6 } } }))).toEqual([refused]);
    expect(problemLines(() => session.applyTick({ assets: { BTC: { price: 2e6 } } }))).toEqual([refused]);
    // the oracle refuses that market too, at that path
    expect(problemLines(() => engine.margin(session.book(), { ...coinMarket, assets: { BTC: { price: 2e6, vol: 0.5 } } }, { method: 'cross' })))
      .toEqual(['accounts[0].collateral[0].amount: 1000000000 BTC is worth 2000000000000000 USD, above the largest balance value 1e15 USD']);
    session.applyTick({ assets: { BTC: { price: 500_000 } } }); // 5e14: within
    expect(session.marketJson.assets.BTC.price).toBe(500_000);
    // a transfer that takes the coin balance beyond it at the market now is refused too
    expect(problemLines(() => session.applyTransfers([{ account: 'c', asset: 'BTC', amount: 1.5e9 }]))).toEqual([
      expect.stringMatching(/^transfers\[0\]: .*2500000000 BTC is worth 1250000000000000 USD, above the largest balance value 1e15 USD/),
    ]);
    session.release();
  });

  it('takes back a tick that would take a position beyond the largest notional, as a fresh run refuses that market', async () => {
    const session = await live();
    session.applyFills([{ account: 'cash', instrument: 'BTC-PERP', quantity: 6e9, price: 100_000 }]); // 6e14 USD
    const before = JSON.stringify(session.report()), marketBefore = JSON.stringify(session.marketJson);
    // BTC at 200,000: 1.2e15 USD of notional (the account's gross value with it)
    expect(problemLines(() => session.applyTick({ assets: { BTC: { price: 200_000 } } }))).toEqual([
      expect.stringMatching(/^accounts\[3\]: account cash: the position in BTC-PERP has a notional of 12\d{14} USD, above the largest notional 1e15 USD$/),
    ]);
    expect([JSON.stringify(session.report()), JSON.stringify(session.marketJson)]).toEqual([before, marketBefore]);
    const engine = await createEngine({ backend: 'js' });
    const moved = structuredClone(session.marketJson);
    moved.assets.BTC.price = 200_000;
    delete moved.marks?.['BTC-PERP'];
    expect(() => engine.margin(layoutToBook(session.layout), moved, { method: 'cross' })).toThrow(InputError); // the oracle refuses it too
    // a fall is taken, and a rise that stays within the bounds
    session.applyTick({ assets: { BTC: { price: 90_000 } } });
    session.applyTick({ assets: { BTC: { price: 150_000 } } });
    expect(session.account('cash').grossNotional).toBeCloseTo(6e9 * 150_000, -3);
    session.release();
  });

  it('a tick that takes several accounts beyond the bounds names every one, as a fresh run lists every problem', async () => {
    const session = await live();
    session.applyFills([{ account: 'long', instrument: 'BTC-PERP', quantity: 4e9, price: 100_000 }]); // 4e14 USD
    session.applyTransfers([{ account: 'cash', asset: 'BTC', amount: 4e9 }]); // 4e14 USD
    const slot = session.book().accounts[3].collateral!.findIndex((b) => b.asset === 'BTC');
    // BTC at 300,000: 1.2e15 each. It had named the first account alone; a balance is named at its path in live.book()
    expect(problemLines(() => session.applyTick({ assets: { BTC: { price: 300_000 } } }))).toEqual([
      expect.stringMatching(/^accounts\[\d\]: account long: the position in BTC-PERP has a notional of 12\d{14} USD/),
      `accounts[3].collateral[${slot}].amount: account cash: 4000000000 BTC is worth 1200000000000000 USD, above the largest balance value 1e15 USD`,
    ]);
    // the oracle: a fresh run of the session's book on that market names the same paths
    const moved = structuredClone(session.marketJson);
    moved.assets.BTC.price = 300_000;
    delete moved.marks?.['BTC-PERP'];
    const engine = await createEngine({ backend: 'js' });
    const fresh = (() => {
      try {
        engine.margin(session.book(), moved, { method: 'cross' });
      } catch (error) {
        return (error as InputError).problems.map((p) => p.path);
      }
      return [];
    })();
    expect(fresh).toEqual([expect.stringMatching(/^accounts\[\d\]$/), `accounts[3].collateral[${slot}].amount`]);
    session.release();
  });

  it('nets fills at average cost and re-margins the account', async () => {
    const session = await live();
    const r = session.applyFills([
      { account: 'long', instrument: 'BTC-PERP', quantity: -3, price: 101_000 }, // 2 close (+12,000 realized), short 1 at 101,000
      { account: 'cash', instrument: 'BTC-90000-P', quantity: 1, price: 900 }, // premium 900 out of cash, put marked 800
    ]);
    expect(r.remargined).toBe(2);
    const long = session.account('long');
    expect(long.cashUsd).toBe(12_000);
    expect(long.equity).toBe(30_000 + 12_000 + 1_000);
    expect(long.positions).toBeUndefined();
    const cash = session.account('cash');
    expect(cash.cashUsd).toBe(-900);
    expect(cash.equity).toBe(1_000 - 900 + 800);
    // the exposure index follows: a BTC tick now reaches `cash`
    expect(session.applyTick({ assets: { BTC: { price: 99_000 } } }).remargined).toBe(3);
    session.release();
  });

  it('applies deposits, withdrawals and cash, and reports the status they change', async () => {
    const session = await live();
    expect(problemLines(() => session.applyTransfers(wire([{ account: 'long', asset: 'DOGE', amount: 5 }, { account: 'long', asset: 'USDC' }])))).toEqual([
      'transfers[0].asset: unknown asset "DOGE": the live book holds and trades BTC, ETH, USDC, USDT',
      'transfers[1].amount: missing (expected a finite number)',
    ]);
    // long: equity 40,000, MM 950 at BTC 100,000; withdrawing 29,500 USDC leaves 10,500 − … : equity 10,500 ≥ IM 1,900 (healthy)
    const ok = session.applyTransfers([{ account: 'long', asset: 'USDC', amount: -29_500 }]);
    expect(ok.events).toEqual([]);
    expect(session.account('long').equity).toBe(10_500);
    // then −10,000 of cash: equity 500 < MM 950 → liquidatable
    const r = session.applyTransfers([{ account: 'long', cashUsd: -10_000 }]);
    expect(r.events.map((e) => [e.account, e.from, e.to])).toEqual([['long', 'healthy', 'liquidatable']]);
    // a BTC deposit to the cash account: 1 BTC at 100,000, 5% IM haircut
    session.applyTransfers([{ account: 'cash', asset: 'BTC', amount: 1 }]);
    expect(session.account('cash').equityIm).toBe(1_000 + 95_000);
    session.release();
  });

  it('answers what-ifs without changing anything', async () => {
    const session = await live('portfolio');
    const before = JSON.stringify(session.report());
    const r = session.whatIf('long', [{ instrument: 'BTC-PERP', quantity: -2 }, { asset: 'USDC', amount: -1_000 }]);
    expect(r.before.im).toBe(session.account('long').im);
    expect(r.after.im).toBe(0); // flat: no scenario loss, no add-on
    expect(r.marginalIm).toBe(-r.before.im);
    expect(r.after.equity).toBe(30_000 + 2 * (100_000 - 95_000) - 1_000); // closed at the mark (default price)
    expect(JSON.stringify(session.report())).toBe(before);
    expect(problemLines(() => session.whatIf('long', wire([{ instrument: 'BTC-PERP' }, { foo: 1 }])))).toEqual([
      'trades[0].quantity: missing (expected a finite number)',
      'trades[1]: expected a trade { instrument, quantity, price? }, a transfer { asset, amount } or { cashUsd }',
    ]);
    // a what-if trade's or an order's price is the trade's, not an entry price the caller never gave
    expect(problemLines(() => session.whatIf('long', [{ instrument: 'BTC-PERP', quantity: 1, price: -5 }]))).toEqual([
      'trades[0].price: -5 is negative (a trade price must be 0 or at least 1e-12)',
    ]);
    expect(problemLines(() => session.check('long', { instrument: 'BTC-PERP', quantity: 1, price: 2e12 }))).toEqual([
      'order.price: 2000000000000 is above the largest trade price 1e12',
    ]);
    expect(() => session.whatIf('nobody', [])).toThrow(InputError);
    session.release();
    expect(() => session.report()).toThrow();
  });
});

describe('a method without marketMoved', () => {
  // IM = 10% of gross notional: a plug-in with no live hooks gets the session's defaults (prepare again on a
  // tick, apply-remargin-undo for what-ifs)
  const gross = flatMethod; // IM = k·gross notional, k 0.1 by default; MM = IM / 2

  it('is prepared again on every tick, with the bits of a fresh session', async () => {
    const engine = await createEngine({ backend: 'wasm', methods: [...BUILT_IN_METHODS, gross] });
    const session = engine.live(BOOK, market(), { method: 'flat' });
    const r = session.applyTick({ assets: { BTC: { price: 90_000 } }, marks: { 'BTC-PERP': 90_000 } });
    expect(r.remargined).toBe(4); // every account: the default re-runs the whole book
    session.applyFills([{ account: 'cash', instrument: 'ETH-PERP', quantity: -3, price: 3_050 }]);
    session.applyTick({ assets: { ETH: { price: 2_900 } } });
    const { book: b, market: m } = validateInputs(layoutToBook(session.layout), session.marketJson);
    expect(JSON.stringify(session.report())).toBe(JSON.stringify(engine.margin(b, m, { method: 'flat' })));
    // 2 BTC-PERP at 90,000: gross 180,000 → IM 18,000
    expect(session.account('long').im).toBe(18_000);
    session.release();
  });
});

describe('opening', () => {
  it('builds the index of account ids while opening, so the first request that names an account does not wait for it', async () => {
    const engine = await createEngine({ backend: 'js' });
    const live = engine.live(book({ id: 'a', collateral: [{ asset: 'USDC', amount: 1 }] }, { id: 'b', collateral: [{ asset: 'USDC', amount: 2 }] }), market());
    try {
      expect((live.layout as unknown as { indexById?: unknown }).indexById).toBeDefined();
      expect(live.account('b').id).toBe('b');
    } finally {
      live.release();
    }
  });
});
