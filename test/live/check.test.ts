/**
 * Pre-trade checks: accept or reject with the reason, and the largest size accepted — exact for rule-based
 * margin (hand-computed from the bracket schedule), to one quantity step by bisection for the others; one step
 * more is always rejected.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, generateSample, type LiveSession } from '../../src/index.js';
import { book, EXPIRY, INSTRUMENTS, market } from '../support/margin-books.js';
import { problemLines } from '../support/problems.js';
import { SAMPLE } from '../support/cli.js';
import { wire } from '../support/wire.js';

const BOOK = book(
  { id: 'cash', collateral: [{ asset: 'USDC', amount: 10_001 }] },
  { id: 'long', positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 30_001 }] },
);

async function live(method: string, limits?: unknown): Promise<LiveSession> {
  const engine = await createEngine({ backend: 'wasm' });
  return engine.live(BOOK, market(), { method, limits });
}

/** The maximum is accepted and one step more is not. */
function expectBoundary(session: LiveSession, account: string, instrument: string, price: number | undefined, max: number, step: number): void {
  const steps = Math.round(max / step);
  const at = (quantity: number) => (price === undefined ? { instrument, quantity } : { instrument, quantity, price });
  expect(session.check(account, at(steps * step)).accepted, `${account} ${instrument} ${steps * step} accepted`).toBe(true);
  expect(session.check(account, at((steps + Math.sign(max)) * step)).accepted, `${account} ${instrument} one step more rejected`).toBe(false);
}

describe('pre-trade check under isolated margin: each position holds its own IM', () => {
  it('rejects an order that leaves its position short of its own IM however rich the account, and finds the largest it accepts', async () => {
    // Flat BTC rates (IM 10%, MM 5%): long 0.1 BTC-PERP at 100,000 with 2,000 allocated, on 50,000 USDC. The position's
    // own IM after buying s at the mark (no P&L) is (0.1 + s)·100,000·10% ≤ 2,000 → s ≤ 0.1, whatever the 48,000 of
    // the rest (an account-wide check, equity for IM 50,000 against IM 11,000 at s = 1, accepted it).
    const b = book({ id: 'iso', positions: [{ instrument: 'BTC-PERP', quantity: 0.1, entryPrice: 100_000, isolatedMargin: 2_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] });
    const engine = await createEngine({ backend: 'wasm' });
    const session = engine.live(b, market(), { method: 'isolated', params: { linear: { BTC: [{ imRate: 0.1, mmRate: 0.05 }] } } });
    const big = session.check('iso', { instrument: 'BTC-PERP', quantity: 1, price: 100_000 });
    expect(big.after.equityIm).toBeGreaterThan(big.after.im);
    expect(big.after.status).toBe('liquidatable'); // 2,000 against an MM of 5,500
    expect([big.accepted, big.rejectedBy, big.search]).toEqual([false, 'margin', 'bisection']);
    // the position named, with its own figures: 2,000 allocated + 0 of P&L against an IM of 1.1 × 100,000 × 10% = 11,000
    expect(big.reason).toBe("margin: under isolated margin each position holds its own IM: after the order BTC-PERP's allocation + P&L 2,000.00 is below its IM 11,000.00 (USD): the account is liquidatable");
    const whatIf = session.whatIf('iso', [{ instrument: 'BTC-PERP', quantity: 1, price: 100_000 }]);
    expect(whatIf.after.shortPosition).toEqual({ instrument: 'BTC-PERP', ownEquity: 2_000, im: expect.closeTo(11_000, 9), mm: expect.closeTo(5_500, 9), status: 'liquidatable' });
    expect(session.whatIf('iso', [{ instrument: 'BTC-PERP', quantity: 0.05, price: 100_000 }]).after.shortPosition).toBeUndefined();
    expect(big.maxQuantity).toBeCloseTo(0.1, 12);
    expectBoundary(session, 'iso', 'BTC-PERP', 100_000, big.maxQuantity!, 0.001);
    const small = session.check('iso', { instrument: 'BTC-PERP', quantity: 0.05, price: 100_000 });
    expect([small.accepted, small.after.status]).toEqual([true, 'healthy']);
    session.release();
  });

  it('says the rest of the account owes when every position holds its own IM: a borrowing backed only by a position\'s profit', async () => {
    // long 1 BTC-PERP entered at 50,000, marked 100,000 (P&L +50,000 against an IM of 10,000: healthy on its own), on a
    // borrowing of 1,000 USDC: nothing to allocate (the account's collateral is below 0), so the rest owes 1,000 while
    // the account's equity for IM, 49,000, covers its IM
    const b = book({ id: 'owes', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 50_000 }], collateral: [{ asset: 'USDC', amount: -1_000 }] });
    const engine = await createEngine({ backend: 'wasm' });
    const session = engine.live(b, market(), { method: 'isolated', params: { linear: { BTC: [{ imRate: 0.1, mmRate: 0.05 }] } } });
    const r = session.check('owes', { instrument: 'BTC-PERP', quantity: 0.01, price: 100_000 });
    expect(r.after.equityIm).toBeGreaterThan(r.after.im);
    expect([r.accepted, r.rejectedBy, r.after.shortPosition]).toEqual([false, 'margin', null]);
    expect(r.reason).toBe(`margin: under isolated margin each position holds its own IM: after the order the rest of the account owes (its collateral and cash not allocated to a position are below 0): the account is ${r.after.status.replace('_', ' ')}`);
    expect(r.after.status).toBe('bankrupt'); // the rest's equity, −1,000, below 0
    session.release();
  });
});

