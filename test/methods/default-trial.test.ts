/**
 * The session's default what-if (src/session/trial.ts): a method with no capability group (no `trial`, no
 * `liquidation`, …) is asked every what-if — live what-ifs, pre-trade checks and their largest size, liquidation's
 * sizing — by writing the change into the layout, re-margining, reading and putting the account back, and gives the
 * bits the method's own fast paths give.
 * - `bare-cross`: cross margin's run with every capability group removed (the rule unchanged), against cross with its
 *   own trial (what-ifs, one-change liquidation trials over kept sums, the pre-trade breakpoint search) on a generated
 *   book, every account, on the JS twin and WASM.
 * - isolated and portfolio margin with their own trial removed, in liquidation (per-position figures; shown trials).
 * - `flat` (test/support/methods/flat/, which has no group at all): a pre-trade maximum worked by hand.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, generateSample, validateInputs } from '../../src/index.js';
import { BUILT_IN_METHODS, type MarginMethodPlugin, type MethodRun } from '../../src/plugin.js';
import type { PreparedRun } from '../../src/session/prepared-run.js';
import { book, market } from '../support/margin-books.js';
import { flatMethod } from '../support/methods/flat/index.js';

const cross = BUILT_IN_METHODS.find((m) => m.name === 'cross') as MarginMethodPlugin;

/** Cross margin's rule with no capability group: the core of its run only. */
const bareCross: MarginMethodPlugin = {
  ...cross,
  name: 'bare-cross',
  prepare(ctx, params) {
    const { trial, liquidation, live, optimize, pools, scale, ...core } = cross.prepare(ctx, params);
    return core as MethodRun;
  },
};

/** A built-in method with its own trial removed (its other groups kept: isolated margin's slack is its own rule). */
function withoutTrial(name: string): MarginMethodPlugin {
  const method = BUILT_IN_METHODS.find((m) => m.name === name) as MarginMethodPlugin;
  return {
    ...method,
    name: `${name}-no-trial`,
    prepare(ctx, params) {
        const { trial, ...rest } = method.prepare(ctx, params);
      return rest as MethodRun;
    },
  };
}

const METHODS = [...BUILT_IN_METHODS, bareCross, withoutTrial('isolated'), withoutTrial('portfolio'), flatMethod];

/** A what-if's figures, without what binds and which position is short (the default does not say: it knows no method's rule). */
function figures(r: { binding?: unknown; shortPosition?: unknown }): unknown {
  const { binding: _, shortPosition: _short, ...rest } = r;
  return rest;
}

