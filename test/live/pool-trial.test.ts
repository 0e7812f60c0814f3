/**
 * Under the `cross` subaccount policy a live session judges a group member's what-ifs and orders by the pool
 * (src/live/pool-trial.ts): the pool is the one account margined and liquidated.
 *
 * By hand, rule-based cross margin at BTC 100,000 (test/live/check.test.ts): IM on a notional N is 0.8% up to 50,000,
 * 1% from 50,000 to 600,000; MM half of IM. The group: m 500 USDC, s1 long 1 BTC-PERP and s2 short 1 BTC-PERP with no
 * collateral, both at 100,000. The pool nets to no position on 500 USDC (IM 0: healthy), while s1 and s2 alone are
 * each 1 BTC on nothing (IM 900, equity 0).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, generateSample, type LiveSession } from '../../src/index.js';
import { INSTRUMENTS, market } from '../support/margin-books.js';

const CROSS = { params: { subaccounts: { policy: 'cross' } } };
const group = {
  instruments: INSTRUMENTS,
  accounts: [
    { id: 'm', collateral: [{ asset: 'USDC', amount: 500 }] },
    { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [] },
    { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 100_000 }], collateral: [] },
  ],
};

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm' })];
});

describe('pre-trade checks judged by the pool (cross policy)', () => {
  it('refuses an order that leaves its own account flat but the pool short 1 on 500 USDC; accepts one alone it could not carry', () => {
    for (const engine of engines) {
      const live = engine.live(group, market(), { method: 'cross', ...CROSS });
      // s1 sells its 1 BTC: s1 alone is flat (IM 0 on 0, accepted alone), the pool is short 1: IM 400 + 500 = 900 > 500
      const sell = live.check('s1', { instrument: 'BTC-PERP', quantity: -1, price: 100_000 });
      expect(sell.after.im).toBe(0);
      expect(sell.accepted).toBe(false);
      expect(sell.rejectedBy).toBe('margin');
      expect(sell.reason).toBe('margin: the pool of m: equity for IM after the order 500.00 is below IM 900.00 (USD)');
      expect(sell.pool).toMatchObject({ master: 'm', after: { im: 900, equityIm: 500, status: 'margin_call' } });
      // the largest sale: the pool short q needs 400 + 1,000·(q − 0.5) ≤ 500 → q = 0.6, found by bisection
      expect(sell.search).toBe('bisection');
      expect(sell.maxQuantity).toBeCloseTo(-0.6, 12);
      expect(live.check('s1', { instrument: 'BTC-PERP', quantity: -0.6, price: 100_000 }).accepted).toBe(true);
      expect(live.check('s1', { instrument: 'BTC-PERP', quantity: -0.601, price: 100_000 }).accepted).toBe(false);
      // s2 buys 0.1: alone still short 0.9 on nothing (IM 800 > 0), the pool long 0.1: IM 80 ≤ 500
      const buy = live.check('s2', { instrument: 'BTC-PERP', quantity: 0.1, price: 100_000 });
      expect(buy.after.im).toBe(800);
      expect(buy.after.equityIm).toBe(0);
      expect(buy.accepted).toBe(true);
      expect(buy.pool!.after.im).toBeCloseTo(80, 9); // 1 − 0.9 = 0.09999999999999998 contracts in doubles
      expect(buy.maxQuantity).toBeCloseTo(0.6, 12);
      live.release();
    }
  });

  it('a pool short of IM: the largest buy it accepts, though the order asked about is rejected (not 0)', () => {
    // m 500.5 USDC, s1 short 2 BTC-PERP on nothing: the pool short 200,000 needs 400 + 1,500 = 1,900 > 500.5. A buy of q
    // leaves it short 2 − q: 400 + 1,000·(|2 − q| − 0.5) ≤ 500.5 for |2 − q| ≤ 0.6005, so buys of 1.3995 to 2.6005 are
    // accepted: on the 0.001 grid 1.4 to 2.6. A buy of 0.1 is not, but the largest is still 2.6; no sale is accepted
    const m = { id: 'm', collateral: [{ asset: 'USDC', amount: 500.5 }] };
    const short = { instruments: INSTRUMENTS, accounts: [m, { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -2, entryPrice: 100_000 }], collateral: [] }] };
    for (const engine of engines) {
      const live = engine.live(short, market(), { method: 'cross', ...CROSS });
      for (const [q, accepted] of [[0.1, false], [1, false], [1.399, false], [1.4, true], [2, true], [2.6, true], [2.601, false], [3, false]] as const) {
        const c = live.check('s1', { instrument: 'BTC-PERP', quantity: q, price: 100_000 });
        expect([q, c.accepted, c.maxQuantity]).toEqual([q, accepted, 2.6]);
      }
      expect(live.check('s1', { instrument: 'BTC-PERP', quantity: -0.1, price: 100_000 }).maxQuantity).toBe(0);
      live.release();
      // the flat master m under a position limit of 2: the pool's buys of 1.4 to 2.6 meet m's limit at 2, whatever the
      // size asked about (the pool's closing size, 2, tried at the limit)
      const limited = engine.live(short, market(), { method: 'cross', ...CROSS, limits: { maxPosition: { 'BTC-PERP': 2 } } });
      for (const q of [0.1, 1.5, 2]) expect(limited.check('m', { instrument: 'BTC-PERP', quantity: q, price: 100_000 }).maxQuantity).toBe(2);
      limited.release();
    }
  });

  it('the policy left out: each account judged alone, as before', async () => {
    const live = engines[1].live(group, market(), { method: 'cross' });
    const sell = live.check('s1', { instrument: 'BTC-PERP', quantity: -1, price: 100_000 });
    expect(sell.accepted).toBe(true);
    expect(sell.pool).toBeUndefined();
    expect(live.whatIf('s1', [{ instrument: 'BTC-PERP', quantity: -1 }]).pool).toBeUndefined();
    live.release();
  });
});

describe('what-ifs on a pool are the roll-up the fills would give', () => {
  it('by hand: the pool before (no position, 500 USDC) and after s2 buys 0.1 at 99,000', () => {
    for (const engine of engines) {
      const live = engine.live(group, market(), { method: 'cross', ...CROSS });
      const w = live.whatIf('s2', [{ instrument: 'BTC-PERP', quantity: 0.1, price: 99_000 }]);
      expect(w.pool!.master).toBe('m');
      expect(w.pool!.before).toMatchObject({ im: 0, mm: 0, equityIm: 500, status: 'healthy' });
      // s2 closes 0.1 of its short bought at 99,000 against an entry of 100,000: +100 realized; the pool is long 0.1
      // (s1's 1 − s2's 0.9) worth 10,000 at 0.8%: IM 80, equity 600
      expect(w.pool!.after).toMatchObject({ equityIm: 600, status: 'healthy' });
      expect(w.pool!.after.im).toBeCloseTo(80, 9); // 1 − 0.9 = 0.09999999999999998 contracts in doubles
      expect(w.pool!.after.mm).toBeCloseTo(40, 9);
      expect(w.pool!.marginalIm).toBe(w.pool!.after.im);
      expect(w.pool!.before).toEqual(live.subaccounts()!.masters[0].combined);
      live.applyFills([{ account: 's2', instrument: 'BTC-PERP', quantity: 0.1, price: 99_000 }]);
      expect(live.subaccounts()!.masters[0].combined).toEqual(w.pool!.after);
      live.release();
    }
  });

  it('generated books with masters, every method, both backends: each member’s pool after = the roll-up once the fill is applied', () => {
    const { book, market: sampleMarket } = generateSample({ accounts: 240, seed: 11, accountsPerMaster: 4 });
    const instruments = (book as { instruments: { id: string; kind: string }[] }).instruments.filter((i) => i.kind !== 'option').map((i) => i.id);
    for (const method of ['cross', 'portfolio', 'var']) {
      for (const engine of engines) {
        const live = engine.live(book, sampleMarket, { method, ...CROSS });
        let judged = 0;
        for (let k = 0; k < 12; k++) {
          const id = (book as { accounts: { id: string }[] }).accounts[(k * 37 + 5) % 240].id;
          const instrument = instruments[k % instruments.length];
          // a fill needs its price: the underlying's (any price nets the same way in the what-if and the fill)
          const price = (sampleMarket as { assets: Record<string, { price: number }> }).assets[instrument.split('-')[0]].price;
          const trade = { instrument, quantity: k % 2 === 0 ? 0.25 : -0.4, price };
          const w = live.whatIf(id, [trade]);
          if (w.pool === undefined) continue;
          judged++;
          const before = live.subaccounts()!.masters.find((m) => m.id === w.pool!.master)!.combined;
          expect(w.pool.before, `${method} ${engine.backend} ${id} before`).toEqual(before);
          live.applyFills([{ account: id, ...trade }]);
          const after = live.subaccounts()!.masters.find((m) => m.id === w.pool!.master)!.combined;
          expect(w.pool.after, `${method} ${engine.backend} ${id} after`).toEqual(after);
        }
        expect(judged).toBe(12); // every account of a grouped book is in a group
        live.release();
      }
    }
  });

  it('a BTC-margined group (pooled as a book: no union of coin holdings): the pool after = the roll-up after the fill', () => {
    const coinBook = {
      instruments: [{ id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' }],
      accounts: [
        { id: 'm', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1000, entryPrice: 90_000 }], collateral: [{ asset: 'BTC', amount: 0.5 }] },
        { id: 's', master: 'm', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: 600, entryPrice: 87_000 }], collateral: [{ asset: 'BTC', amount: 0.1 }] },
      ],
    };
    for (const engine of engines) {
      const live: LiveSession = engine.live(coinBook, market(), { method: 'cross', ...CROSS });
      const trade = { instrument: 'BTC-PERPETUAL', quantity: 300, price: 100_000 };
      const w = live.whatIf('s', [trade]);
      expect(w.pool!.before).toEqual(live.subaccounts()!.masters[0].combined);
      // the pool goes from short 400 to short 100 contracts of 10 USD: its IM falls
      expect(w.pool!.after.im).toBeLessThan(w.pool!.before.im);
      live.applyFills([{ account: 's', ...trade }]);
      expect(live.subaccounts()!.masters[0].combined).toEqual(w.pool!.after);
      live.release();
    }
  });
});

describe('pool status events (cross policy)', () => {
  it('by hand: s1 sells its 1 BTC, the pool goes healthy → margin_call (short 1: IM 900, MM 450 on 500), s1 alone liquidatable → healthy', () => {
    for (const engine of engines) {
      const live = engine.live(group, market(), { method: 'cross', ...CROSS });
      const heard: unknown[] = [];
      live.onStatusChange((events) => heard.push(...events));
      const r = live.applyFills([{ account: 's1', instrument: 'BTC-PERP', quantity: -1, price: 100_000 }]);
      expect(r.events).toEqual([
        { account: 's1', from: 'liquidatable', to: 'healthy', health: Infinity },
        { account: 'm', from: 'healthy', to: 'margin_call', health: 500 / 450, pool: true },
      ]);
      expect(heard).toEqual(r.events);
      live.release();
    }
  });

  it('generated books with masters: each tick and fill announces exactly the pools whose roll-up status changed', () => {
    const { book, market: m0 } = generateSample({ accounts: 300, seed: 5, accountsPerMaster: 3 });
    const prices = (m0 as { assets: Record<string, { price: number }> }).assets;
    const ids = (book as { accounts: { id: string }[] }).accounts.map((a) => a.id);
    for (const method of ['cross', 'portfolio']) {
      for (const engine of engines) {
        const live = engine.live(book, m0, { method, ...CROSS });
        const rollup = () => new Map(live.subaccounts()!.masters.map((g) => [g.id, g.combined]));
        let before = rollup();
        let announced = 0;
        const updates: (() => { events: { account: string; pool?: true }[] })[] = [
          ...[0.85, 0.7, 1.15, 0.6, 1.4].map((x) => () => live.applyTick({ assets: { BTC: { price: prices.BTC.price * x }, ETH: { price: prices.ETH.price * (2 - x) } } })),
          ...[0, 1, 2, 3].map((k) => () => live.applyFills([{ account: ids[k * 31 + 1], instrument: 'BTC-PERP', quantity: k % 2 === 0 ? 40 : -40, price: prices.BTC.price }])),
        ];
        for (const update of updates) {
          const events = update().events.filter((e) => e.pool === true);
          const after = rollup();
          const changed = [...after].filter(([id, f]) => before.get(id)!.status !== f.status)
            .map(([id, f]) => ({ account: id, from: before.get(id)!.status, to: f.status, health: f.health, pool: true }));
          const byId = (x: { account: string }, y: { account: string }) => (x.account < y.account ? -1 : x.account > y.account ? 1 : 0);
          expect([...events].sort(byId), `${method} ${engine.backend}`).toEqual(changed.sort(byId));
          announced += events.length;
          before = after;
        }
        expect(announced, `${method} ${engine.backend}: the sequence moves some pool`).toBeGreaterThan(0);
        live.release();
      }
    }
  });
});
