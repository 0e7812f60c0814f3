/**
 * A tick's status events name every account whose status it changed, also accounts that hold nothing of what moved:
 * under Monte Carlo VaR, Σ's factor spans every risky asset, so a vol tick on one redraws every account's scenarios
 * (here USDC's vol 0 → 0.02 adds a factor) and an ETH-only account's requirement moves with it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';

const VALUATION = '2026-11-20T08:00:00Z';
const INSTRUMENTS = [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }, { id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' }];
const market = (usdcVol: number) => ({
  valuationTime: VALUATION,
  assets: { BTC: { price: 100_000, vol: 0.5 }, ETH: { price: 3_000, vol: 0.7 }, USDC: { price: 1, vol: usdcVol } },
  correlation: { assets: ['BTC', 'ETH', 'USDC'], matrix: [[1, 0.8, 0], [0.8, 1, 0], [0, 0, 1]] },
});
/** `eth` holds an ETH perpetual entered at its mark and USD cash: its equity is its cash, exposed to no USDC. */
const book = (ethCash: number) => ({
  instruments: INSTRUMENTS,
  accounts: [
    { id: 'btc', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] },
    { id: 'eth', positions: [{ instrument: 'ETH-PERP', quantity: 10, entryPrice: 3_000 }], cashUsd: ethCash },
  ],
});
const MC = { method: 'var' as const, params: { var: { model: 'monte-carlo', scenarios: 200, seed: 5 } } };

describe('status events after a tick', () => {
  let engines: Engine[];
  beforeAll(async () => {
    engines = await allEngines();
  });

  it('Monte Carlo VaR: a vol tick on an asset the account does not hold still reports its status change', () => {
    for (const engine of engines) {
      // the ETH account's IM before and after the tick, from fresh runs; its cash put between them
      const imOf = (usdcVol: number) => engine.margin(book(0), market(usdcVol), MC).accounts[1].im;
      const before = imOf(0), after = imOf(0.02);
      expect(after, 'the new factor moves the ETH account\'s requirement').not.toBe(before);
      const cash = Math.round((before + after) / 2);
      const statusOf = (usdcVol: number) => engine.margin(book(cash), market(usdcVol), MC).accounts[1].status;
      const from = statusOf(0), to = statusOf(0.02);
      expect(from).not.toBe(to);
      const live = engine.live(book(cash), market(0), MC);
      try {
        const heard: string[] = [];
        live.onStatusChange((events) => heard.push(...events.map((e) => `${e.account}: ${e.from} → ${e.to}`)));
        const result = live.applyTick({ assets: { USDC: { vol: 0.02 } } });
        expect(result.events.map((e) => `${e.account}: ${e.from} → ${e.to}`), engine.backend).toEqual([`eth: ${from} → ${to}`]);
        expect(heard).toEqual([`eth: ${from} → ${to}`]);
        expect(live.account('eth').status).toBe(to);
      } finally {
        live.release();
      }
    }
  });
});

describe('status listeners', () => {
  it('a listener that is not a function is refused when given (called with the events, its failure would be swallowed); one that throws does not stop the update', async () => {
    const { createEngine, InputError } = await import('../../src/index.js');
    const engine = await createEngine({ backend: 'js' });
    const live = engine.live(book(0), market(0), { method: 'cross' });
    try {
      let error: unknown;
      try {
        live.onStatusChange(5 as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as InstanceType<typeof InputError>).problems).toEqual([{ path: 'listener', message: 'expected a function of the status changes, got 5' }]);
      const heard: number[] = [];
      live.onStatusChange(() => {
        throw new Error('a subscriber\'s own bug');
      });
      live.onStatusChange((events) => heard.push(events.length));
      // BTC halves: the BTC account (1 BTC on 50,000 USDC) falls below MM; the update is applied whatever the first listener did
      const result = live.applyTick({ assets: { BTC: { price: 50_000 } } });
      expect(result.events.length).toBeGreaterThan(0);
      expect(heard).toEqual([result.events.length]);
      expect(live.report().accounts[0].status).toBe(engine.margin(live.book(), live.marketJson, { method: 'cross' }).accounts[0].status);
    } finally {
      live.release();
    }
  });

  it('an async listener that rejects is its own failure too: no unhandled rejection (it had ended the process); none is taken after release', async () => {
    const { createEngine } = await import('../../src/index.js');
    const engine = await createEngine({ backend: 'js' });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const live = engine.live(book(0), market(0), { method: 'cross' });
    try {
      live.onStatusChange(async () => {
        throw new Error('an async subscriber\'s own bug');
      });
      expect(live.applyTick({ assets: { BTC: { price: 50_000 } } }).events.length).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      live.release();
      process.off('unhandledRejection', onUnhandled);
    }
    expect(() => live.onStatusChange(() => undefined)).toThrow(/after release/);
  });
});

describe('a session a live session holds', () => {
  it('is not released under it: the release says to release the live session first; after that it is', async () => {
    const { createEngine } = await import('../../src/index.js');
    const engine = await createEngine({ backend: 'js' });
    const session = engine.openBook(book(0));
    const live = engine.live(session, market(0), { method: 'cross' });
    expect(() => session.release()).toThrow('margin-core: this session keeps a live session live: release that first (live.release()), then the session');
    expect(live.report().accounts.length).toBeGreaterThan(0); // still readable: nothing was freed under it
    live.release();
    session.release();
    expect(() => session.margin(market(0))).toThrow(/this session was released/);
  });
});