describe('pre-trade check, rule-based (exact by the bracket breakpoints)', () => {
  it('finds the largest BTC-PERP buy a cash account can margin', async () => {
    const session = await live('cross');
    // 10,001 USDC, buying at the mark 100,000 (no P&L): IM(N) on notional N crosses 10,001 in the 600k–3M bracket:
    // 50,000·0.8% + 550,000·1% + (N − 600,000)·2% = 10,001 → N = 805,050 → 8.0505 BTC → 8.050 on the 0.001 grid
    const r = session.check('cash', { instrument: 'BTC-PERP', quantity: 1, price: 100_000 });
    expect(r.accepted).toBe(true);
    expect(r.search).toBe('breakpoints');
    expect(r.maxQuantity).toBe(8.05);
    expectBoundary(session, 'cash', 'BTC-PERP', 100_000, r.maxQuantity!, 0.001);
    const big = session.check('cash', { instrument: 'BTC-PERP', quantity: 9, price: 100_000 });
    expect(big.accepted).toBe(false);
    expect(big.rejectedBy).toBe('margin');
    // 9 BTC: 400 + 5,500 + (900,000 − 600,000)·2% = 11,900
    expect(big.reason).toBe('margin: equity for IM after the order 10,001.00 is below IM 11,900.00 (USD)');
    expect(big.maxQuantity).toBe(r.maxQuantity);
    session.release();
  });

  it('judges an order at the worse of its price and the mark: a favourable price is not credited (Binance\'s open loss)', async () => {
    const session = await live('cross');
    // a buy at 90,000 under the mark 100,000 is judged at 100,000: the maximum of a buy at the mark, 8.050 (above);
    // credited, its 10,000 of open gain a contract would have grown equity faster than IM in every bracket (no maximum)
    const below = session.check('cash', { instrument: 'BTC-PERP', quantity: 1, price: 90_000 });
    expect([below.accepted, below.assumedPrice, below.maxQuantity]).toEqual([true, 100_000, 8.05]);
    expect(below.after.equityIm).toBe(10_001);
    // a buy at 0 is a buy at the mark too (it had counted the whole notional as profit)
    const zero = session.check('cash', { instrument: 'BTC-PERP', quantity: 1, price: 0 });
    expect([zero.assumedPrice, zero.maxQuantity]).toEqual([100_000, 8.05]);
    // a buy at 110,000 is judged at its own price: 10,000 of open loss a contract. In the 1% bracket
    // (0.5 ≤ s ≤ 6): 10,001 − 10,000·s ≥ 400 + (100,000·s − 50,000)·1% → s ≤ 10,101 / 11,000 = 0.91827 → 0.918
    const above = session.check('cash', { instrument: 'BTC-PERP', quantity: 1, price: 110_000 });
    expect([above.accepted, above.assumedPrice, above.maxQuantity]).toEqual([false, 110_000, 0.918]);
    // 1 BTC: equity 10,001 − 10,000 = 1, IM 400 + 500 = 900
    expect(above.reason).toBe('margin: equity for IM after the order 1.00 is below IM 900.00 (USD)');
    expectBoundary(session, 'cash', 'BTC-PERP', 110_000, 0.918, 0.001);
    session.release();
    // a sell above the mark is judged at the mark: the sell at 100,000 through zero below, −20.050
    const isolated = await live('isolated');
    const sell = isolated.check('long', { instrument: 'BTC-PERP', quantity: -1, price: 110_000 });
    expect([sell.assumedPrice, sell.maxQuantity]).toEqual([100_000, -20.05]);
    // a sell with a limit of 0 (a market order) is a sell at the mark too, not a short opened at 0: the same answer as
    // one with no price (it had judged the whole notional lost, and a maximum 65× smaller)
    const market = isolated.check('long', { instrument: 'BTC-PERP', quantity: -1, price: 0 });
    const noPrice = isolated.check('long', { instrument: 'BTC-PERP', quantity: -1 });
    expect([market.assumedPrice, market.maxQuantity]).toEqual([100_000, -20.05]);
    expect(market).toEqual(noPrice);
    isolated.release();
  });

  it('a search that tries a size beyond the domain (a sale whose premium would be cash over 1e15 USD) counts it as rejected, never an error', async () => {
    const session = await live('cross');
    // selling BTC-110000-P at 20,000 a contract: the walk evaluates the domain's largest position (1e12 contracts),
    // whose premium, 2e16 USD, is beyond the largest cash; the order itself (1 contract) is an ordinary check
    const r = session.check('cash', { instrument: 'BTC-110000-P', quantity: -1, price: 20_000 });
    expect(r.search).toBe('breakpoints');
    expect(r.maxQuantity).not.toBeNull();
    expect(r.maxQuantity!).toBeLessThan(0);
    expectBoundary(session, 'cash', 'BTC-110000-P', 20_000, r.maxQuantity!, 0.001);
    session.release();
  });

  it('a maximum near the domain\'s bounds is one the session takes: the search counts a size beyond them as rejected', async () => {
    // 9e9 BTC at 100,000 is 9e14 USD of gross value: at most 1e14 USD more of notional (the bound is 1e15). A USD
    // account buying UP (1e4 BTC a contract, 1e9 USD) and a BTC-margined one buying BP (inverse, 1e9 USD of face)
    const engine = await createEngine({ backend: 'js' });
    const b = {
      instruments: [{ id: 'UP', kind: 'perpetual', underlying: 'BTC', multiplier: 1e4 }, { id: 'BP', kind: 'perpetual', underlying: 'BTC', multiplier: 1e9, settlement: 'BTC' }],
      accounts: [
        { id: 'u', collateral: [{ asset: 'BTC', amount: 9e9 }] },
        { id: 'c', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 9e9 }] },
      ],
    };
    const session = engine.live(b, { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.5 } } }, { method: 'cross' });
    for (const [account, instrument] of [['u', 'UP'], ['c', 'BP']] as const) {
      const max = session.check(account, { instrument, quantity: 1 }).maxQuantity!;
      expect(max, account).toBeGreaterThan(0);
      expect(max * 1e9, account).toBeLessThanOrEqual(1e14); // 1e5 contracts at most: the gross value's bound
      expect(session.check(account, { instrument, quantity: max }).accepted, `${account} at ${max}`).toBe(true);
      expect(() => session.whatIf(account, [{ instrument, quantity: max }])).not.toThrow();
      // one step (0.001) more: beyond the bound, refused with its path
      expect(problemLines(() => session.check(account, { instrument, quantity: max + 0.001 }))).toEqual([expect.stringMatching(/^order: .*above the largest/)]);
    }
    session.release();
  });

  it('on the sell side through zero, with the realized P&L', async () => {
    const session = await live('isolated');
    // long 2 from 100,000, 30,001 USDC; selling at 100,000 realizes nothing. Short s − 2 after: IM on notional
    // N = 100,000·(s − 2) reaches 30,001 at 400 + 5,500 + 0.02·(N − 600,000) = 30,001 → N = 1,805,050: s = 20.0505
    const r = session.check('long', { instrument: 'BTC-PERP', quantity: -1, price: 100_000 });
    expect(r.accepted).toBe(true);
    expect(r.maxQuantity).toBe(-20.05);
    expectBoundary(session, 'long', 'BTC-PERP', 100_000, r.maxQuantity!, 0.001);
    session.release();
  });

  it('rejects by position limit and size tier, capping the maximum exactly', async () => {
    const session = await live('cross', { maxPosition: { 'BTC-PERP': 5 }, maxNotional: { BTC: 300_000 }, quantityStep: 0.5 });
    const byPosition = session.check('cash', { instrument: 'BTC-PERP', quantity: 4, price: 100_000 });
    expect(byPosition.rejectedBy).toBe('size tier'); // 400,000 of notional > 300,000
    expect(byPosition.reason).toBe('size tier: a BTC position\'s notional may not exceed 300,000.00 USD');
    expect(byPosition.maxQuantity).toBe(3);
    const reducing = session.check('long', { instrument: 'BTC-PERP', quantity: -3.5, price: 100_000 });
    expect(reducing.accepted).toBe(true); // short 1.5 after
    expect(reducing.maxQuantity).toBe(-5); // down to short 3: 300,000 of notional, the tier's edge
    session.release();
    const tight = await live('cross', { maxPosition: { default: 1 } });
    const r = tight.check('cash', { instrument: 'BTC-PERP', quantity: 2, price: 100_000 });
    expect([r.accepted, r.rejectedBy, r.maxQuantity]).toEqual([false, 'position limit', 1]);
    tight.release();
  });

  it('lets an account above its limit reduce to flat, and holds a flip\'s new position to the limit (reduce-only)', async () => {
    // long 2 BTC-PERP against a limit of 1: closing is always allowed, a flip only to short 1 (close 2 + open 1 = 3);
    // "not growing" (|after| ≤ |before|) had let it sell 4 and hold short 2, twice the limit, on and on
    const session = await live('cross', { maxPosition: { 'BTC-PERP': 1 }, quantityStep: 0.5 });
    expect(session.check('long', { instrument: 'BTC-PERP', quantity: -2, price: 100_000 }).accepted).toBe(true);
    expect(session.check('long', { instrument: 'BTC-PERP', quantity: -3, price: 100_000 }).accepted).toBe(true);
    const flip = session.check('long', { instrument: 'BTC-PERP', quantity: -3.5, price: 100_000 });
    expect([flip.accepted, flip.rejectedBy, flip.maxQuantity]).toEqual([false, 'position limit', -3]);
    session.release();
    // the size tier alike: 200,000 USD of notional against long 2 at 100,000 (after the flip, short 2 would be 200,000)
    const tier = await live('cross', { maxNotional: { BTC: 150_000 }, quantityStep: 0.5 });
    const byTier = tier.check('long', { instrument: 'BTC-PERP', quantity: -4, price: 100_000 });
    expect([byTier.accepted, byTier.rejectedBy, byTier.maxQuantity]).toEqual([false, 'size tier', -3.5]);
    tier.release();
  });

  it('reads the maximum as the decimal multiple of the step it is, up to a limit that is itself a multiple', async () => {
    // 0.57 / 0.01 rounds to 56.99999999999999: a floor of the division allowed 0.56 under a limit of 0.57
    const session = await live('cross', { maxPosition: { 'BTC-PERP': 0.57 }, quantityStep: 0.01 });
    const r = session.check('cash', { instrument: 'BTC-PERP', quantity: 1, price: 100_000 });
    expect([r.accepted, r.rejectedBy, r.maxQuantity]).toEqual([false, 'position limit', 0.57]);
    session.release();
  });

  it('reaches a limit that is a whole number of steps from the position held (0.3 − 0.1 rounds to 0.19999999999999998)', async () => {
    // long 2 BTC-PERP; a limit of 2.3 leaves 0.3 (2.3 − 2 = 0.2999999999999998 in binary: it allowed 0.29)
    const session = await live('cross', { maxPosition: { 'BTC-PERP': 2.3 }, quantityStep: 0.01 });
    const r = session.check('long', { instrument: 'BTC-PERP', quantity: 0.01, price: 100_000 });
    expect(r.maxQuantity).toBe(0.3);
    expect(session.check('long', { instrument: 'BTC-PERP', quantity: 0.3, price: 100_000 }).accepted).toBe(true);
    expect(session.check('long', { instrument: 'BTC-PERP', quantity: 0.31, price: 100_000 }).rejectedBy).toBe('position limit');
    session.release();
  });

  it('validates orders and limits with paths', async () => {
    const session = await live('cross');
    expect(problemLines(() => session.check('cash', wire({ instrument: 'BTC-PERP', quantity: 'lots' })))).toEqual(['order.quantity: not a finite number (got "lots")']);
    session.release();
    const engine = await createEngine({ backend: 'js' });
    expect(problemLines(() => engine.live(BOOK, market(), { limits: { maxPosition: { 'XYZ-PERP': 1, default: -1 }, quantityStep: 0, cap: 1 } }))).toEqual([
      'limits.maxPosition.default: negative (-1); expected ≥ 0',
      'limits.quantityStep: not positive (0); expected > 0 contracts',
      'limits.cap: unknown field (expected maxPosition, maxNotional, quantityStep)',
    ]);
    expect(problemLines(() => engine.live(BOOK, market(), { limits: { maxPosition: { 'XYZ-PERP': 1 } } }))).toEqual(['limits.maxPosition["XYZ-PERP"]: unknown instrument "XYZ-PERP"']);
    // a step below the smallest position quantity: no size of it could be checked (the maximum came back 0)
    expect(problemLines(() => engine.live(BOOK, market(), { limits: { quantityStep: 1e-15 } }))).toEqual(['limits.quantityStep: 1e-15 is below the smallest quantity 1e-12 contracts']);
  });
});