/** A call's result, or the message it threw. */
function outcome<T>(call: () => T): T | { error: string } {
  try {
    return call();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('the session\'s default trial', () => {
  it('gives the bits of cross margin\'s own trial: what-if, pre-trade, liquidation', async () => {
    const sample = generateSample({ accounts: 60, seed: 11 });
    const valid = validateInputs(sample.book, sample.market);
    const wide = generateSample({ accounts: 400, seed: 7 }), many = validateInputs(wide.book, wide.market);
    for (const backend of ['js', 'wasm'] as const) {
      const engine = await createEngine({ backend, methods: METHODS });
      const fast = engine.live(valid.book, valid.market, { method: 'cross' });
      const bare = engine.live(valid.book, valid.market, { method: 'bare-cross' as string });
      try {
        expect((fast.prepared as PreparedRun).methodRun.trial?.terms, 'cross has its own').toBeDefined();
        expect((bare.prepared as PreparedRun).methodRun.trial, 'bare-cross has none').toBeUndefined();
        let searched = 0;
        for (const [k, account] of valid.book.accounts.entries()) {
          const position = account.positions[k % Math.max(1, account.positions.length)];
          if (position === undefined) continue;
          const trade = [{ instrument: position.instrument, quantity: -position.quantity / 2 }, { instrument: position.instrument, quantity: position.quantity / 4 }];
          const a = fast.whatIf(account.id, trade), b = bare.whatIf(account.id, trade);
          expect(figures(b.before), `${backend} ${account.id} before`).toEqual(figures(a.before));
          expect(figures(b.after), `${backend} ${account.id} after`).toEqual(figures(a.after));
          // pre-trade: the same verdict and figures; the same largest size by bisection as by the breakpoints
          const order = { instrument: position.instrument, quantity: position.quantity > 0 ? 0.5 : -0.5 };
          const x = outcome(() => fast.check(account.id, order)), y = outcome(() => bare.check(account.id, order));
          // the breakpoint walk tries sizes up to the domain's largest position: one whose cash would leave its domain
          // is a size not accepted, never an error of the check
          if ('error' in y) throw new Error(`${backend} ${account.id}: ${y.error}`);
          if ('error' in x) throw new Error(`${backend} ${account.id}: ${x.error}`);
          expect([y.accepted, y.reason, figures(y.after), y.maxQuantity], `${backend} ${account.id} check`).toEqual([x.accepted, x.reason, figures(x.after), x.maxQuantity]);
          expect([x.search, y.search]).toEqual(['breakpoints', 'bisection']);
          if (y.maxQuantity !== null) searched++;
        }
        expect(searched, 'accounts whose largest size margin bounds').toBeGreaterThan(10);
      } finally {
        fast.release();
        bare.release();
      }
      // liquidation: every step, fill, fee and figure, by one-change trials over kept sums and by write-and-re-margin
      const byOwn = engine.liquidate(many.book, many.market, { method: 'cross' });
      const byDefault = engine.liquidate(many.book, many.market, { method: 'bare-cross' as string });
      expect(byOwn.accounts.length, 'accounts liquidated').toBeGreaterThan(2);
      expect(byOwn.accounts.reduce((n, r) => n + r.steps.length, 0), 'steps').toBeGreaterThan(byOwn.accounts.length);
      expect(JSON.stringify({ ...byDefault, method: 'cross' })).toBe(JSON.stringify(byOwn));
    }
  });

  it('gives the bits of isolated and portfolio margin\'s own trials in liquidation (per-position figures, whole holdings)', async () => {
    // isolated: the default reads each position's allocation, P&L, IM and MM after writing; portfolio: its terms
    // margin whole holdings in JS, the default writes them
    const sample = generateSample({ accounts: 400, seed: 7 });
    const valid = validateInputs(sample.book, sample.market);
    const engine = await createEngine({ backend: 'wasm', methods: METHODS });
    for (const method of ['isolated', 'portfolio']) {
      const byOwn = engine.liquidate(valid.book, valid.market, { method });
      const byDefault = engine.liquidate(valid.book, valid.market, { method: `${method}-no-trial` });
      expect(byOwn.accounts.reduce((n, r) => n + r.steps.length, 0), `${method} steps`).toBeGreaterThan(byOwn.accounts.length);
      expect(JSON.stringify({ ...byDefault, method }), method).toBe(JSON.stringify(byOwn));
    }
  });

  it('sizes a flat-margin order by hand', async () => {
    // 5,000 USDC, no position, buying BTC-PERP at its mark 100,000 (no P&L): IM = 0.1 × 100,000 × s ≤ 5,000 gives
    // s ≤ 0.5 contracts; equity for IM stays 5,000 (USDC, no haircut). 0.6 is refused by margin: IM 6,000.
    const engine = await createEngine({ backend: 'js', methods: METHODS });
    const live = engine.live(book({ id: 'c', collateral: [{ asset: 'USDC', amount: 5_000 }] }), market(), { method: 'flat', params: { flat: { k: 0.1 } } });
    try {
      const r = live.check('c', { instrument: 'BTC-PERP', quantity: 0.6, price: 100_000 });
      expect([r.accepted, r.rejectedBy, r.after.im, r.after.equityIm, r.maxQuantity, r.search]).toEqual([false, 'margin', 6_000, 5_000, 0.5, 'bisection']);
      expect(live.check('c', { instrument: 'BTC-PERP', quantity: 0.5, price: 100_000 }).accepted).toBe(true);
      expect(live.check('c', { instrument: 'BTC-PERP', quantity: 0.501, price: 100_000 }).accepted).toBe(false);
      expect(live.account('c').im, 'nothing written').toBe(0);
    } finally {
      live.release();
    }
  });
});