describe('pre-trade check, scenario and VaR methods (bisection to one step)', () => {
  const sample = generateSample({ accounts: 40, seed: 5 });
  for (const method of ['portfolio', 'var']) {
    it(`${method}: the maximum is accepted, one step more is not`, async () => {
      const engine = await createEngine({ backend: 'wasm' });
      const session = engine.live(sample.book, sample.market, { method, limits: { quantityStep: 0.01 } });
      let checked = 0;
      for (const row of session.report().accounts.slice(0, 12)) {
        for (const [instrument, quantity] of [['BTC-PERP', 0.5], ['ETH-PERP', -3]] as const) {
          const r = session.check(row.id, { instrument, quantity });
          expect(r.search).toBe('bisection');
          if (r.maxQuantity === null || r.maxQuantity === 0) continue;
          expectBoundary(session, row.id, instrument, undefined, r.maxQuantity, 0.01);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(5);
      session.release();
    });
  }
});

describe('pre-trade maximum beyond the last breakpoint (issue 36 item 7)', () => {
  const read = (name: string) => JSON.parse(readFileSync(join(SAMPLE, name), 'utf8'));

  it('the sample book\'s new short put: the surplus is linear past the last breakpoint, solved to −11.86', async () => {
    const engine = await createEngine({ backend: 'wasm' });
    const book = read('book.json'), market = read('market.json');
    // sold at 0.01, below the put's mark: judged at its own price (a sale above the mark would be judged at the mark)
    const order = { instrument: 'ETH-23NOV26-2300-P', quantity: -1, price: 0.01 };
    for (const method of ['cross', 'isolated']) {
      const session = engine.live(book, market, { method });
      const r = session.check('vertical-spread-000277', order);
      expect(r.assumedPrice).toBe(0.01);
      if (method === 'cross') expect(r.maxQuantity).toBe(-11.86); // −1.064 before the search solved past the last breakpoint (the last breakpoint + 1 + 64 steps)
      expectBoundary(session, 'vertical-spread-000277', order.instrument, order.price, r.maxQuantity!, 0.001);
      session.release();
    }
    // independently, from scratch: the book with the fill done (−11.86 or −11.861 puts at 0.01, premium into cash) margined anew
    const filled = (size: number) => {
      const b = read('book.json');
      const account = b.accounts.find((a: { id: string }) => a.id === 'vertical-spread-000277');
      account.positions.push({ instrument: order.instrument, quantity: -size, entryPrice: order.price });
      account.cashUsd = (account.cashUsd ?? 0) + size * order.price;
      const row = engine.margin(b, market, { method: 'cross' }).accounts.find((a) => a.id === account.id)!;
      return row.equityIm >= row.im;
    };
    expect([filled(11.86), filled(11.861)]).toEqual([true, false]);
  });

  it('every method: the maximum of a sell and of a buy is accepted, one step more is not', async () => {
    const engine = await createEngine({ backend: 'js' });
    const sample = generateSample({ accounts: 12, seed: 36 });
    for (const method of engine.methods) {
      const session = engine.live(sample.book, sample.market, { method, limits: { quantityStep: 0.01 } });
      let checked = 0;
      for (const row of session.report().accounts.slice(0, 4)) {
        for (const [instrument, quantity] of [['BTC-PERP', 0.5], ['ETH-PERP', -3]] as const) {
          const r = session.check(row.id, { instrument, quantity });
          if (r.maxQuantity === null || r.maxQuantity === 0) continue;
          expectBoundary(session, row.id, instrument, undefined, r.maxQuantity, 0.01);
          checked++;
        }
      }
      expect(checked, method).toBeGreaterThan(0);
      session.release();
    }
  });
});

describe('the largest size when the order itself is rejected, hedged by another contract on the underlying', () => {
  it('portfolio: an account short 2 BTC-PERP short of IM buys a BTC future: the same largest buy whatever size is asked about', async () => {
    const engine = await createEngine();
    const instruments = [...INSTRUMENTS, { id: 'BTC-FUT', kind: 'future', underlying: 'BTC', expiry: EXPIRY }];
    const hedged = { instruments, accounts: [{ id: 'h', positions: [{ instrument: 'BTC-PERP', quantity: -2, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 2_000 }] }] };
    const live = engine.live(hedged, market({ marks: { 'BTC-FUT': 100_000 } }), { method: 'portfolio' });
    const order = (quantity: number) => ({ instrument: 'BTC-FUT', quantity, price: 100_000 });
    expect(live.check('h', order(0.01)).accepted).toBe(false); // short of IM: a small buy does not lift it
    const largest = live.check('h', order(2)).maxQuantity!;
    expect(largest).toBeGreaterThan(2);
    for (const q of [0.01, 1, 100]) expect(live.check('h', order(q)).maxQuantity).toBe(largest);
    expect(live.check('h', order(largest)).accepted).toBe(true);
    expect(live.check('h', order(largest + 0.001)).accepted).toBe(false);
    live.release();
  });
});
